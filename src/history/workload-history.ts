// A workload container's history, read and judged: its memory figures over `history.days`, the pattern
// of the run its latest kill ended (and, for a leak, the next kill), and the series the picture draws.
// Reaches the server only through the MetricsSource port; never fails (problems are lines).

import { containerPattern } from "./assess.js";
import { type History, type HistoryRequest, readHistory } from "./fetch.js";
import type { HistorySummary, Series } from "./model.js";
import type { MetricsSource } from "./ports.js";
import { type HistoryOptions, pictureWindows } from "./queries.js";
import { type ContainerKill, isContainerSeries, splitRuns } from "./segments.js";
import { peakOf, summariseWorkingSet } from "./stats.js";

export interface WorkloadHistoryRequest {
  namespace: string;
  container: string;
  /** The workload's pods the cluster lists now. */
  podNames: string[];
  /** The workload, whose controller's names find the pods it replaced. */
  workload: { kind: string; name: string } | null;
  kills: ContainerKill[];
  limitBytes: number | null;
  nowMs: number;
}

export interface WorkloadHistory {
  summary: HistorySummary;
  /** What the picture draws: the container's series and the hours before each kill. */
  series: { workingSet: Series[]; rss: Series[] };
  windows: Array<{ startMs: number; endMs: number }>;
}

/** Reads a history: straight from the server, or from reads started earlier (see historyReader). */
export type HistoryReader = (request: HistoryRequest) => Promise<History>;

/**
 * A reader that sends each distinct request once: a read started early (while nodes are still being
 * read) is the one a later identical request gets.
 */
export function historyReader(source: MetricsSource, options: HistoryOptions): HistoryReader {
  const reads = new Map<string, Promise<History>>();
  return (request) => {
    const key = JSON.stringify([
      request.namespace,
      request.container,
      [...request.podNames].sort(),
      request.workload && `${request.workload.kind}/${request.workload.name}`,
      [...request.killsMs].sort((a, b) => a - b),
      request.nowMs,
    ]);
    const known = reads.get(key);
    if (known) return known;
    const read = readHistory(source, request, options);
    reads.set(key, read);
    return read;
  };
}

/** The request for a workload container's history. */
export function historyRequest(request: WorkloadHistoryRequest): HistoryRequest {
  return {
    namespace: request.namespace,
    container: request.container,
    podNames: request.podNames,
    workload: request.workload,
    killsMs: request.kills.map((kill) => kill.atMs),
    nowMs: request.nowMs,
  };
}

export async function workloadHistory(
  read: HistoryReader,
  request: WorkloadHistoryRequest,
  options: HistoryOptions,
): Promise<WorkloadHistory> {
  const killsMs = request.kills.map((kill) => kill.atMs);
  const history = await read(historyRequest(request));
  const workingSet = history.workingSet.filter(isContainerSeries);
  const workingSetOverDays = history.workingSetOverDays.filter(isContainerSeries);
  const rss = history.rss.filter(isContainerSeries);
  const pattern = containerPattern({
    runs: splitRuns(workingSet, request.kills),
    kills: request.kills,
    container: request.container,
    limitBytes: request.limitBytes,
    endMs: request.nowMs,
  });
  return {
    summary: {
      days: options.days,
      // The coarse series alone: evenly spaced, each point its step's peak (see queries.ts).
      workingSet: summariseWorkingSet(workingSetOverDays),
      rssMax: peakOf(rss),
      pattern,
      queries: history.queries,
      problems: history.problems,
    },
    series: { workingSet, rss },
    windows: pictureWindows(killsMs, options.hoursBeforeKill),
  };
}
