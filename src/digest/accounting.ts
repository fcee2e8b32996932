// Exact restart accounting from snapshots. A pod's restartCount only grows while the pod lives, and
// is gone with it: so each snapshot records, per container (pod UID + name), how far the count moved
// since the previous one. Summed over snapshots, that is exact even when pods are replaced or
// deleted, to the snapshot interval. A scope's first snapshot has nothing to compare with: it counts
// the last terminations of the day before it, a lower bound. Pure: snapshots in, restart events out.

import { type ContainerCase, finishedMs } from "../analysis/pod.js";
import { workloadName } from "../analysis/workload-key.js";

/** How far back a scope's first snapshot counts terminations: a digest's day. */
export const FIRST_SNAPSHOT_LOOKBACK_MS = 86_400_000;

/** What a snapshot remembers of a container, to compare the next one with. */
export interface Seen {
  restartCount: number;
  /** The last termination's finishedAt, epoch ms, so an OOM kill is counted once. */
  lastFinishedMs: number | null;
}

/** Restarts seen between two snapshots. */
export interface RestartEvent {
  atMs: number;
  namespace: string;
  /** The pod (its UID), for counting the pods affected. */
  pod: string;
  /** Kind/Name of the workload. */
  workload: string;
  restarts: number;
  oomKills: number;
  /** The last termination's reason: OOMKilled, Error, ... */
  reason: string | null;
  /**
   * Counted by a scope's first snapshot from the container's last termination alone: there were at
   * least this many. Absent in events stored before the flag existed, which were exact.
   */
  lowerBound?: boolean;
}

export const containerKey = (container: ContainerCase) =>
  `${container.podUid ?? `${container.namespace}/${container.pod}`}/${container.container}`;

function restartEvent(
  container: ContainerCase,
  atMs: number,
  restarts: number,
  oomKills: number,
): RestartEvent {
  return {
    atMs,
    namespace: container.namespace,
    pod: container.podUid ?? `${container.namespace}/${container.pod}`,
    workload: workloadName(container.workload),
    restarts,
    oomKills,
    reason: container.lastTermination?.reason ?? null,
  };
}

/**
 * A container on a scope's first snapshot: its count is the baseline, and all that shows of the day
 * before is its last termination. One that finished in that day is one restart (and one OOM kill if
 * it was), at the time it finished: fewer than there may have been, so marked as a lower bound.
 */
function firstSight(
  container: ContainerCase,
  lastFinishedMs: number | null,
  nowMs: number,
): RestartEvent | null {
  if (container.restartCount === 0 || lastFinishedMs === null) return null;
  if (lastFinishedMs > nowMs || lastFinishedMs <= nowMs - FIRST_SNAPSHOT_LOOKBACK_MS) return null;
  const oomKills = container.lastTermination?.reason === "OOMKilled" ? 1 : 0;
  return { ...restartEvent(container, lastFinishedMs, 1, oomKills), lowerBound: true };
}

/**
 * Compares one container with what the previous snapshot saw. A container never seen before counts
 * its restarts only if its pod was created after the previous snapshot (they all happened since);
 * otherwise its count is the baseline. On a scope's first snapshot, see `firstSight`.
 */
export function observe(
  container: ContainerCase,
  previous: Seen | undefined,
  previousSnapshotMs: number | null,
  nowMs: number,
): { seen: Seen; event: RestartEvent | null } {
  const lastFinishedMs = finishedMs(container);
  const seen = { restartCount: container.restartCount, lastFinishedMs };
  if (previousSnapshotMs === null) return { seen, event: firstSight(container, lastFinishedMs, nowMs) };
  const created = container.podCreatedAt ? Date.parse(container.podCreatedAt) : Number.NaN;
  const newSince = Number.isFinite(created) && created > previousSnapshotMs;
  const from = previous ? previous.restartCount : newSince ? 0 : container.restartCount;
  // A count that went down belongs to a recreated container with the same key: count it afresh.
  const restarts = container.restartCount >= from ? container.restartCount - from : container.restartCount;
  if (restarts === 0) return { seen, event: null };
  const reason = container.lastTermination?.reason ?? null;
  const newKill =
    reason === "OOMKilled" &&
    lastFinishedMs !== null &&
    (previous?.lastFinishedMs === undefined ||
      previous.lastFinishedMs === null ||
      lastFinishedMs > previous.lastFinishedMs);
  return { seen, event: restartEvent(container, nowMs, restarts, newKill ? 1 : 0) };
}
