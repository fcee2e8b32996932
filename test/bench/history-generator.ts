// Memory series with known answers: leaks of various slopes and noise (with the instant each was
// really killed), spikes, containers flat at their limit, and ones that wander well below it; strung
// into workloads with restarts, back-off gaps, missing scrapes and replaced pods. Memory is simulated
// every 15 s and scraped less often, so a kill comes at a peak no scrape saw, as in a real cluster.

import type { Pattern, Series } from "../../src/history/model.js";
import type { ContainerKill } from "../../src/history/segments.js";

export type Points = Array<[number, number]>;

const MI = 2 ** 20;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** How often memory is simulated: kills fall between scrapes. */
const TICK_MS = 15_000;

export type Random = () => number;

/** A small seeded generator (mulberry32): the same seed gives the same series on any machine. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const between = (random: Random, low: number, high: number) => low + random() * (high - low);

export function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A run as generated: what Prometheus scraped, and the kill that ended it (null if still going). */
export interface GeneratedRun {
  expected: Pattern;
  limitBytes: number;
  stepMs: number;
  points: Points;
  killMs: number | null;
}

interface Shape {
  /** The memory held `elapsedMs` into the run, before noise. */
  level(elapsedMs: number): number;
  /** The noise's standard deviation as a share of the level: a bigger heap swings by more. */
  noiseFraction: number;
}

/** Simulates a run from `startMs` until memory reaches the limit or `maxMs` has passed. */
function simulate(
  random: Random,
  shape: Shape,
  run: { startMs: number; limitBytes: number; stepMs: number; maxMs: number },
): { points: Points; killMs: number | null } {
  const points: Points = [];
  for (let elapsed = 0; elapsed <= run.maxMs; elapsed += TICK_MS) {
    const level = shape.level(elapsed);
    const bytes = Math.max(0, level * (1 + shape.noiseFraction * gaussian(random)));
    if (bytes >= run.limitBytes) return { points, killMs: run.startMs + elapsed };
    if (elapsed % run.stepMs === 0) points.push([run.startMs + elapsed, Math.round(bytes)]);
  }
  return { points, killMs: null };
}

interface LeakShape {
  startBytes: number;
  slopeBytesPerHour: number;
  noiseFraction: number;
  /** A garbage collector's sawtooth on top: its height as a share of the level, and its period (0 for none). */
  sawtoothFraction: number;
  sawtoothPeriodMs: number;
}

/**
 * A leak's parameters: starting at 10-25 % of the limit, growing by 1-40 % of it an hour, noise of
 * 0.5-4 % of what it holds, half of them with a garbage collector's sawtooth of 3-10 %.
 */
function randomLeakShape(random: Random, limitBytes: number): LeakShape {
  const sawtooth = random() < 0.5;
  return {
    startBytes: limitBytes * between(random, 0.1, 0.25),
    slopeBytesPerHour: limitBytes * between(random, 0.01, 0.4),
    noiseFraction: between(random, 0.005, 0.04),
    sawtoothFraction: sawtooth ? between(random, 0.03, 0.1) : 0,
    sawtoothPeriodMs: between(random, 5, 30) * MINUTE_MS,
  };
}

function leakLevel(leak: LeakShape): Shape {
  return {
    level: (elapsed) => {
      const line = leak.startBytes + (leak.slopeBytesPerHour * elapsed) / HOUR_MS;
      return line * (1 + leak.sawtoothFraction * ((elapsed % leak.sawtoothPeriodMs) / leak.sawtoothPeriodMs));
    },
    noiseFraction: leak.noiseFraction,
  };
}

function leakRun(
  random: Random,
  run: { startMs: number; limitBytes: number; stepMs: number; leak: LeakShape },
): GeneratedRun {
  const { points, killMs } = simulate(random, leakLevel(run.leak), { ...run, maxMs: 14 * 24 * HOUR_MS });
  return { expected: "leak", ...run, points, killMs };
}

/** Steady at a quarter to a half of the limit for hours, then a rise past the limit within minutes. */
function spikeRun(
  random: Random,
  run: { startMs: number; limitBytes: number; stepMs: number },
): GeneratedRun {
  const baseline = run.limitBytes * between(random, 0.25, 0.5);
  const riseAtMs = between(random, 2, 8) * HOUR_MS;
  const riseMs = between(random, 0.5, 4) * MINUTE_MS;
  const shape: Shape = {
    level: (elapsed) =>
      baseline +
      (elapsed < riseAtMs
        ? 0
        : (run.limitBytes * 1.2 - baseline) * Math.min(1, (elapsed - riseAtMs) / riseMs)),
    noiseFraction: between(random, 0.01, 0.04),
  };
  const { points, killMs } = simulate(random, shape, { ...run, maxMs: riseAtMs + riseMs + MINUTE_MS });
  return { expected: "spike", ...run, points, killMs };
}

/**
 * Warmed up within minutes to 92-97 % of the limit and held there for hours, until a burst within a
 * minute reaches it.
 */
function flatRun(random: Random, run: { startMs: number; limitBytes: number; stepMs: number }): GeneratedRun {
  const plateau = run.limitBytes * between(random, 0.92, 0.97);
  const warmUpMs = between(random, 3, 15) * MINUTE_MS;
  const burstAtMs = between(random, 2, 12) * HOUR_MS;
  const burst = run.limitBytes - plateau + run.limitBytes * between(random, 0.02, 0.06);
  const shape: Shape = {
    level: (elapsed) =>
      plateau * Math.min(1, 0.3 + (0.7 * elapsed) / warmUpMs) +
      (elapsed < burstAtMs ? 0 : burst * Math.min(1, (elapsed - burstAtMs) / MINUTE_MS)),
    noiseFraction: between(random, 0.005, 0.012),
  };
  const { points, killMs } = simulate(random, shape, { ...run, maxMs: burstAtMs + 2 * MINUTE_MS });
  return { expected: "undersized", ...run, points, killMs };
}

