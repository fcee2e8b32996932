// A real Prometheus (Debian's `prometheus` package) on a free loopback port, its TSDB made from generated
// series: written as OpenMetrics text, turned into blocks by `promtool tsdb create-blocks-from
// openmetrics`, answered by the real PromQL engine. And a loopback server in front of it that records
// what clients send and, when told to, answers with an error or not at all.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Tls } from "./tls.js";

/** One series to store: a metric, its labels, and [epoch milliseconds, value] samples. */
export interface GeneratedSeries {
  metric: string;
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

const escapeLabel = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

/** One series' samples as OpenMetrics lines, oldest first, timestamps in seconds. */
export function seriesLines({ metric, labels, samples }: GeneratedSeries): string {
  const set = Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(",");
  return [...samples]
    .sort((a, b) => a[0] - b[0])
    .map(([ms, value]) => `${metric}{${set}} ${value} ${ms / 1000}\n`)
    .join("");
}

/** The series as OpenMetrics text: one gauge family per metric, `# EOF` last. */
export function openMetricsText(series: readonly GeneratedSeries[]): string {
  const families = new Map<string, GeneratedSeries[]>();
  for (const each of series) families.set(each.metric, [...(families.get(each.metric) ?? []), each]);
  const parts: string[] = [];
  for (const [metric, members] of families)
    parts.push(`# TYPE ${metric} gauge\n`, ...members.map(seriesLines));
  parts.push("# EOF\n");
  return parts.join("");
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

export interface OwnPrometheusOptions {
  /**
   * How far back an evaluation looks for a sample (`--query.lookback-delta`, Prometheus' default 5m).
   * Backfilled blocks carry no staleness markers, so a series that stops (a container killed) goes on
   * for this long in answers; shorter than the samples' interval, each point is exactly one sample.
   */
  lookbackDelta?: string;
}

export class OwnPrometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stores the series, starts Prometheus on them and resolves once it is ready for queries. */
  static start(
    series: readonly GeneratedSeries[],
    options: OwnPrometheusOptions = {},
  ): Promise<OwnPrometheus> {
    return OwnPrometheus.startFrom((input) => writeFileSync(input, openMetricsText(series)), options);
  }

  /**
   * The same, for series too many to hold as one text: `write` writes the OpenMetrics file at the path
   * it is given (see seriesLines).
   */
  static async startFrom(
    write: (input: string) => void | Promise<void>,
    options: OwnPrometheusOptions = {},
  ): Promise<OwnPrometheus> {
    const dir = mkdtempSync(join(tmpdir(), "oomdoctor-prometheus-"));
    const input = join(dir, "series.om");
    const data = join(dir, "data");
    const config = join(dir, "prometheus.yml");
    await write(input);
    writeFileSync(config, "scrape_configs: []\n");
    // Blocks of up to ten days: promtool reads its input once per block, so days of samples in
    // two-hour blocks (its default) take twenty times as long.
    await promisify(execFile)("promtool", [
      "tsdb",
      "create-blocks-from",
      "openmetrics",
      "--max-block-duration=240h",
      input,
      data,
    ]);
    const port = await freePort();
    const child = spawn(
      "/usr/bin/prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // The generated samples are from the past: blocks older than retention would be deleted.
        "--storage.tsdb.retention.time=100y",
        `--query.lookback-delta=${options.lookbackDelta ?? "5m"}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const prometheus = new OwnPrometheus(child, dir, port);
    try {
      await prometheus.ready();
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  /** Resolves when the log says it serves, and /-/ready agrees; rejects if it exits first. */
  private async ready(): Promise<void> {
    const { child } = this;
    await new Promise<void>((resolve, reject) => {
      let log = "";
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (!log.includes("Server is ready to receive web requests")) return;
        child.stderr?.off("data", onData);
        child.off("exit", onExit);
        // Later log lines flow on, unread.
        child.stderr?.resume();
        resolve();
      };
      const onExit = () => reject(new Error(`prometheus exited before it was ready:\n${log}`));
      child.stderr?.on("data", onData);
      child.once("exit", onExit);
    });
    const answer = await fetch(`${this.url}/-/ready`);
    if (answer.status !== 200) throw new Error(`prometheus /-/ready answered ${answer.status}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      await once(this.child, "exit");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the front server does with the next requests. */
export type FrontBehaviour =
  | { kind: "proxy" }
  | { kind: "answer"; status: number; body: string; contentType: string }
  /** Takes the request and never answers: a server too slow for any timeout. */
  | { kind: "silent" }
  /** Sends the status and the start of a body, then nothing more. */
  | { kind: "stalls-mid-answer" };

export interface FrontRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server (HTTPS when given a certificate) in front of a Prometheus. */
export class FrontServer {
  behaviour: FrontBehaviour = { kind: "proxy" };
  readonly requests: FrontRequest[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    readonly url: string,
  ) {}

  static async start(target: string, tls: Tls | null = null): Promise<FrontServer> {
    let front: FrontServer | null = null;
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      void front?.handle(request, response);
    };
    const server =
      tls === null
        ? createHttpServer(listener)
        : createHttpsServer({ key: tls.key, cert: tls.cert }, listener);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    front = new FrontServer(server, target, `${tls === null ? "http" : "https"}://127.0.0.1:${port}`);
    return front;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const path = request.url ?? "/";
    this.requests.push({ method, path, headers: request.headers, body });
    const behaviour = this.behaviour;
    if (behaviour.kind === "silent") return;
    if (behaviour.kind === "stalls-mid-answer") {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"status":"success","data":{"resultType":"matrix","result":[');
      return;
    }
    if (behaviour.kind === "answer") {
      response.writeHead(behaviour.status, { "content-type": behaviour.contentType });
      response.end(behaviour.body);
      return;
    }
    const upstream = httpRequest(
      `${this.target}${path}`,
      { method, headers: { "content-type": request.headers["content-type"] ?? "" } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    upstream.end(body);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}
