// The kills no restart shows: the kernel killed a process inside a pod's container, and the container
// kept running (a worker of gunicorn or php-fpm, a postgres backend, a `kubectl exec` shell). Kubernetes
// notices only when a container's main process dies, so the node's journal is the only witness.
// Pure: kernel OOM events of one node and its pods as listed after them in, child-process kills out.

import { containerIdsMatch } from "../analysis/cgroup-path.js";
import { residentBytes } from "../analysis/diagnose.js";
import type { OomEvent } from "../analysis/oom-event.js";
import { type ContainerCase, readPods } from "../analysis/pod.js";
import { workloadName } from "../analysis/workload-key.js";
import type { Kill } from "./model.js";

export interface SilentKillInput {
  cluster: string;
  node: string;
  /** The node's kernel OOM events, as `parseJournal` reads a sweep's `journalctl -o json` lines. */
  events: readonly OomEvent[];
  /** The node's pods, listed after the events were written. */
  pods: readonly unknown[];
}

// A container that stopped within this long of a kill whose cgroup names only the pod may be the one
// the kill stopped: the kubelet's and the kernel's clocks differ by seconds, not minutes.
const SAME_KILL_MS = 120_000;

/** When the kernel wrote the report. A sweep reads `journalctl -o json`, whose entries all carry it. */
const eventMs = (event: OomEvent): number | null =>
  event.time.kind === "instant" ? event.time.epochMs : null;

const finishedNear = (container: ContainerCase, atMs: number): boolean => {
  const finished = Date.parse(container.lastTermination?.finishedAt ?? "");
  return Number.isFinite(finished) && Math.abs(finished - atMs) <= SAME_KILL_MS;
};

/**
 * The container the victim ran in, when the kill left it running: the cgroup names a container of the
 * pod that still runs under that very id, or names only the pod, all of whose containers run and none
 * of which stopped about then. null when the kill stopped a container (the watch reports that one).
 */
function survivor(
  event: OomEvent,
  atMs: number,
  cases: ContainerCase[],
): { pod: ContainerCase[]; container: ContainerCase | null } | null {
  const cgroup = event.taskCgroup;
  const pod = cases.filter((c) => c.podUid !== null && c.podUid === cgroup?.podUid);
  if (!cgroup || pod.length === 0) return null;
  if (cgroup.containerId !== null) {
    const kernelId = cgroup.containerId;
    const running = pod.find(
      (c) =>
        c.running &&
        c.currentContainerId !== null &&
        containerIdsMatch(kernelId, cgroup.containerIdIsPrefix, c.currentContainerId),
    );
    return running ? { pod, container: running } : null;
  }
  if (!cgroup.podLevel) return null;
  const quiet = pod.filter((c) => !c.init).every((c) => c.running && !finishedNear(c, atMs));
  return quiet ? { pod, container: null } : null;
}

function silentKill(event: OomEvent, input: SilentKillInput, cases: ContainerCase[]): Kill | null {
  const victim = event.victim;
  const atMs = eventMs(event);
  // With memory.oom.group the kernel killed the whole cgroup: its container stopped, and restarts.
  if (victim === null || atMs === null || event.oomGroup !== null) return null;
  const found = survivor(event, atMs, cases);
  const first = found?.pod[0];
  if (!found || !first?.podUid) return null;
  const container = found.container;
  const where = container?.currentContainerId ?? first.podUid;
  return {
    id: `child/${input.node}/${where}/${victim.pid}/${atMs}`,
    kind: "child-process",
    cluster: input.cluster,
    namespace: first.namespace,
    pod: first.pod,
    podUid: first.podUid,
    container: container?.container ?? null,
    node: input.node,
    workload: workloadName(first.workload),
    at: new Date(atMs).toISOString(),
    message: null,
    process: {
      name: victim.comm,
      pid: victim.pid,
      residentBytes: residentBytes(event),
      limitBytes: event.memcg?.limitBytes ?? container?.memoryLimitBytes ?? null,
    },
  };
}

/**
 * The kernel's OOM kills on a node that left their container running, as `child-process` kills.
 * Kills outside pods, kills that stopped a container, and reports with no victim or no time are left
 * out; the same report read twice gives one kill.
 */
export function silentKills(input: SilentKillInput): Kill[] {
  const read = readPods([...input.pods]);
  const cases = read.ok ? read.cases : [];
  const kills = new Map<string, Kill>();
  for (const event of input.events) {
    const kill = silentKill(event, input, cases);
    if (kill && !kills.has(kill.id)) kills.set(kill.id, kill);
  }
  return [...kills.values()];
}
