import type { LogTime } from "../log-time.js";

/** One logical log line, whatever form it came in. Multi-line messages become several records. */
export interface LogRecord {
  time: LogTime;
  host: string | null;
  /** The line came from the kernel (transport or identifier `kernel`, dmesg, or a bare kernel line). */
  kernel: boolean;
  message: string;
  /** The line ended in a pager's `>`: its end is missing. */
  cutByPager: boolean;
  bootId: string | null;
  /**
   * A separator rather than a message: `boot` for journalctl's `-- Boot ... --` and `-- Reboot --`,
   * `gap` for grep's `--` between non-adjacent matches. Either way the lines before and after it are
   * not continuous, so no report spans it.
   */
  marker: "boot" | "gap" | null;
}

/** Splits off a pager's trailing `>`: pasted `journalctl` output cuts long lines this way. */
export function stripPagerCut(message: string): { message: string; cutByPager: boolean } {
  if (!message.endsWith(">")) return { message, cutByPager: false };
  return { message: message.slice(0, -1), cutByPager: true };
}

/** rsyslog escapes control characters as `#ooo`: `#012` is a newline, `#011` a tab. */
export function splitRsyslogEscapes(message: string): string[] {
  if (!message.includes("#0")) return [message];
  return message.replaceAll("#011", "\t").split("#012");
}