/** Wandering between a sixth and two thirds of the limit in slow waves: no kill, no pattern. */
function wanderingRun(
  random: Random,
  run: { startMs: number; limitBytes: number; stepMs: number },
): GeneratedRun {
  const low = run.limitBytes * between(random, 0.15, 0.3);
  const swing = run.limitBytes * between(random, 0.2, 0.35);
  const periodMs = between(random, 1, 3) * HOUR_MS;
  const phase = random() * 2 * Math.PI;
  const shape: Shape = {
    level: (elapsed) => low + (swing * (1 + Math.sin(phase + (2 * Math.PI * elapsed) / periodMs))) / 2,
    noiseFraction: between(random, 0.01, 0.04),
  };
  const { points } = simulate(random, shape, { ...run, maxMs: between(random, 3, 10) * HOUR_MS });
  return { expected: "unknown", ...run, points, killMs: null };
}

/** Scrapes lost here and there (a slow target, a restarted Prometheus): 3 to 20 minutes at a time. */
function withMissingScrapes(random: Random, points: Points): Points {
  if (points.length < 60 || random() < 0.5) return points;
  const from = Math.floor(between(random, 0.2, 0.7) * points.length);
  const spanMs = between(random, 3, 20) * MINUTE_MS;
  const fromMs = (points[from] as [number, number])[0];
  return points.filter(([ms]) => ms < fromMs || ms > fromMs + spanMs);
}

/** One container's runs, as a workload's history holds them. */
export interface GeneratedWorkload {
  limitBytes: number;
  /** The runs in order, each with the pod it ran in. */
  runs: Array<GeneratedRun & { pod: string }>;
  series: Series[];
  kills: ContainerKill[];
  /** The end of the span a query would cover: the last kill, or the last scrape of a run still going. */
  endMs: number;
}

export const CONTAINER = "app";

/** One run of the given kind; a workload's leak keeps its shape from run to run. */
function generateRun(
  random: Random,
  kind: Pattern,
  run: { startMs: number; limitBytes: number; stepMs: number; leak: LeakShape },
): GeneratedRun {
  switch (kind) {
    case "leak":
      return leakRun(random, run);
    case "spike":
      return spikeRun(random, run);
    case "undersized":
      return flatRun(random, run);
    case "unknown":
      return wanderingRun(random, run);
  }
}

/**
 * One container's history, its runs of the given kinds in turn (an `unknown` one only last: it is
 * not killed): one limit and scrape step throughout; after each kill a back-off gap of 10 s to 5 min,
 * now and then a replaced pod; scrapes missing inside some runs. Series come either one per pod (as
 * `max by (pod, container)` returns them) or one per container instance (raw cAdvisor, with `id`).
 */
export function workload(
  random: Random,
  kinds: Pattern[],
  startMs = Date.UTC(2024, 5, 1),
): GeneratedWorkload {
  const limitBytes = ([512, 1024, 2048, 4096][Math.floor(random() * 4)] as number) * MI;
  // Scrape steps seen in the field: every 30 s, 1 min or 2 min.
  const stepMs = [30_000, 60_000, 120_000][Math.floor(random() * 3)] as number;
  const leak = randomLeakShape(random, limitBytes);
  const perInstance = random() < 0.5;
  const runs: GeneratedWorkload["runs"] = [];
  let pod = 0;
  let atMs = startMs;
  for (const kind of kinds) {
    const run = generateRun(random, kind, { startMs: atMs, limitBytes, stepMs, leak });
    runs.push({ ...run, points: withMissingScrapes(random, run.points), pod: `web-7d9c5b6f4-${pod}` });
    const endMs = run.killMs ?? (run.points.at(-1) as [number, number])[0];
    // The next run's scrapes fall on the step, as a range query's do.
    atMs = Math.ceil((endMs + between(random, 10_000, 5 * MINUTE_MS)) / stepMs) * stepMs;
    if (random() < 0.25) pod++;
  }
  const labels = (podName: string, id?: number) => ({
    namespace: "shop",
    pod: podName,
    container: CONTAINER,
    ...(id === undefined ? {} : { id: `/kubepods/burstable/pod-${podName}/cri-containerd-${id}` }),
  });
  const series: Series[] = perInstance
    ? runs.map((run, index) => ({ labels: labels(run.pod, index), points: run.points }))
    : [...new Set(runs.map((run) => run.pod))].map((podName) => ({
        labels: labels(podName),
        points: runs.filter((run) => run.pod === podName).flatMap((run) => run.points),
      }));
  // The pod's own cgroup and its pause container, which the rules must leave out.
  const first = runs[0]?.pod ?? "";
  const others: Series[] = [
    { labels: { ...labels(first), container: "POD" }, points: [[startMs, 1 * MI]] },
    { labels: { ...labels(first), container: "" }, points: [[startMs, limitBytes * 2]] },
  ];
  const kills = runs.flatMap((run) =>
    run.killMs === null ? [] : [{ pod: run.pod, container: CONTAINER, atMs: run.killMs }],
  );
  const last = runs.at(-1);
  const endMs = last?.killMs ?? (last?.points.at(-1) as [number, number] | undefined)?.[0] ?? startMs;
  return { limitBytes, runs, series: [...series, ...others], kills, endMs };
}
