// The one place that speaks to a server of the Prometheus HTTP API (Prometheus, Thanos, Mimir, Cortex,
// VictoriaMetrics): range queries sent as a form-encoded POST, as Grafana sends them, so that a query
// naming many pods fits where a URL would not. Every failure comes back as a value, within the timeout.

import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { PrometheusConfig } from "../config/schema.js";
import { type AppError, fail, ok, type Result } from "../errors.js";
import type { Series } from "../history/model.js";
import type { MetricsSource, RangeQuery } from "../history/ports.js";
import { type HttpAnswer, readRangeAnswer } from "./answer.js";

// A workload's few containers over days at a minute's step is a few MiB; far more is a runaway answer.
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

// Node's codes for a certificate not trusted, and for a TLS handshake that failed (an https:// URL
// pointing at a plain HTTP port): settings to fix, not a server to wait for.
const TLS_FAILURE = /CERT|SIGNATURE|^ERR_SSL_/;

function networkError(where: string, cause: unknown): AppError {
  const { code, message } = cause as { code?: string; message?: string };
  const reason = code ?? message ?? String(cause);
  if (code !== undefined && TLS_FAILURE.test(code))
    return {
      kind: "metrics-error",
      message: `${where}: the TLS connection failed (${reason})`,
      hint: "check the scheme of prometheus.url, and set prometheus.caFile to the authority that signed its certificate",
    };
  return {
    kind: "metrics-unreachable",
    message: `${where} cannot be reached (${reason})`,
    hint: "check prometheus.url and that oom-doctor may connect to it (network policy, firewall)",
  };
}

function authorization(config: PrometheusConfig): Record<string, string> {
  if (config.bearerToken !== null) return { authorization: `Bearer ${config.bearerToken}` };
  const basic = config.basicAuth;
  if (basic?.password == null) return {};
  const pair = Buffer.from(`${basic.username}:${basic.password}`, "utf8").toString("base64");
  return { authorization: `Basic ${pair}` };
}

/** Seconds since the epoch, to the millisecond, as the API takes times. */
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export class PrometheusSource implements MetricsSource {
  private readonly endpoint: URL;
  private readonly where: string;

  constructor(private readonly config: PrometheusConfig) {
    this.endpoint = new URL(`${config.url}/api/v1/query_range`);
    this.where = `Prometheus at ${config.url}`;
  }

  async range(query: RangeQuery): Promise<Result<Series[]>> {
    const form = new URLSearchParams({
      query: query.query,
      start: seconds(query.startMs),
      end: seconds(query.endMs),
      step: String(query.stepSeconds),
      // The server may stop evaluating when oom-doctor stops waiting.
      timeout: `${this.config.timeoutSeconds}s`,
    });
    const answer = await this.post(form.toString());
    return answer.ok ? readRangeAnswer(answer.value, this.where) : answer;
  }

  private post(body: string): Promise<Result<HttpAnswer>> {
    const { config, endpoint, where } = this;
    const signal = AbortSignal.timeout(config.timeoutSeconds * 1000);
    const options: RequestOptions = {
      method: "POST",
      signal,
      headers: {
        ...config.headers,
        ...authorization(config),
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": Buffer.byteLength(body),
        "user-agent": "oom-doctor",
      },
      ...(config.ca === null ? {} : { ca: config.ca }),
    };
    const send = endpoint.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: Result<HttpAnswer>) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const onAbort = () =>
        settle(
          fail(
            "timeout",
            `${where} did not answer within ${config.timeoutSeconds} s`,
            "raise prometheus.timeoutSeconds, or lower history.days",
          ),
        );
      signal.addEventListener("abort", onAbort);
      const request = send(endpoint, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
          else {
            settle(fail("metrics-error", `${where} answered more than ${MAX_ANSWER_BYTES} bytes`));
            request.destroy();
          }
        });
        const cut = () => fail<HttpAnswer>("metrics-unreachable", `${where} broke off its answer`);
        response.on("error", () => settle(cut()));
        response.on("close", () => {
          if (!response.complete) settle(cut());
        });
        response.on("end", () =>
          settle(
            ok({
              status: response.statusCode ?? 0,
              contentType: response.headers["content-type"] ?? "",
              body: Buffer.concat(chunks).toString("utf8"),
              location: response.headers.location ?? null,
            }),
          ),
        );
      });
      request.on("error", (error) => settle({ ok: false, error: networkError(where, error) }));
      request.end(body);
    });
  }
}
