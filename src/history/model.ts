// Memory history: what Prometheus knew of a workload's containers in the hours and days around its
// kills, summed up as figures, a pattern and, for a leak, when the next kill should come. Pure types.

/** One time series as the Prometheus HTTP API returns a range query's matrix, values in bytes. */
export interface Series {
  /** The series' labels (`pod`, `container`, `namespace`, ...). */
  labels: Record<string, string>;
  /** [epoch milliseconds, value] pairs, oldest first; NaN and missing samples left out. */
  points: Array<[number, number]>;
}

export type Pattern = "leak" | "spike" | "undersized" | "unknown";

/** When the next kill should come, if memory keeps climbing as it did. */
export interface Prediction {
  /** ISO time the working set reaches the limit. */
  at: string;
  /** ± this many minutes (from the fit's residuals and the backtest's stated error). */
  errorMinutes: number;
  /** Growth, bytes per hour, and where it stood at the last sample. */
  slopeBytesPerHour: number;
  fromBytes: number;
}

/** The series since a container's last restart, classified, with the figures the class rests on. */
export interface PatternFinding {
  pattern: Pattern;
  /** Linear fit of working set over time since the last restart: bytes per hour and R². */
  slopeBytesPerHour: number | null;
  rSquared: number | null;
  /** For a spike: the largest rise within `spikeWindowMinutes`, in bytes. */
  largestJumpBytes: number | null;
  /** For undersized: the share of samples within 10 % of the limit. */
  nearLimitShare: number | null;
  prediction: Prediction | null;
}

/** A workload's memory over `history.days`, as `findings[].history` carries it in JSON. */
export interface HistorySummary {
  /** The days before the latest kill the figures are taken over (`history.days`). */
  days: number;
  /** Working-set bytes over the whole history, across its containers, restarts and replaced pods. */
  workingSet: { min: number; p50: number; p90: number; p99: number; max: number } | null;
  /** Peak RSS over the hours read in detail: the picture's hours before each kill and the latest hours. */
  rssMax: number | null;
  pattern: PatternFinding;
  /** The PromQL sent, and the span, so that anyone can run them again. */
  queries: Array<{ query: string; start: string; end: string; stepSeconds: number }>;
  /** Why the history is partial or missing (a query failed, timed out, or returned nothing). */
  problems: string[];
}
