// A series as the lines a picture draws: cut where samples are missing, since a line across a gap
// would claim memory nobody measured, and thinned to what the picture can show, keeping the lowest and
// the highest sample of each stretch so that a spike stays visible. Pure.

export type Point = readonly [ms: number, bytes: number];

/** Where samples stop for longer than this many of the series' usual steps, its line breaks. */
const GAP_STEPS = 3;

/** The usual interval between samples: the median, so that the gaps themselves do not stretch it. */
function usualStep(points: readonly Point[]): number {
  const intervals = points.slice(1).map((point, index) => point[0] - (points[index]?.[0] ?? point[0]));
  intervals.sort((a, b) => a - b);
  return intervals[Math.floor(intervals.length / 2)] ?? 0;
}

/**
 * The samples within [startMs, endMs], as runs without a gap, with at most the lowest and highest
 * sample of each of `buckets` equal slices of the span: at most 2 × `buckets` points in all. A gap
 * shorter than a slice does not break the line: the picture could not show it, and it keeps the bound.
 */
export function lineRuns(
  points: readonly Point[],
  startMs: number,
  endMs: number,
  buckets: number,
): Point[][] {
  const inRange = points.filter(([ms, bytes]) => ms >= startMs && ms <= endMs && Number.isFinite(bytes));
  const sliceMs = Math.max(1, (endMs - startMs) / buckets);
  const gapMs = Math.max(GAP_STEPS * usualStep(inRange), sliceMs);
  const slice = (ms: number) => Math.min(buckets - 1, Math.floor((ms - startMs) / sliceMs));
  const runs: Point[][] = [];
  let run: Point[] = [];
  let low: Point | null = null;
  let high: Point | null = null;
  const closeSlice = () => {
    if (low && high) run.push(...(low === high ? [low] : low[0] < high[0] ? [low, high] : [high, low]));
    low = high = null;
  };
  let previous: Point | null = null;
  for (const point of inRange) {
    if (previous && point[0] - previous[0] > gapMs) {
      closeSlice();
      runs.push(run);
      run = [];
    } else if (previous && slice(point[0]) !== slice(previous[0])) closeSlice();
    if (!low || point[1] < low[1]) low = point;
    if (!high || point[1] > high[1]) high = point;
    previous = point;
  }
  closeSlice();
  if (run.length > 0) runs.push(run);
  return runs;
}
