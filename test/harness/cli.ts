import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = "";
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in-process with captured output and a fixed clock. */
export async function runCli(
  args: string[],
  options: { tty?: boolean; stderrTty?: boolean; nowMs?: number; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const stdout = new Capture(options.tty ?? false);
  const stderr = new Capture(options.stderrTty ?? false);
  const code = await main(args, {
    stdout,
    stderr,
    env: options.env ?? {},
    now: () => options.nowMs ?? Date.parse("2026-01-01T00:00:00Z"),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
