// The seed incident's memory history, as Prometheus would hold it: the three pods of
// systembusiness-deployment (limit 1000Mi) over the days before their kills. hx5lt leaks steadily
// for the 63 hours its last run lasted, to its kill at 04:10:20, and leaks again since its restart
// (when it reaches the limit next is the truth a prediction is held to); 6m4gx sits flat, restarts,
// and jumps past its limit within two minutes; qfh5x sits flat just under its limit, with a gap in
// its scrapes; a pod of the previous ReplicaSet, replaced since, ran flat until a rollout. Beside them,
// what a query must leave out: the pods' cgroups and pause containers, and a canary whose name starts
// like the workload's.

import { seeded } from "../bench/history-generator.js";
import {
  cadvisorSeries,
  flat,
  HOUR_MS,
  leaking,
  MI,
  MINUTE_MS,
  type RunSpec,
  type SimulatedRun,
  simulateRun,
  spiking,
} from "./container-memory.js";
import type { GeneratedSeries } from "./prometheus.js";

const SEED_NAMESPACE = "production";
export const SEED_CONTAINER = "systembusiness";
const SEED_LIMIT_BYTES = 1000 * MI;
export const seedPod = (suffix: string) => `systembusiness-deployment-5c6969978b-${suffix}`;
/** A pod of the ReplicaSet before the current one, deleted at the rollout. */
export const REPLACED_POD = "systembusiness-deployment-7f9d8c6b45-w7x2k";

/** The kills, as the pods' last terminations date them. */
export const SEED_KILLS = {
  hx5lt: Date.parse("2021-07-12T04:10:20Z"),
  "6m4gx": Date.parse("2021-07-12T01:52:48Z"),
  qfh5x: Date.parse("2021-07-12T03:26:11Z"),
};
const HX5LT_STARTED = Date.parse("2021-07-09T12:44:31Z");
const ROLLOUT = Date.parse("2021-07-09T12:40:00Z");
const HISTORY_START = Date.parse("2021-07-04T00:00:00Z");

/** The leak: from 180 MiB at 12.7 MiB/h, it nears the limit 63 hours after a restart. */
const LEAK_START_BYTES = 180 * MI;
export const LEAK_BYTES_PER_HOUR = 12.7 * MI;
const LEAK_NOISE = 0.002;
/** A gap in qfh5x's scrapes: 25 minutes, an hour and a half before its kill. */
const QFH5X_GAP = {
  fromMs: SEED_KILLS.qfh5x - 90 * MINUTE_MS,
  toMs: SEED_KILLS.qfh5x - 65 * MINUTE_MS,
};

const cgroup = (pod: string, instance: string) => `/kubepods/burstable/pod-${pod}/docker-${instance}`;

export interface SeedHistory {
  /** What Prometheus holds at `nowMs`. */
  series: GeneratedSeries[];
  /** The workload container's runs, up to `nowMs`: what a history of it should be made of. */
  runs: SimulatedRun[];
  /** When hx5lt's leak since its restart really reaches the limit. */
  nextKillMs: number;
}

/** The seed's history as Prometheus holds it at `nowMs` (after the kills); the same on every call. */
export function seedHistory(nowMs: number): SeedHistory {
  const random = seeded(20210712);
  const run = (spec: Omit<RunSpec, "container" | "limitBytes"> & { limitBytes?: number | null }) =>
    simulateRun(random, { container: SEED_CONTAINER, limitBytes: null, ...spec });
  const hx5lt = seedPod("hx5lt");
  const m4gx = seedPod("6m4gx");
  const qfh5x = seedPod("qfh5x");
  const leak = leaking(LEAK_START_BYTES, LEAK_BYTES_PER_HOUR);
  const runs = [
    run({
      pod: REPLACED_POD,
      id: cgroup(REPLACED_POD, "r1"),
      startMs: HISTORY_START,
      untilMs: ROLLOUT,
      level: flat(450 * MI),
      noiseFraction: 0.02,
    }),
    run({
      pod: hx5lt,
      id: cgroup(hx5lt, "h1"),
      startMs: HX5LT_STARTED,
      untilMs: SEED_KILLS.hx5lt,
      level: leak,
      noiseFraction: LEAK_NOISE,
    }),
    run({
      pod: m4gx,
      id: cgroup(m4gx, "m1"),
      startMs: ROLLOUT + 2 * MINUTE_MS,
      untilMs: Date.parse("2021-07-11T21:37:05Z"),
      level: flat(420 * MI),
      noiseFraction: 0.02,
    }),
    run({
      pod: m4gx,
      id: cgroup(m4gx, "m2"),
      startMs: Date.parse("2021-07-11T21:37:05Z"),
      untilMs: SEED_KILLS["6m4gx"],
      level: spiking(420 * MI, SEED_KILLS["6m4gx"] - 138_000 - Date.parse("2021-07-11T21:37:05Z"), 1100 * MI),
      noiseFraction: 0.02,
    }),
    run({
      pod: m4gx,
      id: cgroup(m4gx, "m3"),
      startMs: SEED_KILLS["6m4gx"],
      untilMs: nowMs,
      level: flat(420 * MI),
      noiseFraction: 0.02,
    }),
    run({
      pod: qfh5x,
      id: cgroup(qfh5x, "q1"),
      startMs: ROLLOUT + 3 * MINUTE_MS,
      untilMs: Date.parse("2021-07-11T23:58:40Z"),
      level: flat(950 * MI),
      noiseFraction: 0.006,
    }),
    run({
      pod: qfh5x,
      id: cgroup(qfh5x, "q2"),
      startMs: Date.parse("2021-07-11T23:58:40Z"),
      untilMs: SEED_KILLS.qfh5x,
      level: flat(950 * MI),
      noiseFraction: 0.006,
      gaps: [QFH5X_GAP],
    }),
    run({
      pod: qfh5x,
      id: cgroup(qfh5x, "q3"),
      startMs: SEED_KILLS.qfh5x,
      untilMs: nowMs,
      level: flat(950 * MI),
      noiseFraction: 0.006,
    }),
  ];
  // hx5lt since its restart, simulated on to the limit: its scrapes up to now are stored.
  const current = run({
    pod: hx5lt,
    id: cgroup(hx5lt, "h2"),
    startMs: SEED_KILLS.hx5lt,
    untilMs: SEED_KILLS.hx5lt + 5 * 24 * HOUR_MS,
    level: leak,
    noiseFraction: LEAK_NOISE,
    limitBytes: SEED_LIMIT_BYTES,
  });
  if (current.killMs === null || current.killMs <= nowMs)
    throw new Error("the seed's leak must reach its limit after now");
  const canaryPod = "systembusiness-deployment-canary-6d8f7b9c5-xk2p4";
  const canary = run({
    pod: canaryPod,
    id: cgroup(canaryPod, "c1"),
    startMs: HISTORY_START,
    untilMs: nowMs,
    level: flat(2000 * MI),
    noiseFraction: 0.01,
  });
  const upToNow = { ...current, points: current.points.filter(([ms]) => ms <= nowMs) };
  return {
    series: [
      ...cadvisorSeries(SEED_NAMESPACE, [...runs, upToNow]),
      ...cadvisorSeries(SEED_NAMESPACE, [canary]),
    ],
    runs: [...runs, upToNow],
    nextKillMs: current.killMs,
  };
}
