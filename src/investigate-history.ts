// Memory history for an investigation's report: for each affected workload container, what the
// metrics server knew of its memory before the kills (figures, pattern, the next kill for a leak), a
// limit and request sized with all of it, and the picture's data. A server that fails or is slow makes
// the history partial (its problems are said), never the report.

import { type ContainerCase, finishedMs as caseFinishedMs } from "./analysis/pod.js";
import { formatQuantity } from "./analysis/quantity.js";
import type { RecommendationPolicy } from "./analysis/recommend.js";
import { noteText } from "./analysis/recommendation-notes.js";
import { workloadKey, workloadName } from "./analysis/workload-key.js";
import type { MemoryChartInput } from "./history/chart.js";
import type { HistorySummary } from "./history/model.js";
import type { HistoryOptions } from "./history/queries.js";
import { sizeFromHistory } from "./history/sizing.js";
import { type HistoryReader, historyRequest, workloadHistory } from "./history/workload-history.js";
import type { FindingJson, Report } from "./report/model.js";

export interface HistoryDeps {
  read: HistoryReader;
  options: HistoryOptions;
  policy: RecommendationPolicy;
}

/** The picture of one workload container; `tz` is the reader's, added where it is drawn. */
export interface WorkloadPicture {
  /** `namespace/Kind/name`. */
  workloadKey: string;
  container: string;
  chart: Omit<MemoryChartInput, "tz">;
}

/** The picture shows this long after the latest kill, so that the restart is in it. */
const AFTER_KILL_MS = 30 * 60_000;
/** Workloads whose history is read at once: a metrics server is shared, and slow ones exist. */
const AT_ONCE = 4;

const finishedMs = (finding: FindingJson) => {
  const ms = Date.parse(finding.lastTermination?.finishedAt ?? "");
  return Number.isFinite(ms) ? ms : null;
};

/** The limit and request the whole history supports, in place of the kernel's alone. */
function resized(
  finding: FindingJson,
  summary: HistorySummary,
  deps: HistoryDeps,
): FindingJson["recommendation"] {
  const current = finding.recommendation;
  if (current === null || summary.workingSet === null) return current;
  const sizing = sizeFromHistory({
    residentAtKillBytes: finding.kernelEvent?.residentBytes ?? null,
    workingSetP99: summary.workingSet.p99,
    workingSetP90: summary.workingSet.p90,
    historyDays: deps.options.days,
    currentRequestBytes: finding.memoryRequestBytes,
    currentLimitBytes: finding.memoryLimitBytes,
    pattern: summary.pattern,
    headroomFraction: deps.policy.headroomFraction,
    minStepBytes: deps.policy.minStepBytes,
    maxLimitBytes: deps.policy.maxLimitBytes,
    caps: finding.limitCaps,
  });
  if (sizing.limitBytes === null) return current;
  const requestBytes = sizing.requestBytes ?? current.memoryRequestBytes;
  return {
    memoryLimit: formatQuantity(sizing.limitBytes),
    memoryLimitBytes: sizing.limitBytes,
    memoryRequest: requestBytes === null ? null : formatQuantity(requestBytes),
    memoryRequestBytes: requestBytes,
    notes: sizing.notes,
    reasons: sizing.notes.map(noteText),
  };
}

interface ContainerOf {
  namespace: string;
  container: string;
  workload: { kind: string; name: string };
}

/** The workload's pods that run the container: those given, and every one the cluster lists. */
function workloadPods(of: ContainerOf, pods: string[], containers: readonly ContainerCase[]): string[] {
  const names = new Set(pods);
  const workload = workloadName(of.workload);
  for (const container of containers)
    if (
      container.namespace === of.namespace &&
      container.container === of.container &&
      workloadName(container.workload) === workload
    )
      names.add(container.pod);
  return [...names].sort();
}

/**
 * Starts reading the history of the workload containers that were OOM-killed, so that the metrics
 * server answers while the nodes' journals are read; `addHistory` then finds the answers waiting.
 */
