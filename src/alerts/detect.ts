// What counts as a new kill in what the cluster watch hands over: a pod (its containers' terminations,
// its eviction) judged against what was seen of each container before, or a SystemOOM node event.
// Pure: the watcher stores the seen entries and queues the kills.

import { type ContainerCase, readPods } from "../analysis/pod.js";
import { workloadName } from "../analysis/workload-key.js";
import type { Kill, KilledProcess, SeenContainer } from "./model.js";

export interface PodKillOptions {
  cluster: string;
  /** When watching began: a termination before it, never seen, is history rather than news. */
  sinceMs: number;
}

export interface PodKills {
  kills: Kill[];
  /** The seen entries that changed, to be recorded. */
  seen: SeenContainer[];
}

const NOTHING: PodKills = { kills: [], seen: [] };

/** The seen key of a pod's container: `podUid/container`. */
export const seenKey = (podUid: string, container: string): string => `${podUid}/${container}`;

/** The seen key of a pod's eviction: the parentheses keep it apart from any container's name. */
export const evictionSeenKey = (podUid: string): string => seenKey(podUid, "(evicted)");

type Json = Record<string, unknown>;

const object = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
const text = (value: unknown): string | null =>
  typeof value === "string" && value.length > 0 ? value : null;
const timeMs = (iso: string | null | undefined): number | null => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
};

/** A container of a pod known by its UID. */
type PodContainer = ContainerCase & { podUid: string };

/** One pod's containers, when it is a pod with a name and a UID; nothing otherwise. */
function containersOf(pod: unknown): PodContainer[] {
  const metadata = object(object(pod).metadata);
  if (text(metadata.name) === null || text(metadata.uid) === null) return [];
  const read = readPods(pod);
  if (!read.ok || read.podCount !== 1) return [];
  return read.cases.filter((c): c is PodContainer => c.podUid !== null);
}

/** The keys `podKills` may read for this pod: the caller fetches them before calling it. */
export function seenKeysOf(pod: unknown): string[] {
  const containers = containersOf(pod);
  const uid = containers[0]?.podUid;
  if (uid === undefined) return [];
  return [...containers.map((c) => seenKey(c.podUid, c.container)), evictionSeenKey(uid)];
}

function killOf(container: PodContainer, cluster: string): Omit<Kill, "id" | "kind" | "at"> {
  return {
    cluster,
    namespace: container.namespace,
    pod: container.pod,
    podUid: container.podUid,
    container: container.container,
    node: container.node,
    workload: workloadName(container.workload),
    message: null,
    process: null,
  };
}

function containerKills(
  containers: PodContainer[],
  seen: ReadonlyMap<string, SeenContainer>,
  options: PodKillOptions,
): PodKills {
  const result: PodKills = { kills: [], seen: [] };
  for (const container of containers) {
    const termination = container.lastTermination;
    const finishedAt = termination?.finishedAt ?? null;
    const finished = timeMs(finishedAt);
    if (finishedAt === null || finished === null) continue;
    const key = seenKey(container.podUid, container.container);
    const before = seen.get(key);
    const same = before?.finishedAt === finishedAt;
    // A stale copy of the pod (an older finishedAt than seen) neither alerts nor moves what was seen back.
    const beforeMs = timeMs(before?.finishedAt);
    if (before && !same && beforeMs !== null && finished <= beforeMs) continue;
    if (!same || before?.restartCount !== container.restartCount)
      result.seen.push({ key, finishedAt, restartCount: container.restartCount });
    // Never seen and finished before watching began: history, not news.
    const news = !same && (before !== undefined || finished >= options.sinceMs);
    if (news && termination?.reason === "OOMKilled")
      result.kills.push({
        id: `oom/${container.podUid}/${container.container}/${finishedAt}`,
        kind: "oom-killed",
        at: finishedAt,
        ...killOf(container, options.cluster),
      });
  }
  return result;
}

/** The kubelet words a memory eviction "The node was low on resource: memory. ...". */
const MEMORY = /\bmemory\b/i;

/**
 * When the kubelet evicted the pod: its containers stop then, so the latest of their terminations;
 * else when the pod's DisruptionTarget or Ready condition last changed.
 */
