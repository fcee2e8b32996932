// Streams any supported journal form into LogRecords: detects the form from the first bytes, then feeds
// lines to the matching parser. Pure: the caller does the reading.

import { concatBytes } from "./bytes.js";
import { ExportParser } from "./export-form.js";
import { parseJsonLine } from "./json.js";
import type { LogRecord } from "./record.js";
import { newPrefixMemo, parseTextLine } from "./text.js";

export type JournalForm = "json" | "export" | "text";

export interface ReaderStats {
  form: JournalForm | null;
  lines: number;
  /** Lines longer than the cap: kept only up to it. */
  overlongLines: number;
  linesCutByPager: number;
}

/** The longest line kept whole; kernel lines are far shorter, so longer ones are garbage or attacks. */
export const MAX_LINE_CHARS = 64 * 1024;
const MAX_LINE_BYTES = MAX_LINE_CHARS * 4;
const NEWLINE = 0x0a;
const PREFIX_HEAD = 4;
// Lines starting with `[` (dmesg stamps), `-` (boot separators), `{` (JSON), a blank or a tab are
// always read: they may be kernel lines or continue one.
const ALWAYS_READ = new Set([0x5b, 0x2d, 0x7b, 0x20, 0x09]);
const NON_BLANK = /\S/;
/** Stands in for a non-kernel line passed over unread, so that lines continuing it go nowhere. */
const PASSED_OVER: LogRecord = Object.freeze({
  time: { kind: "none" },
  host: null,
  kernel: false,
  message: "",
  cutByPager: false,
  bootId: null,
  marker: null,
}) as LogRecord;
// Journal continuation lines are indented to the message column; a hard wrap leaves little or none.
const MULTILINE_INDENT = /^ {8,}|^\t/;
const EXPORT_START = /^(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_?[A-Z][A-Z0-9_]*)=/;

export class JournalReader {
  readonly stats: ReaderStats = { form: null, lines: 0, overlongLines: 0, linesCutByPager: 0 };
  // Whole lines are decoded in one call: a streaming decode is several times slower.
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private exportParser: ExportParser | null = null;
  private readonly prefixMemo = newPrefixMemo();
  /** Bytes after the last newline seen: the start of a line still to come. */
  private tail: Uint8Array = new Uint8Array(0);
  /** An overlong line was cut short: the rest of it, up to the next newline, is dropped. */
  private skippingOverlong = false;
  private sniffed: Uint8Array = new Uint8Array(0);
  /** The last text record, held back because the next line may continue it. */
  private held: { record: LogRecord; prefixed: boolean } | null = null;
  /** The latest line passed over unparsed (see canSkip). */
  private skipped: string | null = null;
  /** How the last prefixed line began: a line that begins the same way is a new line, not a wrap. */
  private prefixHead: string | null = null;

  push(chunk: Uint8Array): LogRecord[] {
    if (this.stats.form === null) {
      this.sniffed = concatBytes(this.sniffed, chunk);
      const form = detectForm(this.sniffed);
      if (form === null) return [];
      this.stats.form = form;
      chunk = this.sniffed;
      this.sniffed = new Uint8Array(0);
    }
    if (this.stats.form === "export") {
      this.exportParser ??= new ExportParser();
      return this.count(this.exportParser.push(chunk));
    }
    return this.count(this.pushLines(chunk));
  }

  end(): LogRecord[] {
    if (this.stats.form === null) {
      if (this.sniffed.length === 0) return [];
      this.stats.form = detectForm(this.sniffed, true) ?? "text";
      const sniffed = this.sniffed;
      this.sniffed = new Uint8Array(0);
      return [...this.push(sniffed), ...this.end()];
    }
    if (this.stats.form === "export") return this.count(this.exportParser?.end() ?? []);
    const out = this.pushLines(Uint8Array.of(NEWLINE));
    // The journal's last line, if it was passed over, still tells how far the journal reaches.
    if (this.skipped !== null) {
      this.releaseHeld(out);
      this.held = null;
      out.push(...this.readLine(this.skipped));
    }
    this.skipped = null;
    this.releaseHeld(out);
    this.held = null;
    return this.count(out);
  }

  private count(records: LogRecord[]): LogRecord[] {
    for (const record of records) if (record.cutByPager) this.stats.linesCutByPager++;
    return records;
  }

