// The neutral report: what every renderer (text, markdown, JSON, Slack) shows. Its JSON form is a
// documented contract (schemaVersion 1); change it only by adding fields.

import type { Analysis, Finding, KernelEventView } from "../analysis/analyse.js";
import { splitContainerId } from "../analysis/cgroup-path.js";
import type { MatchMethod } from "../analysis/correlate.js";
import { residentBytes, VERDICTS, type Verdict, type WorkloadStats } from "../analysis/diagnose.js";
import { describeLogTime } from "../analysis/format.js";
import type { KernelVerdict } from "../analysis/kernel-verdict.js";
import type { OomEvent, Victim } from "../analysis/oom-event.js";
import type { RecommendationNote } from "../analysis/recommendation-notes.js";
import type { ErrorKind } from "../errors.js";
import type { HistorySummary } from "../history/model.js";

export const SCHEMA_VERSION = 1;

export interface KernelEventJson {
  time: string;
  timeAsLogged: string;
  node: string | null;
  constraint: string | null;
  scope: string | null;
  memcgUsageBytes: number | null;
  memcgLimitBytes: number | null;
  failcnt: number | null;
  victim: Victim | null;
  /** The victim's resident memory at the kill (anon + file + shmem rss); null without its anon-rss. */
  residentBytes: number | null;
  /** Every process killed for this invocation, the victim first (several with memory.oom.group). */
  killed: Victim[];
  /** The `<comm> invoked oom-killer:` header, when the log has it. */
  invoker: { comm: string; pid: number | null; gfpMask: string; order: number; oomScoreAdj: number } | null;
  /** The cgroup that hit its limit, and the victim's, as the kernel printed them. */
  oomMemcg: string | null;
  taskMemcg: string | null;
  podUid: string | null;
  containerId: string | null;
  /** What the cgroup path says about the node: `systemd` or `cgroupfs`, and the container runtime. */
  cgroupDriver: string | null;
  runtime: string | null;
  kernelVersion: string | null;
  partial: boolean;
  /** What is missing or damaged in the report, in words. */
  caveats: string[];
  excerpt: string[];
}

/** One OOM invocation in the journals: `time` is ISO, or null when the log's time cannot be placed. */
export interface JournalKernelEventJson extends Omit<KernelEventJson, "time"> {
  time: string | null;
  /** What the kernel's report alone shows; null when it cannot tell a cgroup's limit from the node's. */
  verdict: KernelVerdict | null;
  /** Index into `findings` of the container this report was tied to. */
  finding: number | null;
}

