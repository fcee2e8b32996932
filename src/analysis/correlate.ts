// Ties kernel OOM events to containers: by container id, then pod UID, and only as a fallback by node
// and time window, reporting the clock skew seen. Node and API server clocks differ, and syslog-style
// journals have no zone, so ids are trusted over clocks.

import { containerIdsMatch, splitContainerId } from "./cgroup-path.js";
import { resolveLogTime } from "./log-time.js";
import type { NodeJournalFacts, OomEvent } from "./oom-event.js";
import { type ContainerCase, finishedMs } from "./pod.js";

export interface NodeJournal {
  /** The node the journal came from, when known. */
  node: string | null;
  events: OomEvent[];
  facts: NodeJournalFacts[];
  /** The node's UTC offset, when the operator gave it; otherwise inferred from id matches. */
  utcOffsetMinutes: number | null;
  /** Why the node's journal could not be read, when it could not. */
  unavailable: string | null;
}

export type MatchMethod = "container-id" | "pod-uid" | "node-time";

export interface Match {
  container: ContainerCase;
  event: OomEvent | null;
  matchedBy: MatchMethod | null;
  /** Kernel time minus the API server's finishedAt, in seconds. */
  clockSkewSeconds: number | null;
  /** The node's UTC offset assumed to place a zone-less journal time. */
  assumedUtcOffsetMinutes: number | null;
  /** Every kernel event found for this pod's containers. */
  podEvents: OomEvent[];
  /** Journal coverage of the container's node, when a journal for it was given. */
  journal: NodeJournalFacts | null;
  /** The journal's UTC offset, as given or learned: needed to read zone-less coverage times. */
  journalUtcOffsetMinutes: number | null;
  /** Why the node's journal could not be read, when it could not. */
  journalUnavailable: string | null;
}

export interface CorrelationWindow {
  beforeSeconds: number;
  afterSeconds: number;
}

export const DEFAULT_WINDOW: CorrelationWindow = { beforeSeconds: 600, afterSeconds: 300 };

export interface Correlation {
  matches: Match[];
  unmatched: OomEvent[];
}

function sameNode(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left === right || left.split(".")[0] === right.split(".")[0];
}

/** True when the container's last termination looks like the kernel's doing (or kubelet eviction). */
export function isAffected(container: ContainerCase): boolean {
  const termination = container.lastTermination;
  return container.eviction !== null || termination?.reason === "OOMKilled" || termination?.exitCode === 137;
}

function containerIds(container: ContainerCase): string[] {
  const ids = [container.lastTermination?.containerId, container.currentContainerId]
    .filter((id): id is string => typeof id === "string")
    .map((id) => splitContainerId(id).id);
  return [...new Set(ids)];
}

function eventMatchesContainer(event: OomEvent, container: ContainerCase): boolean {
  const cgroup = event.taskCgroup;
  if (!cgroup?.containerId) return false;
  return containerIds(container).some((id) =>
    containerIdsMatch(cgroup.containerId ?? "", cgroup.containerIdIsPrefix, id),
  );
}

/**
 * Only a kill whose cgroup is unknown may be tied to a pod by the clock: one in another pod, in a
 * system or user slice, in a plain Docker container or at the root is nobody's pod here.
 */
function tiedToNoOtherCgroup(event: OomEvent): boolean {
  const cgroup = event.taskCgroup;
  return cgroup === null || (cgroup.kubepods && cgroup.podUid === null && cgroup.containerId === null);
}

function journalFor(journals: NodeJournal[], node: string | null): NodeJournal | undefined {
  return journals.find(
    (journal) => sameNode(journal.node, node) || journal.facts.some((f) => sameNode(f.node, node)),
  );
}

function nearestEvent(
  events: OomEvent[],
  referenceMs: number | null,
  offset: number | null,
): OomEvent | undefined {
  if (referenceMs === null) return events[events.length - 1];
  let best: OomEvent | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const event of events) {
    const resolved = resolveLogTime(event.time, referenceMs, offset);
    const distance = resolved ? Math.abs(resolved.epochMs - referenceMs) : Number.MAX_SAFE_INTEGER;
    if (best === undefined || distance < bestDistance) {
      best = event;
      bestDistance = distance;
    }
  }
  return best;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

