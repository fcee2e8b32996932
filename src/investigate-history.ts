// Memory history for an investigation's report: for each affected workload container, what the
// metrics server knew of its memory before the kills (figures, pattern, the next kill for a leak), a
// limit and request sized with all of it, and the picture's data. A server that fails or is slow makes
// the history partial (its problems are said), never the report.

import type { ContainerCase } from "./analysis/pod.js";
import { formatQuantity } from "./analysis/quantity.js";
import type { RecommendationPolicy } from "./analysis/recommend.js";
import { noteText } from "./analysis/recommendation-notes.js";
import { workloadKey, workloadName } from "./analysis/workload-key.js";
import type { MemoryChartInput } from "./history/chart.js";
import type { HistorySummary } from "./history/model.js";
import type { MetricsSource } from "./history/ports.js";
import type { HistoryOptions } from "./history/queries.js";
import { sizeFromHistory } from "./history/sizing.js";
import { workloadHistory } from "./history/workload-history.js";
import type { FindingJson, Report } from "./report/model.js";

export interface HistoryDeps {
  source: MetricsSource;
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
    const workload = workloadName(first.workload);
    const podNames = new Set(findings.map((finding) => finding.pod));
    for (const container of containers)
      if (
        container.namespace === first.namespace &&
        container.container === first.container &&
        workloadName(container.workload) === workload
      )
        podNames.add(container.pod);
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
      deps.source,
      {
        namespace: first.namespace,
        container: first.container,
        podNames: [...podNames].sort(),
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
