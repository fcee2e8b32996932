// A Redis server of the test's own, on a free loopback port, persisting to an append-only file in a
// temporary directory: it can be killed and started again with its data, which the shared Redis on
// 6379 must never be.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTls } from "./tls.js";

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

export interface OwnRedisOptions {
  /** More redis-server options, each word its own item: ["--requirepass", "secret"]. */
  args?: string[];
  /** Also listen with TLS on a port of its own, with a certificate for 127.0.0.1 from a throwaway CA. */
  tls?: boolean;
}

export class OwnRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly args: string[],
    /** The TLS port, if it has one; its CA certificate is `caFile`. */
    readonly tlsPort: number | null,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const dir = mkdtempSync(join(tmpdir(), "oomdoctor-redis-"));
    const tlsPort = options.tls ? await freePort() : null;
    if (options.tls) makeTls(dir);
    const tlsArgs =
      tlsPort === null
        ? []
        : [
            ...["--tls-port", String(tlsPort), "--tls-auth-clients", "no"],
            ...["--tls-cert-file", join(dir, "server.crt"), "--tls-key-file", join(dir, "server.key")],
            ...["--tls-ca-cert-file", join(dir, "ca.crt")],
          ];
    const redis = new OwnRedis(await freePort(), dir, [...tlsArgs, ...(options.args ?? [])], tlsPort);
    await redis.launch();
    return redis;
  }

  /** The certificate authority the TLS port's certificate comes from. */
  get caFile(): string {
    return join(this.dir, "ca.crt");
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
        ...this.args,
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
