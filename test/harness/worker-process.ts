// A bot worker as a child process running the CLI (`oom-doctor worker`), for tests that kill it.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "test/harness/cli-process.ts", "worker"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => output };
}

/** Resolves once the worker serves its health endpoints, that is, once it takes jobs. */
export async function listening(worker: WorkerProcess): Promise<void> {
  while (!/listening on port/.test(worker.output())) {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited: ${worker.output()}`);
    await once(worker.child.stderr ?? worker.child, "data");
  }
}

/** Resolves once its output matches. */
export async function printed(worker: WorkerProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(worker.output())) await once(worker.child.stderr ?? worker.child, "data");
}
