// A sweep's answer turned into what the next sweep needs: whole lines only (a line cut by the byte cap
// or the time limit is read again next time), the cursor of the last of them, and whether the entry the
// sweep started from was still in the journal. `kernel-from` answers with that entry first while the
// journal holds it, so that its absence shows.

import type { KernelSweep } from "../alerts/ports.js";
import { isJournalCursor } from "../analysis/names.js";
import { fail, ok, type Result } from "../errors.js";
import type { JournalLines } from "./journal-answer.js";

const NEWLINE = 0x0a;

/** The cursor a `journalctl -o json` line carries, when it is one. */
function cursorOf(line: Buffer): string | null {
  try {
    const cursor = (JSON.parse(line.toString("utf8")) as { __CURSOR?: unknown }).__CURSOR;
    return typeof cursor === "string" && isJournalCursor(cursor) ? cursor : null;
  } catch {
    return null;
  }
}

/** `from` is the cursor the sweep started at, or null for a sweep since a time. */
export function sweepFromLines(node: string, lines: JournalLines, from: string | null): Result<KernelSweep> {
  const whole = lines.bytes.subarray(0, lines.bytes.lastIndexOf(NEWLINE) + 1);
  const truncated = lines.truncated || whole.length < lines.bytes.length;
  let fresh = whole;
  let rotated = false;
  if (from !== null) {
    const firstEnd = whole.indexOf(NEWLINE);
    if (firstEnd >= 0 && cursorOf(whole.subarray(0, firstEnd)) === from) fresh = whole.subarray(firstEnd + 1);
    // Another entry came first, or none at all though nothing was cut: the cursor's entry is gone.
    // (An answer cut inside its first line tells nothing: the next sweep asks again.)
    else rotated = firstEnd >= 0 || !truncated;
  }
  if (fresh.length === 0) return ok({ bytes: fresh, cursor: from, truncated, rotated });
  const last = fresh.subarray(fresh.lastIndexOf(NEWLINE, fresh.length - 2) + 1, fresh.length - 1);
  const cursor = cursorOf(last);
  if (cursor === null)
    return fail(
      "invalid-journal",
      `${node}: the last kernel entry swept carries no journald cursor`,
      "is deploy/node/oom-doctor-journal on the node the one shipped with this release?",
    );
  return ok({ bytes: fresh, cursor, truncated, rotated });
}
