// What a node's journal wrapper answered to a request for JSON lines: the lines, whether they were cut
// (by the byte cap or the time limit), or why there are none. The wrapper ends stderr with
// journalctl's exit status, so that a timeout or a journal the user may not read is told from an
// empty answer.

import { fail, ok, type Result } from "../errors.js";
import type { CappedOutput } from "./capped-exec.js";
import { EXIT_MARKER } from "./command.js";

export interface JournalLines {
  bytes: Buffer;
  /** Cut by the byte cap or the time limit: more entries were there to read. */
  truncated: boolean;
}

// `timeout` exits 124 when it stopped the command; 141 is SIGPIPE, when `head -c` closed the pipe.
const TIMED_OUT = 124;
const PIPE_CLOSED = 141;
const WRAPPER_HINT = "is deploy/node/oom-doctor-journal forced for the key in the node's authorized_keys?";

export function journalLines(node: string, output: Result<CappedOutput>): Result<JournalLines> {
  if (!output.ok) return fail(output.error.kind, `${node}: ${output.error.message}`, output.error.hint);
  const { stdout, stderr, cut } = output.value;
  if (cut) return ok({ bytes: stdout, truncated: true });
  const exit = new RegExp(`${EXIT_MARKER}(\\d+)`).exec(stderr)?.[1];
  if (exit === undefined && stdout.length === 0) {
    const reason = stderr.trim().split("\n").slice(-1)[0] || "no output";
    return fail("ssh-error", `${node}: the journal command failed (${reason})`, WRAPPER_HINT);
  }
  if (
    exit !== undefined &&
    exit !== "0" &&
    Number(exit) !== TIMED_OUT &&
    Number(exit) !== PIPE_CLOSED &&
    stdout.length === 0
  ) {
    const reason = stderr.replace(new RegExp(`${EXIT_MARKER}\\d+`), "").trim() || `exit ${exit}`;
    return fail(
      "ssh-error",
      `${node}: journalctl failed (${reason})`,
      "can the node user read the journal: in the systemd-journal group, or the wrapper run through sudo?",
    );
  }
  return ok({ bytes: stdout, truncated: Number(exit) === TIMED_OUT });
}
