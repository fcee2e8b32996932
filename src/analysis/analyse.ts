// The pure pipeline: containers and node journals in, one finding per affected container out.

import {
  type CorrelationWindow,
  correlate,
  DEFAULT_WINDOW,
  type Match,
  type NodeJournal,
} from "./correlate.js";
import { type Diagnosis, diagnose, type WorkloadStats } from "./diagnose.js";
import { type KernelVerdict, kernelVerdict } from "./kernel-verdict.js";
import { resolveLogTime } from "./log-time.js";
import { type OomEvent, sameReport } from "./oom-event.js";
import { type ContainerCase, finishedMs } from "./pod.js";
import {
  DEFAULT_POLICY,
  type LimitCaps,
  type Recommendation,
  type RecommendationPolicy,
  recommend,
} from "./recommend.js";
import { workloadKey } from "./workload-key.js";

export interface Finding {
  match: Match;
  diagnosis: Diagnosis;
  recommendation: Recommendation | null;
  /** The ceilings the recommendation was checked against (empty when the cluster was not read). */
  caps: LimitCaps;
}

/** One OOM invocation the journals hold, with what the kernel alone shows. */
export interface KernelEventView {
  event: OomEvent;
  node: string | null;
  verdict: KernelVerdict | null;
  /** The finding this report explains, when it was tied to a container. */
  finding: Finding | null;
  /** When the kernel printed it, when the log's time, zone and year are known (or learned). */
  epochMs: number | null;
}

export interface Analysis {
  asOfMs: number;
  findings: Finding[];
  workloads: WorkloadStats[];
  /** Kernel OOM events tied to none of the containers given (other namespaces, system processes). */
  unmatchedEvents: OomEvent[];
  /** Every OOM invocation in the journals, once each, in journal order. */
  kernelEvents: KernelEventView[];
}

export interface AnalyseOptions {
  asOfMs: number;
  window?: CorrelationWindow;
  policy?: RecommendationPolicy;
  /** Ceilings for a container's new limit, when the cluster was read. */
  capsFor?: (container: ContainerCase) => LimitCaps;
}

const DAY_MS = 86_400_000;

const containerWorkload = (container: ContainerCase) => workloadKey(container.namespace, container.workload);

function workloadStats(containers: ContainerCase[], asOfMs: number): Map<string, WorkloadStats> {
  const byWorkload = new Map<string, { stats: WorkloadStats; pods: Set<string>; oldest: number | null }>();
  for (const container of containers) {
    if (container.init) continue;
    const key = containerWorkload(container);
    const entry = byWorkload.get(key) ?? {
      stats: { ...container.workload, pods: 0, restarts: 0, days: null, restartsPerPodPerDay: null },
      pods: new Set<string>(),
      oldest: null,
    };
    entry.pods.add(container.pod);
    entry.stats.restarts += container.restartCount;
    const created = container.podCreatedAt ? Date.parse(container.podCreatedAt) : Number.NaN;
    if (Number.isFinite(created))
      entry.oldest = entry.oldest === null ? created : Math.min(entry.oldest, created);
    byWorkload.set(key, entry);
  }
  const result = new Map<string, WorkloadStats>();
  for (const [key, entry] of byWorkload) {
    const stats = { ...entry.stats, pods: entry.pods.size };
    if (entry.oldest !== null && asOfMs > entry.oldest) {
      stats.days = (asOfMs - entry.oldest) / DAY_MS;
      stats.restartsPerPodPerDay = stats.restarts / stats.pods / stats.days;
    }
    result.set(key, stats);
  }
  return result;
}

export function analyse(
  containers: ContainerCase[],
  journals: NodeJournal[],
  options: AnalyseOptions,
): Analysis {
  const correlation = correlate(containers, journals, options.window ?? DEFAULT_WINDOW);
  const workloads = workloadStats(containers, options.asOfMs);
  const findings = correlation.matches.map((match): Finding => {
    const diagnosis = diagnose(match, {
      asOfMs: options.asOfMs,
      workload: workloads.get(containerWorkload(match.container)) ?? null,
    });
    const caps = options.capsFor?.(match.container) ?? {};
    return {
      match,
      diagnosis,
      recommendation: recommend(
        match.container,
        diagnosis,
        match.event,
        options.policy ?? DEFAULT_POLICY,
        caps,
      ),
      caps,
    };
  });
  const involved = new Set(findings.map((finding) => containerWorkload(finding.match.container)));
  return {
    asOfMs: options.asOfMs,
    findings,
    workloads: [...workloads.entries()].filter(([key]) => involved.has(key)).map(([, stats]) => stats),
    unmatchedEvents: correlation.unmatched,
    kernelEvents: kernelEvents(journals, findings, options.asOfMs),
  };
}

/** Every journal's events once: the same report in two journals given for one node counts once. */
function kernelEvents(journals: NodeJournal[], findings: Finding[], asOfMs: number): KernelEventView[] {
  const views: KernelEventView[] = [];
  for (const journal of journals) {
    for (const event of journal.events) {
      if (views.some((view) => view.event !== event && sameReport(view.event, event))) continue;
      const finding = findings.find((candidate) => candidate.match.event === event) ?? null;
      views.push({
        event,
        node: event.node ?? journal.node,
        verdict: kernelVerdict(event),
        finding,
        epochMs: eventEpochMs(event, journal, finding, asOfMs),
      });
    }
  }
  return views;
}

/**
 * A wall-clock time needs a zone (given, or learned from the container it matched) and a year (printed,
 * or the one that puts it nearest the matched container's finishedAt, else the capture time).
 */
function eventEpochMs(
  event: OomEvent,
  journal: NodeJournal,
  finding: Finding | null,
  asOfMs: number,
): number | null {
  const time = event.time;
  if (time.kind === "instant") return time.epochMs;
  if (time.kind !== "wall") return null;
  const offset = journal.utcOffsetMinutes ?? finding?.match.assumedUtcOffsetMinutes ?? null;
  if (offset === null) return null;
  const reference = (finding ? finishedMs(finding.match.container) : null) ?? asOfMs;
  return resolveLogTime(time, reference, offset)?.epochMs ?? null;
}

/**
 * The newest time the inputs themselves show: offline captures carry no capture time, and the clock
 * of the machine reading them years later would make every rate meaningless.
 */
export function newestTimestampMs(containers: ContainerCase[]): number | null {
  let newest: number | null = null;
  for (const container of containers) {
    const times = [container.lastTermination?.finishedAt, container.runningSince, container.podCreatedAt];
    for (const text of times) {
      const ms = text ? Date.parse(text) : Number.NaN;
      if (Number.isFinite(ms) && (newest === null || ms > newest)) newest = ms;
    }
  }
  return newest;
}
