// One series per container instance from reads at two resolutions: the detail where it was read, the
// coarse points elsewhere.

import type { Series } from "./model.js";

const keyOf = (series: Series) =>
  JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The coarse series with the fine ones laid over them: within each of `spans` (where the fine series
 * were read) only fine points, elsewhere the coarse ones; series matched by their labels, a series
 * read at one resolution only kept as it is. Points oldest first.
 */
export function mergeSeries(
  coarse: readonly Series[],
  fine: readonly Series[],
  spans: ReadonlyArray<{ startMs: number; endMs: number }>,
): Series[] {
  const inFineSpan = (ms: number) => spans.some((span) => ms >= span.startMs && ms <= span.endMs);
  const merged = new Map<string, Series>();
  for (const series of coarse)
    merged.set(keyOf(series), {
      labels: series.labels,
      points: series.points.filter(([ms]) => !inFineSpan(ms)),
    });
  for (const series of fine) {
    const key = keyOf(series);
    const before = merged.get(key);
    merged.set(key, {
      labels: series.labels,
      points:
        before === undefined
          ? [...series.points]
          : [...before.points, ...series.points].sort((a, b) => a[0] - b[0]),
    });
  }
  return [...merged.values()].filter((series) => series.points.length > 0);
}
