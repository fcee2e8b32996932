// The PromQL that reads a workload's container memory, and the span and step it is read over. Pure:
// times come in as arguments.

/** cAdvisor's figures as the kubelet exposes them: what the kernel weighs against the limit, and RSS. */
export const WORKING_SET = "container_memory_working_set_bytes";
export const RSS = "container_memory_rss";

/** Prometheus (and Thanos, Mimir) refuse a range query of more points than this per series. */
export const MAX_POINTS_PER_SERIES = 11_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface HistoryOptions {
  /** Days before the latest kill the figures are taken over. */
  days: number;
  /** Hours before each kill the picture shows. */
  hoursBeforeKill: number;
  /** The step asked for; raised when the span would need too many points. */
  stepSeconds: number;
}

/** Which containers: one container name, in the workload's pods (replaced ones included). */
export interface ContainerSelector {
  namespace: string;
  container: string;
  /** The pods the cluster lists now. */
  podNames: string[];
  /** The workload, whose controller names the pods it replaced too (see podNamePattern). */
  workload?: { kind: string; name: string } | null;
}

export interface Span {
  startMs: number;
  endMs: number;
  stepSeconds: number;
}

/** A PromQL string literal: inside double quotes, a backslash starts an escape, as in Go. */
export function promqlString(value: string): string {
  const escaped = value
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
  return `"${escaped}"`;
}

/** An RE2 pattern matching exactly these names (PromQL anchors every label regex at both ends). */
export function exactNames(names: readonly string[]): string {
  const unique = [...new Set(names)].sort();
  return unique.map((name) => name.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")).join("|");
}

/**
 * The letters Kubernetes draws generated name suffixes and pod-template hashes from (no vowels, no 0, 1
 * or 3, so that they never spell words): a pod of another workload whose name merely starts alike,
 * `web-api-…` beside `web-…`, does not fit.
 */
const GENERATED = "[bcdfghjklmnpqrstvwxz2456789]";

/**
 * The names a workload's controller gives its pods, as RE2: what finds the pods it has replaced since
 * (a rollout, an eviction), which the cluster no longer lists. Null for a kind that names no pods (a
 * bare pod). A name cut to 58 characters before its suffix (a very long workload name) does not fit;
 * the pods listed now are named exactly beside it.
 */
export function podNamePattern(workload: { kind: string; name: string }): string | null {
  const name = exactNames([workload.name]);
  switch (workload.kind) {
    case "Deployment":
      return `${name}-${GENERATED}{1,10}-${GENERATED}{5}`;
    case "ReplicaSet":
    case "DaemonSet":
    case "Job":
      return `${name}-${GENERATED}{5}`;
    case "CronJob":
      return `${name}-[0-9]+-${GENERATED}{5}`;
    case "StatefulSet":
      return `${name}-[0-9]+`;
    default:
      return null;
  }
}

/**
 * One metric of the selected containers, a series per container instance, in the pods listed now and
 * those the workload's controller named before: `id` (the cgroup) tells a restarted container's series
 * from its predecessor's, and `max` merges the copies that a second scrape of the same kubelet (or
 * replicas behind Thanos or Mimir) would add. Naming the container excludes cAdvisor's pod-level
 * (`container=""`) and pause (`container="POD"`) series.
 */
export function memoryQuery(metric: string, selector: ContainerSelector): string {
  const generated = selector.workload ? podNamePattern(selector.workload) : null;
  const pods = [
    ...(selector.podNames.length === 0 ? [] : [exactNames(selector.podNames)]),
    ...(generated === null ? [] : [generated]),
  ];
  const matchers = [
    `namespace=${promqlString(selector.namespace)}`,
    `pod=~${promqlString(pods.join("|"))}`,
    `container=${promqlString(selector.container)}`,
  ];
  return `max by (namespace, pod, container, id) (${metric}{${matchers.join(", ")}})`;
}

/** The step asked for, or the smallest whole number of seconds that keeps the span within the limit. */
export function stepWithinLimit(spanMs: number, stepSeconds: number): number {
  return Math.max(stepSeconds, Math.ceil(spanMs / 1000 / MAX_POINTS_PER_SERIES));
}

/** The hours before each kill, oldest first, overlapping windows merged: what the picture shows. */
export function pictureWindows(
  killsMs: readonly number[],
  hoursBeforeKill: number,
): Array<{ startMs: number; endMs: number }> {
  const windows: Array<{ startMs: number; endMs: number }> = [];
  for (const kill of [...killsMs].sort((a, b) => a - b)) {
    const startMs = kill - hoursBeforeKill * HOUR_MS;
    const last = windows.at(-1);
    if (last !== undefined && startMs <= last.endMs) last.endMs = kill;
    else windows.push({ startMs, endMs: kill });
  }
  return windows;
}

/**
 * One span that holds both: `days` before the latest kill (the figures), and the picture's hours before
 * every kill; it runs on to now (the container since its last restart, for a prediction), but no more
 * than `days` past the latest kill. Without kills, the `days` before now. One span at one step keeps
 * the samples evenly spaced, so percentiles weigh every hour alike, and costs one query per metric.
 */
export function historySpan(killsMs: readonly number[], nowMs: number, options: HistoryOptions): Span {
  const latest = killsMs.length === 0 ? nowMs : Math.max(...killsMs);
  const earliest = killsMs.length === 0 ? nowMs : Math.min(...killsMs);
  const startMs = Math.min(latest - options.days * DAY_MS, earliest - options.hoursBeforeKill * HOUR_MS);
  const endMs = Math.max(latest, Math.min(nowMs, latest + options.days * DAY_MS));
  return { startMs, endMs, stepSeconds: stepWithinLimit(endMs - startMs, options.stepSeconds) };
}