  private pushLines(chunk: Uint8Array): LogRecord[] {
    const out: LogRecord[] = [];
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.tail = concatBytes(this.tail, chunk);
      if (this.tail.length > MAX_LINE_BYTES) {
        // No newline in sight: keep the start of the line, drop the rest as it comes.
        if (!this.skippingOverlong) {
          this.stats.overlongLines++;
          const start = this.decoder.decode(this.tail.subarray(0, MAX_LINE_BYTES)).slice(0, MAX_LINE_CHARS);
          this.line(start, out);
        }
        this.skippingOverlong = true;
        this.tail = new Uint8Array(0);
      }
      return out;
    }
    // The held tail completes the chunk's first line; the rest decodes on its own. (Joining the two
    // strings would make every later string operation on the chunk twice as slow.)
    const firstNewline = chunk.indexOf(NEWLINE);
    const head = concatBytes(this.tail, chunk.subarray(0, firstNewline));
    this.tail = chunk.slice(lastNewline + 1);
    if (this.skippingOverlong) this.skippingOverlong = false;
    else this.lines(this.decoder.decode(head), out);
    if (firstNewline < lastNewline)
      this.lines(this.decoder.decode(chunk.subarray(firstNewline + 1, lastNewline)), out);
    return out;
  }

  private lines(text: string, out: LogRecord[]): void {
    let start = 0;
    while (start <= text.length) {
      let newline = text.indexOf("\n", start);
      if (newline < 0) newline = text.length;
      const line = text.slice(start, newline);
      start = newline + 1;
      if (line.length > MAX_LINE_CHARS) this.stats.overlongLines++;
      this.line(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line, out);
    }
  }

  private line(line: string, out: LogRecord[]): void {
    this.stats.lines++;
    if (this.canSkip(line)) {
      if (this.held?.record.kernel) {
        // The kernel line is complete: a new, non-kernel line follows it.
        out.push(this.held.record);
        this.held = { record: PASSED_OVER, prefixed: true };
      }
      this.skipped = line;
      return;
    }
    for (const part of splitGluedStamps(line)) out.push(...this.readLine(part));
  }

  private releaseHeld(out: LogRecord[]): void {
    if (this.held && this.held.record !== PASSED_OVER) out.push(this.held.record);
  }

  /**
   * Most of a journal is not the kernel's. A line that cannot be a kernel message (no "kernel" in it)
   * and is a new line rather than the rest of a kernel line (it starts like the last prefixed line, or
   * the held record is not the kernel's) is not parsed, except the journal's very last line: that keeps
   * large journals fast and still shows how far they reach.
   */
  private canSkip(line: string): boolean {
    if (line.includes("kernel")) return false;
    // The first line is always read: it shows where the journal starts (a rotated one starts late).
    if (this.stats.form === "json") return this.stats.lines > 1 && line.startsWith("{");
    const held = this.held;
    // Only journal and syslog lines name their source; in dmesg every line is the kernel's.
    if (!held?.prefixed || held.record.marker !== null || held.record.host === null) return false;
    if (held.record.kernel) return this.prefixHead !== null && line.startsWith(this.prefixHead);
    return line.length > 0 && !ALWAYS_READ.has(line.charCodeAt(0));
  }

  private readLine(line: string): LogRecord[] {
    if (this.stats.form === "json") return line.length === 0 ? [] : parseJsonLine(line);
    if (!NON_BLANK.test(line)) return [];
    const out: LogRecord[] = [];
    // A JSON entry among text lines (a pasted mix, or a JSON journal with a stray first line).
    const json = line.startsWith("{") ? parseJsonLine(line) : [];
    if (json.length > 0) {
      this.releaseHeld(out);
      this.held = null;
      out.push(...json);
      return out;
    }
    const parsed = parseTextLine(line, this.prefixMemo);
    if (parsed.kind === "records") {
      const first = parsed.records[0];
      // A separator names no host: it belongs to the host around it.
      if (first?.marker) first.host = this.held?.record.host ?? null;
      if (this.held?.record.marker) this.held.record.host ??= first?.host ?? null;
      this.releaseHeld(out);
      const last = parsed.records.length - 1;
      out.push(...parsed.records.slice(0, last));
      const lastRecord = parsed.records[last];
      this.held = lastRecord ? { record: lastRecord, prefixed: true } : null;
      if (lastRecord && lastRecord.marker === null) this.prefixHead = line.slice(0, PREFIX_HEAD);
      return out;
    }
    const held = this.held;
    if (held?.record === PASSED_OVER) return out;
    if (held?.prefixed) {
      if (MULTILINE_INDENT.test(parsed.text)) {
        // Another line of a multi-line message: same entry, new line.
        out.push(held.record);
        this.held = {
          record: { ...held.record, message: parsed.text.trim(), cutByPager: false },
          prefixed: true,
        };
      } else {
        // A hard-wrapped paste: the line goes on.
        held.record.message += parsed.text;
      }
      return out;
    }
    this.releaseHeld(out);
    this.held = {
      record: {
        time: { kind: "none" },
        host: null,
        kernel: true,
        message: parsed.text.trim(),
        cutByPager: false,
        bootId: null,
        marker: null,
      },
      prefixed: false,
    };
    return out;
  }
}

// A dmesg stamp, `[ 1432.390211]` or dmesg -T's `[Mon Jul 12 12:11:16 2021]` in any locale. The bounded
// quantifiers keep the search linear on any line.
const DMESG_STAMP =
  /\[(?: {0,8}\d{1,10}\.\d{6}|[^\s\]]{1,12} {1,2}[^\s\]]{1,12} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \d{4})\]/g;

/**
 * A paste that lost line breaks glues dmesg lines together: `...mems_allowed=0-1[Thu Apr 17 23:12:33
 * 2025] CPU: 27 PID: ...`. A line that starts with a stamp is split before each later stamp.
 */
function splitGluedStamps(line: string): string[] {
  if (line.charCodeAt(0) !== 0x5b || line.indexOf("[", 1) < 0) return [line];
  const starts: number[] = [];
  for (const match of line.matchAll(DMESG_STAMP)) starts.push(match.index ?? 0);
  if (starts[0] !== 0 || starts.length < 2) return [line];
  return starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length));
}

function detectForm(bytes: Uint8Array, atEnd = false): JournalForm | null {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 && !atEnd && bytes.length < 4096) return null;
  const text = new TextDecoder().decode(bytes).trimStart();
  if (text.length === 0 && !atEnd) return null;
  if (text.startsWith("{")) return "json";
  if (EXPORT_START.test(text)) return "export";
  return "text";
}