export interface FindingJson {
  namespace: string;
  pod: string;
  container: string;
  node: string | null;
  podUid: string | null;
  containerId: string | null;
  workload: { kind: string; name: string };
  restartCount: number;
  restartsPerDay: number | null;
  lastTermination: {
    reason: string | null;
    exitCode: number | null;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
  qosClass: string | null;
  memoryLimitBytes: number | null;
  memoryRequestBytes: number | null;
  verdict: Verdict;
  summary: string;
  evidence: string[];
  explanation: string;
  kernelEvent: KernelEventJson | null;
  matchedBy: MatchMethod | null;
  clockSkewSeconds: number | null;
  recommendation: {
    memoryLimit: string | null;
    memoryLimitBytes: number | null;
    memoryRequest: string | null;
    memoryRequestBytes: number | null;
    reasons: string[];
    /** The reasons as typed notes: `kind` plus the figures the sentence quotes. */
    notes: RecommendationNote[];
  } | null;
  /** The pod's OOMKilling, Evicted, BackOff and Killing events, when the cluster was read. */
  kubernetesEvents: KubernetesEventJson[];
  /** The workload container's memory from Prometheus (see src/history); null when none was read. */
  history: HistorySummary | null;
  /** The ceilings a new limit must stay under, when the cluster was read (null: not known). */
  limitCaps: {
    nodeAllocatableBytes: number | null;
    limitRangeMaxBytes: number | null;
    quotaRoomBytes: number | null;
  };
}

export interface KubernetesEventJson {
  reason: string;
  count: number;
  lastSeen: string | null;
  message: string;
}

/** What happened when reading a node's journal. */
export interface NodeStatusJson {
  node: string;
  /** `ok`, or the kind of error that kept the journal from being read. */
  status: "ok" | ErrorKind;
  message: string | null;
  hint: string | null;
  windows: Array<{ since: string; until: string; truncated: boolean }>;
  /** The journal's oldest entry, when it was looked up (no kernel lines in the windows). */
  oldestEntry: string | null;
  kernelVersion: string | null;
  containerRuntime: string | null;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  asOf: string;
  namespace: string | null;
  summary: { findings: number; byVerdict: Record<Verdict, number> };
  findings: FindingJson[];
  workloads: WorkloadStats[];
  unmatchedEvents: Array<{
    node: string | null;
    time: string;
    victim: string | null;
    podUid: string | null;
    containerId: string | null;
  }>;
  /** Every OOM invocation the journals hold, deduplicated, in journal order. */
  kernelEvents: JournalKernelEventJson[];
  /** Nodes whose journals were read (scan) and how that went; empty for analyze. */
  nodes: NodeStatusJson[];
  /** Things the reader should know about the inputs: skipped lines, cut lines, unknown nodes. */
  warnings: string[];
}

function round(value: number | null, digits: number): number | null {
  return value === null ? null : Number(value.toFixed(digits));
}

/** ISO when the time could be placed, else the time as the log printed it. */
function eventTime(view: KernelEventView | undefined, event: OomEvent): string {
  const epochMs = view?.epochMs ?? null;
  return epochMs === null ? describeLogTime(event.time) : new Date(epochMs).toISOString();
}

function kernelEventJson(event: OomEvent, view: KernelEventView | undefined): KernelEventJson {
  return {
    time: eventTime(view, event),
    timeAsLogged: describeLogTime(event.time),
    node: view?.node ?? event.node,
    constraint: event.constraint,
    scope: event.scope,
    memcgUsageBytes: event.memcg?.usageBytes ?? null,
    memcgLimitBytes: event.memcg?.limitBytes ?? null,
    failcnt: event.memcg?.failcnt ?? null,
    victim: event.victim,
    residentBytes: residentBytes(event),
    killed: event.killed,
    invoker: event.invoker,
    oomMemcg: event.oomMemcg,
    taskMemcg: event.taskMemcg,
    podUid: event.taskCgroup?.podUid ?? null,
    containerId: event.taskCgroup?.containerId ?? null,
    cgroupDriver: event.taskCgroup?.driver ?? null,
    runtime: event.taskCgroup?.runtime ?? null,
    kernelVersion: event.kernelVersion,
    partial: event.partial,
    caveats: event.caveats,
    excerpt: event.excerpt,
  };
}

function findingJson(finding: Finding, views: Map<OomEvent, KernelEventView>): FindingJson {
  const { match, diagnosis, recommendation } = finding;
  const container = match.container;
  const termination = container.lastTermination;
  const statusId = termination?.containerId ?? container.currentContainerId;
  const containerId = statusId ? splitContainerId(statusId).id : null;
  return {
    namespace: container.namespace,
    pod: container.pod,
    container: container.container,
    node: container.node,
    podUid: container.podUid,
    containerId,
    workload: { kind: container.workload.kind, name: container.workload.name },
    restartCount: container.restartCount,
    restartsPerDay: round(diagnosis.restartsPerDay, 2),
    lastTermination: termination
      ? {
          reason: termination.reason,
          exitCode: termination.exitCode,
          startedAt: termination.startedAt,
          finishedAt: termination.finishedAt,
        }
      : null,
    qosClass: container.qosClass,
    memoryLimitBytes: container.memoryLimitBytes,
    memoryRequestBytes: container.memoryRequestBytes,
    verdict: diagnosis.verdict,
    summary: diagnosis.summary,
    evidence: diagnosis.evidence,
    explanation: [diagnosis.summary, ...diagnosis.evidence].join(" "),
    kernelEvent: match.event ? kernelEventJson(match.event, views.get(match.event)) : null,
    matchedBy: match.matchedBy,
    clockSkewSeconds: match.clockSkewSeconds,
    recommendation: recommendation
      ? {
          memoryLimit: recommendation.memoryLimit,
          memoryLimitBytes: recommendation.memoryLimitBytes,
          memoryRequest: recommendation.memoryRequest,
          memoryRequestBytes: recommendation.memoryRequestBytes,
          reasons: recommendation.reasons,
          notes: recommendation.notes,
        }
      : null,
    kubernetesEvents: [],
    history: null,
    limitCaps: {
      nodeAllocatableBytes: finding.caps.nodeAllocatableBytes ?? null,
      limitRangeMaxBytes: finding.caps.limitRangeMaxBytes ?? null,
      quotaRoomBytes: finding.caps.quotaRoomBytes ?? null,
    },
  };
}

const VERDICT_ORDER = new Map(VERDICTS.map((verdict, index) => [verdict, index]));

export function buildReport(
  analysis: Analysis,
  namespace: string | null,
  warnings: string[],
  nodes: NodeStatusJson[] = [],
): Report {
  const views = new Map(analysis.kernelEvents.map((view) => [view.event, view]));
  const ordered = analysis.findings
    .map((finding) => ({ finding, json: findingJson(finding, views) }))
    .sort(
      ({ json: a }, { json: b }) =>
        (VERDICT_ORDER.get(a.verdict) ?? 0) - (VERDICT_ORDER.get(b.verdict) ?? 0) ||
        a.namespace.localeCompare(b.namespace) ||
        a.pod.localeCompare(b.pod) ||
        a.container.localeCompare(b.container),
    );
  const findings = ordered.map(({ json }) => json);
  const findingIndex = new Map(ordered.map(({ finding }, index) => [finding, index]));
  const byVerdict = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  for (const finding of findings) byVerdict[finding.verdict]++;
  return {
    schemaVersion: SCHEMA_VERSION,
    asOf: new Date(analysis.asOfMs).toISOString(),
    namespace,
    summary: { findings: findings.length, byVerdict },
    findings,
    workloads: analysis.workloads.map((stats) => ({
      ...stats,
      days: round(stats.days, 2),
      restartsPerPodPerDay: round(stats.restartsPerPodPerDay, 2),
    })),
    unmatchedEvents: analysis.unmatchedEvents.map((event) => ({
      node: event.node,
      time: eventTime(views.get(event), event),
      victim: event.victim ? `${event.victim.comm} (pid ${event.victim.pid})` : null,
      podUid: event.taskCgroup?.podUid ?? null,
      containerId: event.taskCgroup?.containerId ?? null,
    })),
    kernelEvents: analysis.kernelEvents.map((view) => ({
      ...kernelEventJson(view.event, view),
      time: view.epochMs === null ? null : new Date(view.epochMs).toISOString(),
      verdict: view.verdict,
      finding: view.finding === null ? null : (findingIndex.get(view.finding) ?? null),
    })),
    nodes,
    warnings,
  };
}