function evictedAt(pod: unknown, containers: ContainerCase[]): string | null {
  const finished = containers
    .map((c) => c.lastTermination?.finishedAt ?? null)
    .filter((at): at is string => timeMs(at) !== null)
    .sort((a, b) => (timeMs(b) ?? 0) - (timeMs(a) ?? 0));
  if (finished[0] !== undefined) return finished[0];
  const conditions = object(object(pod).status).conditions;
  const list = Array.isArray(conditions) ? conditions.map(object) : [];
  for (const type of ["DisruptionTarget", "Ready"]) {
    const at = text(list.find((condition) => condition.type === type)?.lastTransitionTime);
    if (timeMs(at) !== null) return at;
  }
  return null;
}

function evictionKill(
  pod: unknown,
  containers: PodContainer[],
  seen: ReadonlyMap<string, SeenContainer>,
  options: PodKillOptions,
): PodKills {
  const first = containers[0];
  const eviction = first?.eviction;
  if (!first || !eviction || !MEMORY.test(eviction.message)) return NOTHING;
  const key = evictionSeenKey(first.podUid);
  const at = evictedAt(pod, containers);
  const atMs = timeMs(at);
  if (seen.has(key) || at === null || atMs === null) return NOTHING;
  const entry = { key, finishedAt: at, restartCount: 0 };
  if (atMs < options.sinceMs) return { kills: [], seen: [entry] };
  // The container the kubelet named as using the most, if it named any.
  const heaviest = containers
    .filter((c) => c.eviction?.usageBytes != null)
    .sort((a, b) => (b.eviction?.usageBytes ?? 0) - (a.eviction?.usageBytes ?? 0))[0];
  const kill: Kill = {
    id: `evicted/${first.podUid}`,
    kind: "evicted",
    at,
    ...killOf(first, options.cluster),
    container: heaviest?.container ?? null,
    message: eviction.message,
  };
  return { kills: [kill], seen: [entry] };
}

/**
 * The new kills of one pod (the API's JSON): containers, init containers too, whose latest
 * termination is an `OOMKilled` not seen before, and a memory eviction, once. Anything that is not a
 * pod with a name and a UID gives nothing.
 */
export function podKills(
  pod: unknown,
  seen: ReadonlyMap<string, SeenContainer>,
  options: PodKillOptions,
): PodKills {
  const containers = containersOf(pod);
  if (containers.length === 0) return NOTHING;
  const terminations = containerKills(containers, seen, options);
  const eviction = evictionKill(pod, containers, seen, options);
  return {
    kills: [...terminations.kills, ...eviction.kills],
    seen: [...terminations.seen, ...eviction.seen],
  };
}

// The kubelet's oom watcher writes "System OOM encountered", followed, when cAdvisor read the victim
// from the kernel's report, by ", victim process: <comm>, pid: <pid>" (pkg/kubelet/oom).
const SYSTEM_OOM_VICTIM = /, victim process: (.+), pid: (\d+)\s*$/;

function systemOomVictim(message: string | null): KilledProcess | null {
  const match = message ? SYSTEM_OOM_VICTIM.exec(message) : null;
  if (!match?.[1] || !match[2]) return null;
  return { name: match[1], pid: Number(match[2]), residentBytes: null, limitBytes: null };
}

const count = (value: unknown): number | null =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;

/** A `SystemOOM` event about a node (core/v1 Event JSON) as a kill; null for any other event. */
export function eventKill(event: unknown, cluster: string): Kill | null {
  const json = object(event);
  const involved = object(json.involvedObject);
  const node = text(involved.name);
  const uid = text(object(json.metadata).uid);
  if (json.reason !== "SystemOOM" || involved.kind !== "Node" || node === null || uid === null) return null;
  const at = [json.lastTimestamp, json.eventTime, json.firstTimestamp]
    .map(text)
    .find((time) => timeMs(time) !== null);
  if (!at) return null;
  const message = text(json.message);
  const times = count(json.count) ?? count(object(json.series).count) ?? 1;
  return {
    id: `system-oom/${uid}/${times}`,
    kind: "system-oom",
    cluster,
    namespace: null,
    pod: null,
    podUid: null,
    container: null,
    node,
    workload: null,
    at,
    message,
    process: systemOomVictim(message),
  };
}
