// Why memory ran out, read from one run (the samples since a container's last restart): it grew
// steadily (a leak: a higher limit only spaces the kills out), it jumped within minutes (a spike: size
// for the peak), it sat at the limit (undersized: the limit is simply too small), or none of these.

import { fitLine, type LineFit, type Samples } from "./fit.js";
import type { PatternFinding } from "./model.js";
import { predictNextKill } from "./predict.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * A spike rises within this many minutes: faster than any leak or warm-up, and long enough for
 * scrapes every 15 s to 1 min to catch it on its way up.
 */
export const DEFAULT_SPIKE_WINDOW_MINUTES = 5;
/**
 * A spike rises by at least this share of the limit (of the run's peak when there is no limit):
 * ordinary load swings and garbage-collector sawtooth stay well below it.
 */
export const SPIKE_MIN_RISE_FRACTION = 0.3;
/** A leak's line explains at least this share of the variation: growth steady enough to extrapolate. */
export const LEAK_MIN_R_SQUARED = 0.8;
/** A leak is seen over at least this many samples and this long: warm-ups fill caches for minutes. */
export const LEAK_MIN_SAMPLES = 12;
export const LEAK_MIN_SPAN_MS = HOUR_MS;
/**
 * A leak grows by at least this share of the limit (of the run's peak without one) per hour: slower,
 * an empty container needs more than a week to reach its limit, longer than most pods live between
 * deploys.
 */
export const LEAK_MIN_GROWTH_FRACTION_PER_HOUR = 0.005;
/**
 * The later half of a leak still grows at least this fraction as fast as the whole run: a cache
 * filling up to its size slows down, a leak does not.
 */
export const LEAK_LATE_SLOPE_RATIO = 0.5;
/** "Near the limit": within 10 % of it. */
export const NEAR_LIMIT_FRACTION = 0.9;
/** Undersized: at least this share of the samples near the limit, the run's ordinary state. */
export const UNDERSIZED_MIN_NEAR_LIMIT_SHARE = 0.6;
/**
 * ... and flat: over the run's later half its line moves by less than this share of the limit, half
 * the width of "near the limit" (a bound on the drift, not on the slope, so that a short noisy run's
 * uncertain slope does not count as growth).
 */
export const UNDERSIZED_MAX_DRIFT_FRACTION = 0.05;

/** A kill, and what the cgroup held then (the memcg usage in the kernel's report), when known. */
export interface KillPoint {
  atMs: number;
  bytes: number | null;
}

export interface ClassifyOptions {
  spikeWindowMinutes: number;
  /**
   * The kill that ended the run, if one did: a spike between the last scrape and the kill shows only
   * in what the cgroup held at the kill. A run ended by a kill has no next kill to predict.
   */
  kill: KillPoint | null;
}

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = {
  spikeWindowMinutes: DEFAULT_SPIKE_WINDOW_MINUTES,
  kill: null,
};

/** The run's samples, and what the cgroup held at the kill that ended it when that came after them. */
export function withKillPoint(run: Samples, kill: KillPoint | null): Samples {
  const lastMs = run.at(-1)?.[0];
  if (kill === null || kill.bytes === null || (lastMs !== undefined && kill.atMs <= lastMs)) return run;
  return [...run, [kill.atMs, kill.bytes]];
}

/** The largest rise within `windowMs` whose top lies within `windowMs` of the run's end. */
function largestJumpAtEnd(samples: Samples, windowMs: number): number {
  const endMs = (samples.at(-1) as readonly [number, number])[0];
  let largest = 0;
  for (let top = samples.length - 1; top >= 0; top--) {
    const [topMs, topBytes] = samples[top] as readonly [number, number];
    if (topMs < endMs - windowMs) break;
    for (let bottom = top - 1; bottom >= 0; bottom--) {
      const [bottomMs, bottomBytes] = samples[bottom] as readonly [number, number];
      if (bottomMs < topMs - windowMs) break;
      largest = Math.max(largest, topBytes - bottomBytes);
    }
  }
  return largest;
}

