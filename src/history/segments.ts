// A workload's series cut into runs: the samples of one container instance, from its start to its
// end. A run ends where the container restarted (memory fell to a fraction of what it held, or a kill
// came) and a replaced pod's containers are runs of their own, so a run ended by a kill shows what
// led to it and the latest run shows where memory stands now.

import type { Series } from "./model.js";

const MINUTE_MS = 60_000;

/**
 * A restart shows as memory falling below this share of the sample before, and staying there at the
 * next sample: a new process starts from its binary and first allocations, while a running one seldom
 * hands back half its memory within one scrape, and a dip that comes straight back is noise.
 */
export const RESTART_DROP_FRACTION = 0.5;
/** ... and by at least this much: containers of a few MiB halve and double without restarting. */
export const RESTART_MIN_DROP_BYTES = 8 * 2 ** 20;
/**
 * A kill and the end of the run it ended may lie this far apart, or two of the run's sample intervals
 * if that is more (a range query over days may step by minutes): a scrape or two may be missed, and
 * the kernel's clock and Prometheus's may differ a little.
 */
export const KILL_MATCH_TOLERANCE_MS = 5 * MINUTE_MS;
/** A run is current when its last sample is this close to the end of the queried span. */
export const CURRENT_RUN_FRESHNESS_MS = 10 * MINUTE_MS;

/** The samples of one container instance, oldest first. */
export interface ContainerRun {
  pod: string;
  container: string;
  points: Array<[number, number]>;
}

/** A kill of one container, as the kernel's report or the pod's last termination dates it. */
export interface ContainerKill {
  pod: string;
  container: string;
  atMs: number;
  /** What the cgroup held at the kill (the memcg usage in the kernel's report), when known. */
  bytes?: number | null;
}

/**
 * Whether a series is a container's own: cAdvisor also reports the pod's cgroup (`container=""`) and
 * its pause container (`container="POD"`), which are not what a limit applies to.
 */
export function isContainerSeries(series: Series): boolean {
  const container = series.labels.container;
  return (
    series.labels.pod !== undefined && container !== undefined && container !== "" && container !== "POD"
  );
}

const startOf = (run: ContainerRun) => (run.points[0] as [number, number])[0];
const endOf = (run: ContainerRun) => (run.points.at(-1) as [number, number])[0];
const sameContainer = (run: ContainerRun, kill: { pod: string; container: string }) =>
  run.pod === kill.pod && run.container === kill.container;

/** How far from a kill a run may end and still be the run the kill ended. */
function killTolerance(run: ContainerRun): number {
  const meanIntervalMs = run.points.length < 2 ? 0 : (endOf(run) - startOf(run)) / (run.points.length - 1);
  return Math.max(KILL_MATCH_TOLERANCE_MS, 2 * meanIntervalMs);
}
const endsAt = (run: ContainerRun, kill: ContainerKill) =>
  sameContainer(run, kill) && Math.abs(endOf(run) - kill.atMs) <= killTolerance(run);

function isDrop(before: number, after: number): boolean {
  return after < before * RESTART_DROP_FRACTION && before - after >= RESTART_MIN_DROP_BYTES;
}

function splitAtDrops(series: Series): ContainerRun[] {
  const pod = series.labels.pod ?? "";
  const container = series.labels.container ?? "";
  const runs: ContainerRun[] = [];
  let points: Array<[number, number]> = [];
  series.points.forEach((point, index) => {
    const before = points.at(-1)?.[1];
    const next = series.points[index + 1]?.[1];
    if (before !== undefined && isDrop(before, point[1]) && (next === undefined || isDrop(before, next))) {
      runs.push({ pod, container, points });
      points = [];
    }
    points.push(point);
  });
  if (points.length > 0) runs.push({ pod, container, points });
  return runs;
}

/** A kill with no run ending near it restarted the container at the same level: cut the run there. */
function cutAtKill(runs: ContainerRun[], kill: ContainerKill): ContainerRun[] {
  if (runs.some((run) => endsAt(run, kill))) return runs;
  return runs.flatMap((run) => {
    if (!sameContainer(run, kill) || startOf(run) > kill.atMs || endOf(run) <= kill.atMs) return [run];
    const before = run.points.filter(([ms]) => ms <= kill.atMs);
    const after = run.points.filter(([ms]) => ms > kill.atMs);
    return [
      { ...run, points: before },
      { ...run, points: after },
    ];
  });
}

function byContainerThenStart(a: ContainerRun, b: ContainerRun): number {
  return a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container) || startOf(a) - startOf(b);
}

/**
 * Cuts a workload's series into runs, one per container instance: at each restart the samples show,
 * and at each kill they do not. Series of the pod's cgroup and pause container are left out. Runs come
 * grouped by pod and container, oldest first.
 */
export function splitRuns(series: readonly Series[], kills: readonly ContainerKill[] = []): ContainerRun[] {
  let runs = series.filter(isContainerSeries).flatMap(splitAtDrops);
  for (const kill of kills) runs = cutAtKill(runs, kill);
  return runs.sort(byContainerThenStart);
}

/** The run a kill ended: that container's run whose last sample lies nearest the kill, if near enough. */
export function runEndedByKill(runs: readonly ContainerRun[], kill: ContainerKill): ContainerRun | null {
  let nearest: ContainerRun | null = null;
  for (const run of runs) {
    if (!endsAt(run, kill)) continue;
    if (nearest === null || Math.abs(endOf(run) - kill.atMs) < Math.abs(endOf(nearest) - kill.atMs))
      nearest = run;
  }
  return nearest;
}

/**
 * Each container's latest run, if it was still going at `endMs` (the end of the queried span) and no
 * kill ended it since.
 */
export function currentRuns(
  runs: readonly ContainerRun[],
  endMs: number,
  kills: readonly ContainerKill[] = [],
): ContainerRun[] {
  const latest = new Map<string, ContainerRun>();
  for (const run of runs) {
    const key = `${run.pod}\u0000${run.container}`;
    const seen = latest.get(key);
    if (seen === undefined || startOf(run) > startOf(seen)) latest.set(key, run);
  }
  const endedByKill = (run: ContainerRun) => kills.some((kill) => endsAt(run, kill));
  return [...latest.values()].filter(
    (run) => endMs - endOf(run) <= CURRENT_RUN_FRESHNESS_MS && !endedByKill(run),
  );
}