export function correlate(
  containers: ContainerCase[],
  journals: NodeJournal[],
  window: CorrelationWindow = DEFAULT_WINDOW,
): Correlation {
  const allEvents = journals.flatMap((journal) => journal.events);
  const used = new Set<OomEvent>();
  const matches: Match[] = [];
  const learnedOffsets = new Map<NodeJournal, number[]>();

  const byId = (container: ContainerCase) =>
    allEvents.filter((event) => eventMatchesContainer(event, container));
  const byPod = (container: ContainerCase) =>
    allEvents.filter((event) => container.podUid !== null && event.taskCgroup?.podUid === container.podUid);

  // Pass 1: ids. Containers with an id-matched event are involved even if they never restarted.
  for (const container of containers) {
    const podEvents = byPod(container);
    const ownEvents = byId(container);
    const podOnly = podEvents.filter((event) => event.taskCgroup?.containerId == null);
    const candidates = ownEvents.length > 0 ? ownEvents : podOnly;
    if (!isAffected(container) && ownEvents.length === 0) continue;
    const journal = journalFor(journals, container.node);
    const reference = finishedMs(container);
    const event = nearestEvent(candidates, reference, journal?.utcOffsetMinutes ?? null);
    const match: Match = {
      container,
      event: event ?? null,
      matchedBy: event ? (ownEvents.includes(event) ? "container-id" : "pod-uid") : null,
      clockSkewSeconds: null,
      assumedUtcOffsetMinutes: null,
      podEvents,
      journal: journal?.facts.find((f) => sameNode(f.node, container.node)) ?? journal?.facts[0] ?? null,
      journalUtcOffsetMinutes: journal?.utcOffsetMinutes ?? null,
      journalUnavailable: journal?.unavailable ?? null,
    };
    if (event) {
      used.add(event);
      if (reference !== null) {
        const resolved = resolveLogTime(event.time, reference, journal?.utcOffsetMinutes ?? null);
        if (resolved) {
          match.clockSkewSeconds = Math.round((resolved.epochMs - reference) / 1000);
          match.assumedUtcOffsetMinutes = resolved.inferredUtcOffsetMinutes;
          if (journal && resolved.inferredUtcOffsetMinutes !== null) {
            learnedOffsets.set(journal, [
              ...(learnedOffsets.get(journal) ?? []),
              resolved.inferredUtcOffsetMinutes,
            ]);
          }
        }
      }
    }
    matches.push(match);
  }

  // Pass 2: node and time, for reports whose cgroup path did not survive (rate-limited or cut lines).
  for (const match of matches) {
    if (match.event !== null) continue;
    const container = match.container;
    const reference = finishedMs(container);
    const journal = journalFor(journals, container.node);
    if (reference === null || !journal) continue;
    const offset = journal.utcOffsetMinutes ?? median(learnedOffsets.get(journal) ?? []);
    match.journalUtcOffsetMinutes = offset;
    const inWindow = journal.events.filter((event) => {
      if (used.has(event) || !tiedToNoOtherCgroup(event)) return false;
      if (!sameNode(event.node ?? journal.node, container.node)) return false;
      const resolved =
        offset === null && event.time.kind === "wall" ? null : resolveLogTime(event.time, reference, offset);
      if (!resolved) return false;
      const delta = (resolved.epochMs - reference) / 1000;
      return delta >= -window.beforeSeconds && delta <= window.afterSeconds;
    });
    const event = nearestEvent(inWindow, reference, offset);
    if (!event) continue;
    used.add(event);
    const resolved = resolveLogTime(event.time, reference, offset);
    match.event = event;
    match.matchedBy = "node-time";
    match.clockSkewSeconds = resolved ? Math.round((resolved.epochMs - reference) / 1000) : null;
    match.assumedUtcOffsetMinutes = event.time.kind === "wall" ? offset : null;
  }

  for (const match of matches) for (const event of match.podEvents) used.add(event);
  return { matches, unmatched: allEvents.filter((event) => !used.has(event)) };
}
