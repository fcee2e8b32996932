// What a workload's containers held over the history: percentiles and extremes pooled over all their
// series. Percentiles are nearest-rank: each is a figure a container really reached, never one
// interpolated between two samples.

import type { HistorySummary, Series } from "./model.js";
import { isContainerSeries } from "./segments.js";

/**
 * The nearest-rank percentile of ascending values: the smallest value with at least `fraction` of them
 * at or below it. `fraction` in [0, 1]; 0 gives the minimum. The values must not be empty.
 */
export function percentile(ascending: ArrayLike<number>, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * ascending.length));
  return ascending[Math.min(rank, ascending.length) - 1] as number;
}

function pooledValues(series: readonly Series[]): Float64Array {
  const own = series.filter(isContainerSeries);
  const values = new Float64Array(own.reduce((count, one) => count + one.points.length, 0));
  let next = 0;
  for (const one of own) {
    for (const [, bytes] of one.points) values[next++] = bytes;
  }
  return values;
}

/**
 * Minimum, p50, p90, p99 and maximum of the working set over every sample of the given series (the
 * pod's cgroup and pause container left out); null when there is no sample. Pass one container's
 * series to size that container.
 */
export function summariseWorkingSet(series: readonly Series[]): HistorySummary["workingSet"] {
  const values = pooledValues(series).sort();
  if (values.length === 0) return null;
  return {
    min: values[0] as number,
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p99: percentile(values, 0.99),
    max: values[values.length - 1] as number,
  };
}

/** The highest sample over the given series (for RSS, `HistorySummary.rssMax`); null when none. */
export function peakOf(series: readonly Series[]): number | null {
  let peak: number | null = null;
  for (const one of series.filter(isContainerSeries)) {
    for (const [, bytes] of one.points) if (peak === null || bytes > peak) peak = bytes;
  }
  return peak;
}
