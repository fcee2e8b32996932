// Reads a workload container's memory history through the metrics port: the working set's peaks over the
// whole history at a coarse step (historySpan), and working set and RSS in detail where the picture and
// the pattern need it (fineSpans). Never fails: what went wrong becomes a line in `problems`, and every
// query sent is recorded so that anyone can run it again.

import type { AppError, Result } from "../errors.js";
import { mergeSeries } from "./merge.js";
import type { HistorySummary, Series } from "./model.js";
import type { MetricsSource, RangeQuery } from "./ports.js";
import {
  fineSpans,
  type HistoryOptions,
  historySpan,
  memoryQuery,
  peakMemoryQuery,
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
  /** Working set, coarse over the whole history and in detail within `fineSpans`. */
  workingSet: Series[];
  /** The working set's coarse series alone: evenly spaced, what the figures over the days are taken from. */
  workingSetOverDays: Series[];
  /** RSS within `fineSpans` only. */
  rss: Series[];
  queries: HistorySummary["queries"];
  problems: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function describeError(error: AppError): string {
  return error.hint === undefined ? error.message : `${error.message} (${error.hint})`;
}

/** What the queries of one metric returned: every series that came back, and the first error. */
interface MetricAnswer {
  name: string;
  series: Series[];
  error: AppError | null;
}

const seriesOf = (answers: ReadonlyArray<Result<Series[]>>) =>
  answers.flatMap((answer) => (answer.ok ? answer.value : []));

function metricAnswer(name: string, answers: ReadonlyArray<Result<Series[]>>): MetricAnswer {
  const failed = answers.find((answer) => !answer.ok);
  return {
    name,
    series: seriesOf(answers),
    error: failed === undefined || failed.ok ? null : failed.error,
  };
}

/** Problem lines: a failure shared by both metrics (a server down) is one line naming both. */
function problemLines(answers: readonly MetricAnswer[], empty: string): string[] {
  const failures = new Map<string, string[]>();
  const nothing: string[] = [];
  for (const { name, series, error } of answers) {
    if (error !== null) {
      const line = describeError(error);
      failures.set(line, [...(failures.get(line) ?? []), name]);
    } else if (series.length === 0) nothing.push(`${name}: ${empty}`);
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
      workingSetOverDays: [],
      rss: [],
      queries: [],
      problems: [`no pod of container "${container}" in namespace ${namespace} to read memory history for`],
    };
  const span = historySpan(request.killsMs, request.nowMs, options);
  const spans = fineSpans(request.killsMs, request.nowMs, options);
  const coarseQuery: RangeQuery = { query: peakMemoryQuery(WORKING_SET, request, span.stepSeconds), ...span };
  const workingSetQueries = spans.map((fine) => ({ query: memoryQuery(WORKING_SET, request), ...fine }));
  const rssQueries = spans.map((fine) => ({ query: memoryQuery(RSS, request), ...fine }));
  const sent = [coarseQuery, ...workingSetQueries, ...rssQueries];
  const answers = await Promise.all(sent.map((query) => source.range(query)));
  const [coarse, ...fine] = answers as [Result<Series[]>, ...Array<Result<Series[]>>];
  const fineWorkingSet = fine.slice(0, spans.length);
  const fineRss = fine.slice(spans.length);
  const start = iso(span.startMs);
  const end = iso(span.endMs);
  const others = workload && generated !== null ? [`other pods of ${workload.kind} ${workload.name}`] : [];
  const pods = [...podNames, ...others];
  const empty = `no series for container "${container}" of ${pods.join(", ")} in namespace ${namespace} from ${start} to ${end} (is the kubelet's /metrics/cadvisor scraped?)`;
  return {
    workingSet: mergeSeries(seriesOf([coarse]), seriesOf(fineWorkingSet), spans),
    workingSetOverDays: seriesOf([coarse]),
    // One series per container instance, however many spans it was read in.
    rss: mergeSeries([], seriesOf(fineRss), spans),
    queries: sent.map((query) => ({
      query: query.query,
      start: iso(query.startMs),
      end: iso(query.endMs),
      stepSeconds: query.stepSeconds,
    })),
    problems: problemLines(
      [metricAnswer("working set", [coarse, ...fineWorkingSet]), metricAnswer("RSS", fineRss)],
      empty,
    ),
  };
}
