// The only commands oom-doctor runs on a node. They are built from validated integers and a command
// prefix checked against a safe alphabet at start-up (src/config/load.ts): nothing from the cluster or
// from users is ever interpolated.

import type { JournalWindow } from "../analysis/windows.js";

export interface CommandLimits {
  timeoutSeconds: number;
  maxOutputBytes: number;
  sudo: boolean;
}

/** Kernel messages, plus the kubelet and every container runtime's unit (`+` is journalctl's OR). */
const MATCHES = [
  "_TRANSPORT=kernel",
  "+ _SYSTEMD_UNIT=kubelet.service",
  "+ _SYSTEMD_UNIT=containerd.service",
  "+ _SYSTEMD_UNIT=docker.service",
  "+ _SYSTEMD_UNIT=crio.service",
].join(" ");

/** Says how journalctl ended, on stderr, so that a timeout is told apart from an empty window. */
export const EXIT_MARKER = "oom-doctor-journalctl-exit:";

function integer(value: number, name: string): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number, got ${value}`);
  return String(value);
}

function prefix(journalCommand: string, limits: CommandLimits): string {
  const timeout = `timeout ${integer(limits.timeoutSeconds, "timeout")}`;
  return `${limits.sudo ? "sudo -n " : ""}env LC_ALL=C ${timeout} ${journalCommand}`;
}

/**
 * Reads one window as JSON lines. `head -c` caps the bytes at one more than allowed, so that the reader
 * can tell a cut answer from one that fit exactly.
 */
export function windowCommand(journalCommand: string, window: JournalWindow, limits: CommandLimits): string {
  const since = integer(window.sinceEpoch, "since");
  const until = integer(window.untilEpoch, "until");
  const cap = integer(limits.maxOutputBytes + 1, "cap");
  const read = `${prefix(journalCommand, limits)} -o json --no-pager -q --since @${since} --until @${until} ${MATCHES}`;
  return `{ ${read}; echo "${EXIT_MARKER}$?" >&2; } | head -c ${cap}`;
}

/** The journal's oldest entry: tells a rotated or vacuumed journal from a quiet window. */
export function oldestEntryCommand(journalCommand: string, limits: CommandLimits): string {
  return `${prefix(journalCommand, limits)} -o json --no-pager -q | head -n 1`;
}
