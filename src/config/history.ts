// The `prometheus` and `history` sections: where memory history comes from and how much of it is read.
// Secrets stay in files (a mounted Secret); `readPrometheusFiles` reads them once, at start-up.

import { readFile } from "node:fs/promises";
import { fileError } from "../errors.js";
import type { Json, Reader } from "./reader.js";
import type { HistoryConfig, PrometheusConfig } from "./schema.js";

const PROMETHEUS_KEYS = ["url", "bearerTokenFile", "basicAuth", "caFile", "headers", "timeoutSeconds"];
const BASIC_AUTH_KEYS = ["username", "passwordFile"];
const HISTORY_KEYS = ["days", "hoursBeforeKill", "stepSeconds"];

// An HTTP field name (RFC 9110 token) and a value without control characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const isHeaderValue = (text: string) =>
  [...text].every((char) => char === "\t" || (char >= " " && char !== "\u007f"));
// Set by the client itself, or secret: a secret in `headers` would be shown by `config --show`.
const RESERVED_HEADERS: Record<string, string> = {
  authorization: "use bearerTokenFile or basicAuth, whose secrets stay in files",
  host: "set by the client from prometheus.url",
  "content-type": "set by the client",
  "content-length": "set by the client",
  "transfer-encoding": "set by the client",
  connection: "set by the client",
};

function unknownKeys(read: Reader, section: Json, path: string, known: string[]): void {
  for (const key of Object.keys(section))
    if (!known.includes(key)) read.problems.push(`${path}.${key}: unknown key (known: ${known.join(", ")})`);
}

function serverUrl(read: Reader, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    read.problems.push(`prometheus.url: not a URL: ${JSON.stringify(text)}`);
    return text;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    read.problems.push(`prometheus.url: expected http:// or https://, got ${url.protocol}`);
  if (url.username !== "" || url.password !== "")
    read.problems.push("prometheus.url: credentials in the URL would be logged; use basicAuth");
  if (url.search !== "" || url.hash !== "")
    read.problems.push("prometheus.url: the server's base URL, without ?query or #fragment");
  return text.replace(/\/+$/, "");
}

function headers(read: Reader, prometheus: Json): Record<string, string> {
  const listed = read.section(prometheus, "headers", "prometheus.headers");
  const valid: Record<string, string> = {};
  for (const [name, value] of Object.entries(listed)) {
    const path = `prometheus.headers.${name}`;
    const reserved = RESERVED_HEADERS[name.toLowerCase()];
    if (!HEADER_NAME.test(name)) read.problems.push(`${path}: not an HTTP header name`);
    else if (reserved !== undefined) read.problems.push(`${path}: not allowed here (${reserved})`);
    else if (typeof value !== "string" || !isHeaderValue(value))
      read.problems.push(`${path}: expected a string without line breaks, got ${JSON.stringify(value)}`);
    else valid[name] = value;
  }
  return valid;
}

function basicAuth(read: Reader, prometheus: Json): PrometheusConfig["basicAuth"] {
  if (prometheus.basicAuth === undefined || prometheus.basicAuth === null) return null;
  const section = read.section(prometheus, "basicAuth", "prometheus.basicAuth");
  unknownKeys(read, section, "prometheus.basicAuth", BASIC_AUTH_KEYS);
  const username = read.string(section, "username", "prometheus.basicAuth.username", null);
  const passwordFile = read.string(section, "passwordFile", "prometheus.basicAuth.passwordFile", null);
  if (username === null) read.problems.push("prometheus.basicAuth.username: not set");
  if (passwordFile === null)
    read.problems.push("prometheus.basicAuth.passwordFile: not set (the password is read from a file)");
  return { username: username ?? "", passwordFile: passwordFile ?? "", password: null };
}

/** The `prometheus` section; null when it sets no URL (history off). Secrets are not read yet. */
export function prometheusConfig(read: Reader, root: Json): PrometheusConfig | null {
  const prometheus = read.section(root, "prometheus", "prometheus");
  unknownKeys(read, prometheus, "prometheus", PROMETHEUS_KEYS);
  const urlText = read.string(prometheus, "url", "prometheus.url", null);
  if (urlText === null) {
    const others = Object.keys(prometheus).filter((key) => key !== "url");
    if (others.length > 0)
      read.problems.push(`prometheus.url: not set, but prometheus.${others.join(", prometheus.")} is`);
    return null;
  }
  const url = serverUrl(read, urlText);
  const bearerTokenFile = read.string(prometheus, "bearerTokenFile", "prometheus.bearerTokenFile", null);
  const auth = basicAuth(read, prometheus);
  if (bearerTokenFile !== null && auth !== null)
    read.problems.push("prometheus.bearerTokenFile, prometheus.basicAuth: set one of them, not both");
  const caFile = read.string(prometheus, "caFile", "prometheus.caFile", null);
  if (caFile !== null && url.startsWith("http:"))
    read.problems.push("prometheus.caFile: set, but prometheus.url is http://, not https://");
  return {
    url,
    bearerTokenFile,
    bearerToken: null,
    basicAuth: auth,
    caFile,
    ca: null,
    headers: headers(read, prometheus),
    timeoutSeconds: read.integer(prometheus, "timeoutSeconds", "prometheus.timeoutSeconds", 10, 1, 300),
  };
}

export function historyConfig(read: Reader, root: Json): HistoryConfig {
  const history = read.section(root, "history", "history");
  unknownKeys(read, history, "history", HISTORY_KEYS);
  return {
    days: read.integer(history, "days", "history.days", 7, 1, 365),
    hoursBeforeKill: read.integer(history, "hoursBeforeKill", "history.hoursBeforeKill", 6, 1, 168),
    stepSeconds: read.integer(history, "stepSeconds", "history.stepSeconds", 60, 1, 3600),
  };
}

/** A file's content, problems named by the key that names the file. */
async function fileText(key: string, path: string, problems: string[]): Promise<string | null> {
  try {
    // Secrets mounted from Kubernetes often end in a newline that is not part of them.
    const text = (await readFile(path, "utf8")).trim();
    if (text !== "") return text;
    problems.push(`${key}: ${path} is empty`);
  } catch (error) {
    problems.push(`${key}: ${fileError(path, error).message}`);
  }
  return null;
}

/** Reads the token, password and CA the configuration names; each problem names its key. */
export async function readPrometheusFiles(
  prometheus: PrometheusConfig,
): Promise<{ prometheus: PrometheusConfig; problems: string[] }> {
  const problems: string[] = [];
  const { bearerTokenFile, basicAuth, caFile } = prometheus;
  const [bearerToken, password, ca] = await Promise.all([
    bearerTokenFile === null ? null : fileText("prometheus.bearerTokenFile", bearerTokenFile, problems),
    basicAuth === null
      ? null
      : fileText("prometheus.basicAuth.passwordFile", basicAuth.passwordFile, problems),
    caFile === null ? null : fileText("prometheus.caFile", caFile, problems),
  ]);
  if (ca !== null && !ca.includes("-----BEGIN CERTIFICATE-----"))
    problems.push(`prometheus.caFile: ${caFile} holds no PEM certificate`);
  return {
    prometheus: {
      ...prometheus,
      bearerToken,
      basicAuth: basicAuth === null ? null : { ...basicAuth, password },
      ca,
    },
    problems,
  };
}
