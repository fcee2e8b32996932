import type { Writable } from "node:stream";

/** What an entry point may touch of its process: passed in so tests can run commands in-process. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** The clock, for defaults that depend on "now". */
  now: () => number;
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
