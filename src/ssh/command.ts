// The only requests oom-doctor sends to a node. A node runs them through deploy/node/oom-doctor-journal,
// forced for oom-doctor's key in authorized_keys: that wrapper reads the request from
// SSH_ORIGINAL_COMMAND, checks every word, and runs journalctl with a fixed, read-only argument set.
// A request holds the wrapper's name, a verb, whole numbers and at most one journald cursor the node's
// own journalctl printed, checked here and again by the wrapper; nothing from the cluster or from users.

import { isJournalCursor } from "../analysis/names.js";
import type { JournalWindow } from "../analysis/windows.js";

export interface CommandLimits {
  timeoutSeconds: number;
  maxOutputBytes: number;
}

const PROGRAM = "oom-doctor-journal";

/** The wrapper ends stderr with journalctl's exit status, so that a timeout is told apart from an empty window. */
export const EXIT_MARKER = "oom-doctor-journalctl-exit:";

function integer(value: number, name: string): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number, got ${value}`);
  return String(value);
}

/**
 * Kernel, kubelet and container runtime entries of one window as JSON lines. The node sends at most one
 * byte more than allowed, so that the reader can tell a cut answer from one that fit exactly.
 */
export function windowCommand(window: JournalWindow, limits: CommandLimits): string {
  const since = integer(window.sinceEpoch, "since");
  const until = integer(window.untilEpoch, "until");
  const timeout = integer(limits.timeoutSeconds, "timeout");
  return `${PROGRAM} window ${since} ${until} ${timeout} ${integer(limits.maxOutputBytes, "cap")}`;
}

/** The journal's oldest entry: tells a rotated or vacuumed journal from a quiet window. */
export function oldestEntryCommand(limits: CommandLimits): string {
  return `${PROGRAM} oldest ${integer(limits.timeoutSeconds, "timeout")}`;
}

/** Kernel entries from `sinceEpoch` on as JSON lines, capped like a window: a node's first sweep. */
export function kernelSinceCommand(sinceEpoch: number, limits: CommandLimits): string {
  const since = integer(sinceEpoch, "since");
  const timeout = integer(limits.timeoutSeconds, "timeout");
  return `${PROGRAM} kernel-since ${since} ${timeout} ${integer(limits.maxOutputBytes, "cap")}`;
}

/**
 * Kernel entries from the one `cursor` names on (that entry first, while the journal still holds it),
 * capped like a window. The cursor was stored by an earlier sweep but is checked all the same.
 */
export function kernelFromCommand(cursor: string, limits: CommandLimits): string {
  if (!isJournalCursor(cursor))
    throw new RangeError(`not a journald cursor: ${JSON.stringify(cursor.slice(0, 200))}`);
  const timeout = integer(limits.timeoutSeconds, "timeout");
  return `${PROGRAM} kernel-from ${cursor} ${timeout} ${integer(limits.maxOutputBytes, "cap")}`;
}
