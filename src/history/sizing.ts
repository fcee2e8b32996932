// A limit and a request sized with all the evidence: the kernel's figure at the kill, and what the
// working set held over the history (its 99th percentile for the limit, its 90th for the request),
// with the pattern's advice: a leak is fixed, not fed; a spike is sized for its peak.

import { capLimit, type LimitCaps, roundUpHuman } from "../analysis/recommend.js";
import type { RecommendationNote } from "../analysis/recommendation-notes.js";
import type { PatternFinding } from "./model.js";
import { DEFAULT_SPIKE_WINDOW_MINUTES, NEAR_LIMIT_FRACTION } from "./pattern.js";

export interface HistorySizingInput {
  residentAtKillBytes: number | null;
  /** The container's working set over `historyDays`: 99th and 90th percentiles. */
  workingSetP99: number | null;
  workingSetP90: number | null;
  historyDays: number;
  currentRequestBytes: number | null;
  currentLimitBytes: number | null;
  /** The pattern of the run that ended in the kill, and the spike window it was read with. */
  pattern: PatternFinding;
  spikeWindowMinutes?: number;
  headroomFraction: number;
  minStepBytes: number;
  maxLimitBytes: number | null;
  /** Ceilings known from the cluster, as for the kernel-only recommendation. */
  caps?: LimitCaps;
}

export interface HistorySizing {
  /** The limit to set; null when no ceiling leaves room above the current one. */
  limitBytes: number | null;
  /** The request to set; null when the history has no 90th percentile. */
  requestBytes: number | null;
  notes: RecommendationNote[];
}

function patternNote(input: HistorySizingInput, limitBytes: number | null): RecommendationNote | null {
  const { pattern } = input;
  switch (pattern.pattern) {
    case "leak": {
      if (pattern.slopeBytesPerHour === null || pattern.rSquared === null) return null;
      const gained =
        limitBytes === null || input.currentLimitBytes === null
          ? null
          : (limitBytes - input.currentLimitBytes) / pattern.slopeBytesPerHour;
      return {
        kind: "leak-first",
        slopeBytesPerHour: pattern.slopeBytesPerHour,
        rSquared: pattern.rSquared,
        stopgapLimitBytes: limitBytes,
        hoursGained: gained,
      };
    }
    case "spike":
      return pattern.largestJumpBytes === null
        ? null
        : {
            kind: "spike-before-kill",
            jumpBytes: pattern.largestJumpBytes,
            windowMinutes: input.spikeWindowMinutes ?? DEFAULT_SPIKE_WINDOW_MINUTES,
          };
    case "undersized":
      return pattern.nearLimitShare === null
        ? null
        : {
            kind: "flat-at-limit",
            nearLimitShare: pattern.nearLimitShare,
            withinPercent: Math.round((1 - NEAR_LIMIT_FRACTION) * 100),
          };
    case "unknown":
      return null;
  }
}

function limitFromEvidence(input: HistorySizingInput): { bytes: number | null; notes: RecommendationNote[] } {
  const { residentAtKillBytes: resident, workingSetP99: p99, currentLimitBytes: current } = input;
  const evidence = [resident, p99].filter((bytes) => bytes !== null);
  if (evidence.length === 0) {
    if (current === null) return { bytes: null, notes: [] };
    return {
      bytes: current + input.minStepBytes,
      notes: [{ kind: "no-kernel-figures", minStepBytes: input.minStepBytes }],
    };
  }
  const withHeadroom = Math.max(...evidence) * (1 + input.headroomFraction);
  const wanted = roundUpHuman(Math.max(withHeadroom, (current ?? 0) + input.minStepBytes));
  const sized: RecommendationNote = {
    kind: "sized-from-history",
    residentBytes: resident,
    workingSetP99Bytes: p99,
    historyDays: input.historyDays,
    headroomPercent: Math.round(input.headroomFraction * 100),
    withHeadroomBytes: Math.round(withHeadroom),
    minStepBytes: input.minStepBytes,
    limitBytes: wanted,
  };
  const { bytes, cappedBy } = capLimit(wanted, input.maxLimitBytes, input.caps ?? {});
  if (cappedBy === null) return { bytes, notes: [sized] };
  if (current !== null && bytes <= current)
    return { bytes: null, notes: [sized, { kind: "cannot-raise", ...cappedBy }] };
  return { bytes, notes: [sized, { kind: "capped", limitBytes: bytes, ...cappedBy }] };
}

function requestFromEvidence(
  input: HistorySizingInput,
  limitBytes: number | null,
): { bytes: number | null; note: RecommendationNote | null } {
  const p90 = input.workingSetP90;
  if (p90 === null) return { bytes: null, note: null };
  const current = input.currentRequestBytes;
  const ceiling = limitBytes ?? input.currentLimitBytes ?? Number.POSITIVE_INFINITY;
  const fromP90 = Math.min(roundUpHuman(p90), ceiling);
  const figures = { workingSetP90Bytes: p90, historyDays: input.historyDays };
  if (current !== null && current >= fromP90) {
    return { bytes: current, note: { kind: "request-kept", requestBytes: current, ...figures } };
  }
  return { bytes: fromP90, note: { kind: "request-from-history", requestBytes: fromP90, ...figures } };
}

/**
 * The limit: max(resident at the kill, p99 working set) plus headroom, rounded up to a step a person
 * would choose, at least the current limit plus the minimum step, within the ceilings. The request:
 * the p90 working set rounded up the same way (within the limit), or the current request if higher.
 * The pattern's advice comes first in the notes, then every figure the sizes rest on.
 */
export function sizeFromHistory(input: HistorySizingInput): HistorySizing {
  const limit = limitFromEvidence(input);
  const request = requestFromEvidence(input, limit.bytes);
  const advice = patternNote(input, limit.bytes);
  const notes = [
    ...(advice === null ? [] : [advice]),
    ...limit.notes,
    ...(request.note === null ? [] : [request.note]),
  ];
  return { limitBytes: limit.bytes, requestBytes: request.bytes, notes };
}