function nearLimitShare(samples: Samples, limitBytes: number): number {
  const near = samples.filter(([, bytes]) => bytes >= limitBytes * NEAR_LIMIT_FRACTION).length;
  return near / samples.length;
}

const spanOf = (samples: Samples) =>
  (samples.at(-1) as readonly [number, number])[0] - (samples[0] as readonly [number, number])[0];

/** The hours a fit's samples span, from their spread in time (Σ(t − t̄)² = n·span²/12 when evenly spaced). */
const spanHours = (fit: LineFit) => Math.sqrt((12 * fit.spreadHours2) / fit.samples);

/**
 * The fit of the run's later half, past any warm-up, where a leak keeps its pace and a plateau is flat;
 * without its last `windowMs`, which belong to whatever set off the kill (the spike rule reads them).
 */
export function laterHalf(samples: Samples, windowMs: number): LineFit | null {
  const endMs = (samples.at(-1) as readonly [number, number])[0] - windowMs;
  const halfwayMs = ((samples[0] as readonly [number, number])[0] + endMs) / 2;
  return fitLine(samples.filter(([ms]) => ms >= halfwayMs && ms < endMs));
}

function isLeak(samples: Samples, fit: LineFit, late: LineFit | null, minSlope: number): boolean {
  if (samples.length < LEAK_MIN_SAMPLES || spanOf(samples) < LEAK_MIN_SPAN_MS) return false;
  if (fit.rSquared < LEAK_MIN_R_SQUARED || fit.slopeBytesPerHour < minSlope) return false;
  return late !== null && late.slopeBytesPerHour >= fit.slopeBytesPerHour * LEAK_LATE_SLOPE_RATIO;
}

/**
 * Classifies a run ([epoch ms, working-set bytes], oldest first) against its container's limit, with
 * the figures the class rests on; a leak in a run still going carries its predicted next kill.
 */
export function classify(
  run: Samples,
  limitBytes: number | null,
  options: Partial<ClassifyOptions> = {},
): PatternFinding {
  const { spikeWindowMinutes, kill } = { ...DEFAULT_CLASSIFY_OPTIONS, ...options };
  const samples = withKillPoint(run, kill);
  const windowMs = spikeWindowMinutes * MINUTE_MS;
  const fit = fitLine(samples);
  const finding: PatternFinding = {
    pattern: "unknown",
    slopeBytesPerHour: fit?.slopeBytesPerHour ?? null,
    rSquared: fit?.rSquared ?? null,
    largestJumpBytes: samples.length < 2 ? null : largestJumpAtEnd(samples, windowMs),
    nearLimitShare: limitBytes === null || samples.length === 0 ? null : nearLimitShare(samples, limitBytes),
    prediction: null,
  };
  if (fit === null) return finding;
  const scaleBytes = limitBytes ?? samples.reduce((peak, [, bytes]) => Math.max(peak, bytes), 0);
  if ((finding.largestJumpBytes ?? 0) >= scaleBytes * SPIKE_MIN_RISE_FRACTION) {
    return { ...finding, pattern: "spike" };
  }
  const minSlope = scaleBytes * LEAK_MIN_GROWTH_FRACTION_PER_HOUR;
  const late = laterHalf(samples, windowMs);
  if (isLeak(samples, fit, late, minSlope)) {
    const prediction = kill === null ? predictNextKill(samples, limitBytes, fit) : null;
    return { ...finding, pattern: "leak", prediction };
  }
  const flat =
    late !== null &&
    Math.abs(late.slopeBytesPerHour) * spanHours(late) < scaleBytes * UNDERSIZED_MAX_DRIFT_FRACTION;
  if (flat && (finding.nearLimitShare ?? 0) >= UNDERSIZED_MIN_NEAR_LIMIT_SHARE) {
    return { ...finding, pattern: "undersized" };
  }
  return finding;
}
