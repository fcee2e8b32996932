// A bot worker as a child process running the CLI (`oom-doctor worker`), for tests that kill it.

import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { untilEvent } from "./until.js";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Emits "output" at each chunk it prints, and at its exit. */
  events: EventEmitter;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "test/harness/cli-process.ts", "worker"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events = new EventEmitter();
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    events.emit("output");
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", () => events.emit("output"));
  return { child, output: () => output, events };
}

/** Resolves once its output matches; fails if it exits first or takes over a minute. */
export async function printed(worker: WorkerProcess, pattern: RegExp): Promise<void> {
  await untilEvent(
    worker.events,
    "output",
    () => {
      if (pattern.test(worker.output())) return true;
      if (worker.child.exitCode !== null) throw new Error(`the worker exited: ${worker.output()}`);
      return false;
    },
    () => `the worker to print ${pattern}; it printed: ${worker.output()}`,
  );
}

/** Resolves once the worker serves its health endpoints, that is, once it takes jobs. */
export function listening(worker: WorkerProcess): Promise<void> {
  return printed(worker, /listening on port/);
}
