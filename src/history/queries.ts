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
  podNames: string[];
  /** An RE2 pattern for the names the workload's controller gives pods, replaced ones too. */
  podPattern?: string | null;
}

const escapeRe2 = (text: string) => text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

// The suffixes controllers add to a pod's name: a ReplicaSet's 5 characters from the alphabet
// "bcdfghjklmnpqrstvwxz2456789", a Deployment's template hash before them, a StatefulSet's ordinal, a
// CronJob's scheduled time in minutes before its Job's suffix.
const SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}";
const POD_NAMES: Record<string, (name: string) => string> = {
  Deployment: (name) => `${name}-[bcdfghjklmnpqrstvwxz2456789]{1,10}-${SUFFIX}`,
  ReplicaSet: (name) => `${name}-${SUFFIX}`,
  DaemonSet: (name) => `${name}-${SUFFIX}`,
  Job: (name) => `${name}-${SUFFIX}`,
  CronJob: (name) => `${name}-[0-9]{8,10}-${SUFFIX}`,
  StatefulSet: (name) => `${name}-[0-9]+`,
};

/** The names a workload's controller gives its pods, as a pattern; null for a bare pod or an unknown kind. */
export function podNamePattern(workload: { kind: string; name: string }): string | null {
  return POD_NAMES[workload.kind]?.(escapeRe2(workload.name)) ?? null;
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
  return [...new Set(names)].sort().map(escapeRe2).join("|");
}

/**
 * One metric of the selected containers, a series per container instance: `id` (the cgroup) tells a
 * restarted container's series from its predecessor's, and `max` merges the copies that a second scrape
 * of the same kubelet (or replicas behind Thanos or Mimir) would add. Naming the container excludes
 * cAdvisor's pod-level (`container=""`) and pause (`container="POD"`) series.
 */
export function memoryQuery(metric: string, selector: ContainerSelector): string {
  const matchers = [
    `namespace=${promqlString(selector.namespace)}`,
    `pod=~${promqlString(selector.podPattern ? `${exactNames(selector.podNames)}|${selector.podPattern}` : exactNames(selector.podNames))}`,
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
