// Exact restart accounting from snapshots. A pod's restartCount only grows while the pod lives, and
// is gone with it: so each snapshot records, per container (pod UID + name), how far the count moved
// since the previous one. Summed over snapshots, that is exact even when pods are replaced or
// deleted, to the snapshot interval. Pure: snapshots in, restart events out.

import type { ContainerCase } from "../analysis/pod.js";

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
}

export const containerKey = (container: ContainerCase) =>
  `${container.podUid ?? `${container.namespace}/${container.pod}`}/${container.container}`;

export const workloadName = (container: ContainerCase) =>
  `${container.workload.kind}/${container.workload.name}`;

/**
 * Compares one container with what the previous snapshot saw. A container never seen before counts
 * its restarts only if its pod was created after the previous snapshot (they all happened since);
 * otherwise its count is the baseline.
 */
export function observe(
  container: ContainerCase,
  previous: Seen | undefined,
  previousSnapshotMs: number | null,
  nowMs: number,
): { seen: Seen; event: RestartEvent | null } {
  const finished = container.lastTermination?.finishedAt;
  const lastFinishedMs = finished ? Date.parse(finished) : null;
  const seen = { restartCount: container.restartCount, lastFinishedMs };
  const created = container.podCreatedAt ? Date.parse(container.podCreatedAt) : Number.NaN;
  const newSince = previousSnapshotMs !== null && Number.isFinite(created) && created > previousSnapshotMs;
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
  return {
    seen,
    event: {
      atMs: nowMs,
      namespace: container.namespace,
      pod: container.podUid ?? `${container.namespace}/${container.pod}`,
      workload: workloadName(container),
      restarts,
      oomKills: newKill ? 1 : 0,
      reason,
    },
  };
}
