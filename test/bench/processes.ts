// Bot processes for the benchmarks: the built CLI in a process of its own, as it runs in production.

import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { untilEvent } from "../harness/until.js";

export interface ListeningProcess {
  child: ChildProcess;
  url: string;
  /** Resolves once the process has logged a line that matches; fails if it exits first. */
  logged(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `node <args>` and resolves once it says which port it listens on. */
export function startListening(args: string[], env: Record<string, string>): Promise<ListeningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const output = new EventEmitter();
    let err = "";
    const logged = (pattern: RegExp, timeoutMs = 60_000) =>
      untilEvent(
        output,
        "data",
        () => {
          if (pattern.test(err)) return true;
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${err}`);
          return false;
        },
        () => `${pattern} in the output of ${args.join(" ")}`,
        timeoutMs,
      ).then(() => undefined);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      output.emit("data");
      const port = /listening on port (\d+)/.exec(err)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}`, logged });
    });
    child.on("exit", (code) => {
      output.emit("data");
      reject(new Error(`exited ${code}: ${err}`));
    });
  });
}

/** Stops it with SIGTERM, as Kubernetes would, and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
