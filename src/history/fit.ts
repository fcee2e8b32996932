// A least-squares line through memory samples: how fast memory grows, how well a straight line
// explains it, and how far the samples stray from it (what a prediction's error rests on).

const HOUR_MS = 3_600_000;

/** Samples as the model keeps them: [epoch milliseconds, bytes], oldest first. */
export type Samples = ReadonlyArray<readonly [number, number]>;

export interface LineFit {
  /** Growth in bytes per hour. */
  slopeBytesPerHour: number;
  /** The share of the samples' variation the line explains; 0 when they do not vary at all. */
  rSquared: number;
  /** Residual standard error in bytes (n − 2 degrees of freedom). */
  residualSdBytes: number;
  samples: number;
  /** The samples' mean time and mean value: the line passes through this point. */
  meanMs: number;
  meanBytes: number;
  /** Σ(t − t̄)² in hours²: the wider the samples are spread in time, the surer the slope. */
  spreadHours2: number;
}

/** Fits bytes = a + b·t; null with fewer than three samples or all of them at one instant. */
export function fitLine(samples: Samples): LineFit | null {
  const n = samples.length;
  if (n < 3) return null;
  let sumMs = 0;
  let sumBytes = 0;
  for (const [ms, bytes] of samples) {
    sumMs += ms;
    sumBytes += bytes;
  }
  const meanMs = sumMs / n;
  const meanBytes = sumBytes / n;
  // Centred sums, time in hours: epoch milliseconds squared would lose the digits that matter.
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [ms, bytes] of samples) {
    const dx = (ms - meanMs) / HOUR_MS;
    const dy = bytes - meanBytes;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const residualSquares = Math.max(0, syy - slope * sxy);

  return {
    slopeBytesPerHour: slope,
    rSquared: syy === 0 ? 0 : 1 - residualSquares / syy,
    residualSdBytes: Math.sqrt(residualSquares / (n - 2)),
    samples: n,
    meanMs,
    meanBytes,
    spreadHours2: sxx,
  };
}

/** Where the line stands at an instant. */
export function levelAt(fit: LineFit, ms: number): number {
  return fit.meanBytes + (fit.slopeBytesPerHour * (ms - fit.meanMs)) / HOUR_MS;
}
