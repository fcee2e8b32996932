// Container memory as cAdvisor would have reported it, simulated: a run's memory every 15 s (a level
// plus noise in proportion to it), scraped every minute, killed at the first tick that reaches the
// limit, which no scrape need have seen. Written as the working-set and RSS series a real Prometheus
// stores (test/harness/prometheus.ts), with the pod's cgroup and pause container beside them.

import { gaussian, type Random } from "../bench/history-generator.js";
import type { GeneratedSeries } from "./prometheus.js";

export const MI = 2 ** 20;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
const SCRAPE_MS = MINUTE_MS;
const TICK_MS = 15_000;

export interface RunSpec {
  pod: string;
  container: string;
  /** The container instance's cgroup: cAdvisor's `id` label, new at each restart. */
  id: string;
  startMs: number;
  /** Where the run is simulated to, unless it reaches the limit before. */
  untilMs: number;
  /** The memory held `elapsedMs` into the run, before noise. */
  level: (elapsedMs: number) => number;
  /** The noise's standard deviation as a share of the level. */
  noiseFraction: number;
  /** The run is killed at the first tick at or above this; null: never. */
  limitBytes: number | null;
  /** Spans without scrapes (a slow target, a restarted Prometheus). */
  gaps?: Array<{ fromMs: number; toMs: number }>;
}

export interface SimulatedRun {
  spec: RunSpec;
  /** The scrapes, on whole minutes, oldest first. */
  points: Array<[number, number]>;
  /** When memory reached the limit, if it did before `untilMs`. */
  killMs: number | null;
}

export function simulateRun(random: Random, spec: RunSpec): SimulatedRun {
  const points: Array<[number, number]> = [];
  const inGap = (ms: number) => (spec.gaps ?? []).some((gap) => ms >= gap.fromMs && ms < gap.toMs);
  const firstTick = Math.ceil(spec.startMs / TICK_MS) * TICK_MS;
  for (let ms = firstTick; ms <= spec.untilMs; ms += TICK_MS) {
    const level = spec.level(ms - spec.startMs);
    const bytes = Math.max(0, Math.round(level * (1 + spec.noiseFraction * gaussian(random))));
    if (spec.limitBytes !== null && bytes >= spec.limitBytes) return { spec, points, killMs: ms };
    if (ms % SCRAPE_MS === 0 && !inGap(ms)) points.push([ms, bytes]);
  }
  return { spec, points, killMs: null };
}

/** A leak: from `startBytes`, growing by `bytesPerHour`. */
export const leaking = (startBytes: number, bytesPerHour: number) => (elapsedMs: number) =>
  startBytes + (bytesPerHour * elapsedMs) / HOUR_MS;

/** Flat at `bytes`, after a warm-up of a few minutes from a third of it. */
export const flat = (bytes: number) => (elapsedMs: number) =>
  bytes * Math.min(1, 1 / 3 + (2 / 3) * (elapsedMs / (5 * MINUTE_MS)));

/** Flat at `bytes`, then from `atMs` into the run a rise to `toBytes` within two minutes. */
export const spiking = (bytes: number, atMs: number, toBytes: number) => (elapsedMs: number) =>
  elapsedMs < atMs
    ? flat(bytes)(elapsedMs)
    : bytes + (toBytes - bytes) * Math.min(1, (elapsedMs - atMs) / (2 * MINUTE_MS));

/** RSS as a share of the working set: the page cache a working set counts and RSS does not. */
export const RSS_FRACTION = 0.85;

/**
 * The runs' working-set and RSS series; and for each pod, its cgroup's and pause container's series,
 * which queries must leave out.
 */
export function cadvisorSeries(namespace: string, runs: readonly SimulatedRun[]): GeneratedSeries[] {
  const node = { job: "kubelet", metrics_path: "/metrics/cadvisor", instance: "10.0.0.4:10250" };
  const series: GeneratedSeries[] = [];
  const pods = new Map<string, Array<[number, number]>>();
  for (const { spec, points } of runs) {
    if (points.length === 0) continue;
    const labels = { ...node, namespace, pod: spec.pod, container: spec.container, id: spec.id };
    series.push(
      { metric: "container_memory_working_set_bytes", labels, samples: points },
      {
        metric: "container_memory_rss",
        labels,
        samples: points.map(([ms, bytes]) => [ms, Math.round(bytes * RSS_FRACTION)]),
      },
    );
    pods.set(spec.pod, [...(pods.get(spec.pod) ?? []), ...points]);
  }
  for (const [pod, points] of pods) {
    const labels = { ...node, namespace, pod };
    const samples = points.map(([ms, bytes]): [number, number] => [ms, bytes + 4 * MI]);
    series.push(
      {
        metric: "container_memory_working_set_bytes",
        labels: { ...labels, container: "", id: `/kubepods/burstable/pod-${pod}` },
        samples,
      },
      {
        metric: "container_memory_working_set_bytes",
        labels: { ...labels, container: "POD", id: `/kubepods/burstable/pod-${pod}/pause` },
        samples: samples.map(([ms]) => [ms, MI]),
      },
    );
  }
  return series;
}
