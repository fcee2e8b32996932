// The PromQL that reads a workload's container memory, and the spans and steps it is read over. Pure:
// times come in as arguments.
//
// A server's cost grows with the points it returns, so the history is read at two resolutions:
// - the figures over `history.days` (percentiles, maximum) from one coarse query of the working set,
//   the peak within each step (`max_over_time` over exactly one step) at `COARSE_STEP_SECONDS`: evenly
//   spaced, so every hour weighs alike, and since each point is the highest sample of its step, no peak
//   falls between two points: p99 and the maximum are not understated (the lower percentiles lean a
//   little towards each step's peak, on the side of a safe size);
// - the detail at `history.stepSeconds` only where it is needed (see fineSpans): the picture's hours
//   before each kill (a spike rises within minutes of its kill, a leak's run is fitted over hours) and
//   the hours since the latest kill (the run going now, for the prediction). Working set and RSS are
//   read there; RSS is only drawn, so its peak (`rssMax`) is over those hours.
// mergeSeries lays the detail over the coarse series, so a run older than the picture keeps its
// coarse samples.

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

/** The coarse step: ten minutes, a tenth of the points of a minute's scrape (five minutes cost the bench's scan 1.43x, ten 1.35x). */
export const COARSE_STEP_SECONDS = 600;

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
  return `max by (namespace, pod, container, id) (${seriesSelector(metric, selector)})`;
}

/**
 * memoryQuery's series, each point the highest sample within the `stepSeconds` before it: read at
 * that step, every sample counts in exactly one point, so a peak between two points is never lost.
 */
export function peakMemoryQuery(metric: string, selector: ContainerSelector, stepSeconds: number): string {
  return `max by (namespace, pod, container, id) (max_over_time(${seriesSelector(metric, selector)}[${stepSeconds}s]))`;
}

function seriesSelector(metric: string, selector: ContainerSelector): string {
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
  return `${metric}{${matchers.join(", ")}}`;
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
 * The coarse span: `days` before the latest kill (the figures), and the picture's hours before every
 * kill; it runs on to now (the container since its last restart), but no more than `days` past the
 * latest kill. Without kills, the `days` before now. Read at `COARSE_STEP_SECONDS` (or the step the
 * point limit needs, if more), or at `history.stepSeconds` if that is coarser still.
 */
export function historySpan(killsMs: readonly number[], nowMs: number, options: HistoryOptions): Span {
  const latest = killsMs.length === 0 ? nowMs : Math.max(...killsMs);
  const earliest = killsMs.length === 0 ? nowMs : Math.min(...killsMs);
  const startMs = Math.min(latest - options.days * DAY_MS, earliest - options.hoursBeforeKill * HOUR_MS);
  const endMs = Math.max(latest, Math.min(nowMs, latest + options.days * DAY_MS));
  const coarse = Math.max(COARSE_STEP_SECONDS, options.stepSeconds);
  return { startMs, endMs, stepSeconds: stepWithinLimit(endMs - startMs, coarse) };
}

/**
 * Where detail is read, at `history.stepSeconds`: the picture's hours before each kill, and the last
 * `hoursBeforeKill` of the coarse span (the run going now, for the prediction). Spans less than
 * `hoursBeforeKill` apart are joined, so a kill an hour ago is read in detail up to now: a query costs
 * more than the few hours between them. Oldest first.
 */
export function fineSpans(killsMs: readonly number[], nowMs: number, options: HistoryOptions): Span[] {
  const hoursMs = options.hoursBeforeKill * HOUR_MS;
  const coarse = historySpan(killsMs, nowMs, options);
  const endMs = coarse.endMs;
  // On the coarse span's grid of steps: each read then samples at the same instants, whatever the
  // server's look-back (one shorter than the scrape interval sees only samples just before a step).
  const stepMs = options.stepSeconds * 1000;
  const onGrid = (ms: number) =>
    Math.max(coarse.startMs, coarse.startMs + Math.floor((ms - coarse.startMs) / stepMs) * stepMs);
  const wanted = [...pictureWindows(killsMs, options.hoursBeforeKill), { startMs: endMs - hoursMs, endMs }]
    .map((window) => ({ startMs: onGrid(window.startMs), endMs: window.endMs }))
    .sort((a, b) => a.startMs - b.startMs);
  const joined: Array<{ startMs: number; endMs: number }> = [];
  for (const window of wanted) {
    const last = joined.at(-1);
    if (last !== undefined && window.startMs - last.endMs < hoursMs)
      last.endMs = Math.max(last.endMs, window.endMs);
    else joined.push({ ...window });
  }
  return joined.map((span) => ({
    ...span,
    stepSeconds: stepWithinLimit(span.endMs - span.startMs, options.stepSeconds),
  }));
}