export function readHistoryEarly(
  killed: readonly ContainerCase[],
  containers: readonly ContainerCase[],
  read: HistoryReader,
  nowMs: number,
): void {
  const groups = new Map<string, ContainerCase[]>();
  for (const container of killed) {
    const key = `${workloadKey(container.namespace, container.workload)}\n${container.container}`;
    groups.set(key, [...(groups.get(key) ?? []), container]);
  }
  const requests = [...groups.values()].map((group) => {
    const first = group[0] as ContainerCase;
    const kills = group.flatMap((container) => {
      const atMs = caseFinishedMs(container);
      return atMs === null ? [] : [{ pod: container.pod, container: container.container, atMs }];
    });
    return historyRequest({
      namespace: first.namespace,
      container: first.container,
      podNames: workloadPods(
        first,
        group.map((container) => container.pod),
        containers,
      ),
      workload: { kind: first.workload.kind, name: first.workload.name },
      kills,
      limitBytes: first.memoryLimitBytes,
      nowMs,
    });
  });
  // A few at a time, as addHistory reads, in the background; reads never reject by design, and should
  // one, the same read awaited later says so.
  void (async () => {
    for (let index = 0; index < requests.length; index += AT_ONCE)
      await Promise.all(requests.slice(index, index + AT_ONCE).map(read));
  })().catch(() => undefined);
}

/**
 * Adds `history` to each finding (and sizes its recommendation with it); returns the pictures, one per
 * workload container. `containers` are all the namespace's, so that every pod of the workload the
 * cluster lists is queried by name; the pods it replaced are found by the names its controller gives.
 */
export async function addHistory(
  report: Report,
  containers: readonly ContainerCase[],
  deps: HistoryDeps,
  nowMs: number,
): Promise<WorkloadPicture[]> {
  const groups = new Map<string, FindingJson[]>();
  for (const finding of report.findings) {
    const key = `${workloadKey(finding.namespace, finding.workload)}\n${finding.container}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  const work = [...groups.values()];
  const pictures: WorkloadPicture[] = [];
  const one = async (findings: FindingJson[]) => {
    const first = findings[0] as FindingJson;
    const podNames = workloadPods(
      first,
      findings.map((finding) => finding.pod),
      containers,
    );
    const kills = findings.flatMap((finding) => {
      const atMs = finishedMs(finding);
      return atMs === null
        ? []
        : [
            {
              pod: finding.pod,
              container: finding.container,
              atMs,
              bytes: finding.kernelEvent?.memcgUsageBytes ?? null,
            },
          ];
    });
    const history = await workloadHistory(
      deps.read,
      {
        namespace: first.namespace,
        container: first.container,
        podNames,
        workload: first.workload,
        kills,
        limitBytes: first.memoryLimitBytes,
        nowMs,
      },
      deps.options,
    );
    for (const finding of findings) {
      finding.history = history.summary;
      finding.recommendation = resized(finding, history.summary, deps);
    }
    const latestKill = Math.max(...kills.map((kill) => kill.atMs), Number.NEGATIVE_INFINITY);
    pictures.push({
      workloadKey: workloadKey(first.namespace, first.workload),
      container: first.container,
      chart: {
        series: history.series,
        limitBytes: first.memoryLimitBytes,
        requestBytes: first.memoryRequestBytes,
        kills: findings.flatMap((finding) => {
          const atMs = finishedMs(finding);
          return atMs === null ? [] : [{ atMs, residentBytes: finding.kernelEvent?.residentBytes ?? null }];
        }),
        startMs: Math.min(
          ...history.windows.map((window) => window.startMs),
          nowMs - deps.options.hoursBeforeKill * 3_600_000,
        ),
        endMs: Number.isFinite(latestKill) ? Math.min(nowMs, latestKill + AFTER_KILL_MS) : nowMs,
      },
    });
  };
  for (let index = 0; index < work.length; index += AT_ONCE)
    await Promise.all(work.slice(index, index + AT_ONCE).map(one));
  pictures.sort(
    (a, b) => a.workloadKey.localeCompare(b.workloadKey) || a.container.localeCompare(b.container),
  );
  return pictures;
}
