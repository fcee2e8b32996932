// Reads a workload container's memory history through the metrics port: working set and RSS over one
// span (see historySpan). Never fails: what went wrong becomes a line in `problems`, and every query sent
// is recorded so that anyone can run it again.

import type { AppError, Result } from "../errors.js";
import type { HistorySummary, Series } from "./model.js";
import type { MetricsSource } from "./ports.js";
import {
  type HistoryOptions,
  historySpan,
  memoryQuery,
  podNamePattern,
  RSS,
  WORKING_SET,
} from "./queries.js";

export interface HistoryRequest {
  namespace: string;
  container: string;
  /** The workload's pods the cluster lists now: their names select the series. */
  podNames: string[];
  /** The workload: the names its controller gives select the pods it replaced too. */
  workload?: { kind: string; name: string } | null;
  /** When each kill happened, epoch milliseconds. */
  killsMs: number[];
  nowMs: number;
}

export interface History {
  workingSet: Series[];
  rss: Series[];
  queries: HistorySummary["queries"];
  problems: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function describeError(error: AppError): string {
  return error.hint === undefined ? error.message : `${error.message} (${error.hint})`;
}

/** Problem lines: a failure shared by both metrics (a server down) is one line naming both. */
function problemLines(answers: Array<{ name: string; answer: Result<Series[]> }>, empty: string): string[] {
  const failures = new Map<string, string[]>();
  const nothing: string[] = [];
  for (const { name, answer } of answers) {
    if (!answer.ok) {
      const line = describeError(answer.error);
      failures.set(line, [...(failures.get(line) ?? []), name]);
    } else if (answer.value.length === 0) nothing.push(`${name}: ${empty}`);
  }
  return [...[...failures].map(([line, names]) => `${names.join(" and ")}: ${line}`), ...nothing];
}

export async function readHistory(
  source: MetricsSource,
  request: HistoryRequest,
  options: HistoryOptions,
): Promise<History> {
  const { namespace, container, podNames, workload } = request;
  const generated = workload ? podNamePattern(workload) : null;
  if (podNames.length === 0 && generated === null)
    return {
      workingSet: [],
      rss: [],
      queries: [],
      problems: [`no pod of container "${container}" in namespace ${namespace} to read memory history for`],
    };
  const span = historySpan(request.killsMs, request.nowMs, options);
  const start = iso(span.startMs);
  const end = iso(span.endMs);
  const [workingSetQuery, rssQuery] = [memoryQuery(WORKING_SET, request), memoryQuery(RSS, request)];
  const [workingSet, rss] = await Promise.all([
    source.range({ query: workingSetQuery, ...span }),
    source.range({ query: rssQuery, ...span }),
  ]);
  const others = workload && generated !== null ? [`other pods of ${workload.kind} ${workload.name}`] : [];
  const pods = [...podNames, ...others];
  const empty = `no series for container "${container}" of ${pods.join(", ")} in namespace ${namespace} from ${start} to ${end} (is the kubelet's /metrics/cadvisor scraped?)`;
  return {
    workingSet: workingSet.ok ? workingSet.value : [],
    rss: rss.ok ? rss.value : [],
    queries: [workingSetQuery, rssQuery].map((query) => ({
      query,
      start,
      end,
      stepSeconds: span.stepSeconds,
    })),
    problems: problemLines(
      [
        { name: "working set", answer: workingSet },
        { name: "RSS", answer: rss },
      ],
      empty,
    ),
  };
}
