// Bot processes for the benchmarks: the built CLI in a process of its own, as it runs in production.

import { type ChildProcess, spawn } from "node:child_process";

/** Starts `node <args>` and resolves once it says which port it listens on. */
export function startListening(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const port = /listening on port (\d+)/.exec(err)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

/** Stops it with SIGTERM, as Kubernetes would, and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
