// What a server of the Prometheus HTTP API answered to a range query, turned into series or an error
// value. Servers differ in what they put around errors (Prometheus, Thanos, Mimir, VictoriaMetrics, a
// proxy in front of any of them), so only the documented envelope is relied on, and a body that is not
// that envelope is quoted, cut short, in the message.

import { fail, ok, type Result } from "../errors.js";
import type { Series } from "../history/model.js";

/** An HTTP answer as it came: status, content type and body text. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The Location header of a redirect. */
  location: string | null;
}

interface Envelope {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

const QUOTED_CHARACTERS = 200;

function quoted(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  return JSON.stringify(text.length > QUOTED_CHARACTERS ? `${text.slice(0, QUOTED_CHARACTERS)}…` : text);
}

function envelope(body: string): Envelope | null {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Envelope) : null;
  } catch {
    return null;
  }
}

/** The server's own words for an error: the envelope's `error`, or the body quoted. */
function serverSays(body: string): string {
  const error = envelope(body)?.error;
  return typeof error === "string" && error !== "" ? error : quoted(body);
}

/** One `[seconds, "value"]` pair as milliseconds and a number; null for NaN, ±Inf and malformed pairs. */
function point(pair: unknown): [number, number] | null {
  if (!Array.isArray(pair) || pair.length !== 2) return null;
  const [seconds, text] = pair as [unknown, unknown];
  if (typeof seconds !== "number" || typeof text !== "string") return null;
  const value = Number(text);
  return Number.isFinite(seconds) && Number.isFinite(value) && text.trim() !== ""
    ? [Math.round(seconds * 1000), value]
    : null;
}

function series(item: unknown): Series | null {
  if (item === null || typeof item !== "object") return null;
  const { metric, values } = item as { metric?: unknown; values?: unknown };
  if (metric === null || typeof metric !== "object" || Array.isArray(metric)) return null;
  const labels = Object.fromEntries(
    Object.entries(metric).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
  // A series of native histograms only has `histograms`, no `values`: nothing to read for memory.
  const points = (Array.isArray(values) ? values : [])
    .map(point)
    .filter((entry): entry is [number, number] => entry !== null);
  return { labels, points };
}

function matrix({ body, contentType }: HttpAnswer, where: string): Result<Series[]> {
  const answer = envelope(body);
  if (answer === null)
    return fail(
      "metrics-error",
      `${where} answered ${contentType || "something"} that is not JSON: ${quoted(body)}`,
      "check that prometheus.url is the base of the Prometheus HTTP API (for Mimir, it ends in /prometheus)",
    );
  if (answer.status !== "success") return fail("metrics-error", `${where}: ${serverSays(body)}`);
  const result = answer.data?.result;
  if (answer.data?.resultType !== "matrix" || !Array.isArray(result))
    return fail("metrics-error", `${where} answered a range query without a matrix: ${quoted(body)}`);
  const all = result.map(series);
  if (all.some((entry) => entry === null))
    return fail("metrics-error", `${where} answered a matrix with malformed series: ${quoted(body)}`);
  return ok((all as Series[]).filter((entry) => entry.points.length > 0));
}

/** Turns a range query's HTTP answer into series (empty ones left out) or an error value. */
export function readRangeAnswer(answer: HttpAnswer, where: string): Result<Series[]> {
  const { status, body } = answer;
  if (status === 200) return matrix(answer, where);
  if (status === 401 || status === 403)
    return fail(
      "metrics-refused",
      `${where} refused the request (${status}): ${serverSays(body)}`,
      status === 401
        ? "check prometheus.bearerTokenFile or prometheus.basicAuth"
        : "check what the credentials may read (and prometheus.headers, e.g. X-Scope-OrgID for a tenant)",
    );
  if (status === 400 || status === 422)
    return fail("metrics-error", `${where} (${status}): ${serverSays(body)}`);
  // Prometheus answers 503 with errorType "timeout" when its own query timeout ends the evaluation.
  if (status === 503 && envelope(body)?.errorType === "timeout")
    return fail("timeout", `${where} gave up on the query (503): ${serverSays(body)}`);
  if (status >= 500 || status === 429)
    return fail("metrics-unreachable", `${where} is not answering queries (${status}): ${serverSays(body)}`);
  if (status >= 300 && status < 400)
    return fail(
      "metrics-error",
      `${where} redirected the query (${status}) to ${answer.location ?? "nowhere"}`,
      "set prometheus.url to where the API really is",
    );
  if (status === 404)
    return fail(
      "metrics-error",
      `${where}: no Prometheus HTTP API there (404)`,
      "check prometheus.url (for Mimir, it ends in /prometheus)",
    );
  return fail("metrics-error", `${where} answered ${status}: ${serverSays(body)}`);
}
