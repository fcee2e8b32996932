// When a leaking container will be killed next: where its fitted line, plus the swing its samples
// show around the line, meets the limit. The error is the fit's uncertainty turned into time.

import { type LineFit, levelAt, type Samples } from "./fit.js";
import type { Prediction } from "./model.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Memory reaches the limit at its peaks, not along its average: the kill is predicted where the line
 * plus this many standard deviations of the swing around it meets the limit. (Of 1, 1.5, 2, 2.5 and 3,
 * 2 gave the smallest 90th-percentile error in the backtest.)
 */
export const PEAK_SWING_SDS = 2;
/** The stated error covers this many standard errors of the predicted time. */
export const ERROR_STANDARD_ERRORS = 1;
/** The stated error is never less than this: scrapes come up to a few minutes apart. */
export const MIN_ERROR_MINUTES = 5;

/**
 * Predicts the next kill of the container whose current run is `current` ([epoch ms, working-set
 * bytes], oldest first), growing at `growth`'s slope: the current run's own fit, or the fit of a run
 * an earlier kill of the same leak ended (hours of growth, surer than a young run's minutes). Null
 * when memory is not growing, the limit is unknown, or the peaks have already reached it.
 */
export function predictNextKill(
  current: Samples,
  limitBytes: number | null,
  growth: LineFit | null,
): Prediction | null {
  if (limitBytes === null || growth === null || current.length === 0) return null;
  const slope = growth.slopeBytesPerHour;
  if (!(slope > 0) || !(growth.meanBytes > 0)) return null;
  // Where the current run stands: the line of the given slope that fits its samples best.
  const meanMs = current.reduce((sum, [ms]) => sum + ms, 0) / current.length;
  const meanBytes = current.reduce((sum, [, bytes]) => sum + bytes, 0) / current.length;
  const lastMs = (current.at(-1) as readonly [number, number])[0];
  const fromBytes = levelAt({ ...growth, meanMs, meanBytes }, lastMs);
  // A heap swings in proportion to its size (a garbage collector runs when it has grown by a share of
  // it): the swing measured around the fit's mean level, scaled to the limit.
  const swing = growth.residualSdBytes * (limitBytes / growth.meanBytes);
  const hoursToLimit = (limitBytes - PEAK_SWING_SDS * swing - fromBytes) / slope;
  if (!(hoursToLimit > 0)) return null;
  const atMs = lastMs + hoursToLimit * HOUR_MS;
  // Inverse prediction: the swing itself, the uncertainty of the current level, and that of the slope,
  // which grows with the distance from the samples' mean time.
  const hoursFromMean = (atMs - meanMs) / HOUR_MS;
  const standardErrorHours =
    (swing / slope) * Math.sqrt(1 + 1 / current.length + hoursFromMean ** 2 / growth.spreadHours2);
  const errorMinutes = Math.max(
    MIN_ERROR_MINUTES,
    Math.ceil(ERROR_STANDARD_ERRORS * standardErrorHours * 60),
  );
  return {
    at: new Date(Math.round(atMs)).toISOString(),
    errorMinutes,
    slopeBytesPerHour: Math.round(slope),
    fromBytes: Math.round(fromBytes),
  };
}
