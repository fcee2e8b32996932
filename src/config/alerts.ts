// The `alerts` section: whether and how the cluster is watched, and the routes declared for installs
// that keep their subscriptions in configuration rather than in Slack.

import { SEVERITIES } from "../alerts/model.js";
import { parseQuietHours } from "../alerts/quiet.js";
import { isSlackChannelId } from "../analysis/names.js";
import { isTimeZone } from "../analysis/time-zone.js";
import type { Json, Reader } from "./reader.js";
import type { AlertRoute, AlertsConfig } from "./schema.js";

// A namespace name, or a pattern of one with `*` standing for any run of characters.
const NAMESPACE_PATTERN = /^(all|[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?)$/;
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function route(read: Reader, value: unknown, path: string): AlertRoute | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    read.problems.push(`${path}: expected a mapping with namespaces and channel`);
    return null;
  }
  const entry = value as Json;
  for (const key of Object.keys(entry))
    if (!["namespaces", "channel", "minSeverity", "quiet", "tz"].includes(key))
      read.problems.push(`${path}.${key}: unknown key (known: namespaces, channel, minSeverity, quiet, tz)`);
  const namespaces = read.string(entry, "namespaces", `${path}.namespaces`, null);
  const channel = read.string(entry, "channel", `${path}.channel`, null);
  const quietText = read.string(entry, "quiet", `${path}.quiet`, null);
  const tz = read.string(entry, "tz", `${path}.tz`, "UTC");
  const minSeverity = read.oneOf(entry, "minSeverity", `${path}.minSeverity`, SEVERITIES, "info");
  let valid = true;
  const problem = (text: string) => {
    read.problems.push(text);
    valid = false;
  };
  if (namespaces === null || !NAMESPACE_PATTERN.test(namespaces))
    problem(`${path}.namespaces: a namespace, a pattern such as prod-*, or all`);
  if (channel === null || !isSlackChannelId(channel))
    problem(`${path}.channel: a Slack channel id such as C0123ABCD`);
  const quiet = quietText === null ? null : parseQuietHours(quietText);
  if (quietText !== null && quiet === null)
    problem(`${path}.quiet: a range of local times such as 22:00-07:00`);
  if (!isTimeZone(tz)) problem(`${path}.tz: an IANA time zone such as Asia/Shanghai or UTC`);
  return valid ? { namespaces: namespaces ?? "", channel: channel ?? "", minSeverity, quiet, tz } : null;
}

const ALERTS_KEYS = [
  "enabled",
  "cluster",
  "routes",
  "sweepMinutes",
  "batchSeconds",
  "maxNewThreads",
  "nodeStormKills",
  "maxSubscriptions",
  "catchUpMinutes",
];

export function alertsConfig(read: Reader, root: Json): AlertsConfig {
  const alerts = read.section(root, "alerts", "alerts");
  for (const key of Object.keys(alerts))
    if (!ALERTS_KEYS.includes(key))
      read.problems.push(`alerts.${key}: unknown key (known: ${ALERTS_KEYS.join(", ")})`);
  const cluster = read.string(alerts, "cluster", "alerts.cluster", "default");
  if (!CLUSTER_NAME.test(cluster))
    read.problems.push("alerts.cluster: lower-case letters, digits and -, as a DNS label");
  const listed = alerts.routes ?? [];
  if (!Array.isArray(listed)) read.problems.push("alerts.routes: expected a list of routes");
  const routes = (Array.isArray(listed) ? listed : [])
    .map((value, index) => route(read, value, `alerts.routes[${index}]`))
    .filter((entry): entry is AlertRoute => entry !== null);
  return {
    enabled: read.boolean(alerts, "enabled", "alerts.enabled", true),
    cluster,
    routes,
    sweepMinutes: read.integer(alerts, "sweepMinutes", "alerts.sweepMinutes", 5, 1, 1440),
    batchSeconds: read.integer(alerts, "batchSeconds", "alerts.batchSeconds", 1, 0, 60),
    maxNewThreads: read.integer(alerts, "maxNewThreads", "alerts.maxNewThreads", 5, 1, 100),
    nodeStormKills: read.integer(alerts, "nodeStormKills", "alerts.nodeStormKills", 3, 2, 1000),
    maxSubscriptions: read.integer(alerts, "maxSubscriptions", "alerts.maxSubscriptions", 200, 1, 10_000),
    catchUpMinutes: read.integer(alerts, "catchUpMinutes", "alerts.catchUpMinutes", 10, 0, 1440),
  };
}
