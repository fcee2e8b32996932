// A Redis server of the test's own, on a free loopback port, persisting to an append-only file in a
// temporary directory: it can be killed and started again with its data, which the shared Redis on
// 6379 must never be.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export class OwnRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), "oomdoctor-redis-")));
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills the server as a crash would (SIGKILL): every write it acknowledged is in its AOF. */
  async crash(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGKILL");
    await once(child, "exit");
  }

  /** Starts it again on the same port and directory; resolves once it accepts connections. */
  restart(): Promise<void> {
    return this.launch();
  }

  async stop(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--logfile",
        "",
      ],
      // With --logfile "" everything it says, errors included, is on stdout.
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!/Ready to accept connections/.test(output)) return;
        // Started: the stream goes on flowing (and being discarded) without this listener.
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        resolve();
      };
      const onExit = () => reject(new Error(`redis-server exited: ${output}`));
      child.stdout?.on("data", onData);
      child.once("exit", onExit);
    });
  }
}
