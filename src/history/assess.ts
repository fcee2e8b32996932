// One container's pattern over its history: the run its latest kill ended says why it died; for a
// leak, the run going now says when it will die next, at the growth the killed run showed (hours of
// it, surer than the minutes a young run has).

import { fitLine, type LineFit, type Samples } from "./fit.js";
import type { PatternFinding } from "./model.js";
import {
  classify,
  DEFAULT_SPIKE_WINDOW_MINUTES,
  LEAK_LATE_SLOPE_RATIO,
  LEAK_MIN_SAMPLES,
  LEAK_MIN_SPAN_MS,
  laterHalf,
  withKillPoint,
} from "./pattern.js";
import { predictNextKill } from "./predict.js";
import { type ContainerKill, type ContainerRun, currentRuns, runEndedByKill } from "./segments.js";

export interface ContainerHistory {
  /** The workload's runs (`splitRuns`), with the kills they were split at. */
  runs: readonly ContainerRun[];
  kills: readonly ContainerKill[];
  /** The container (by name, in any of the workload's pods) and its limit. */
  container: string;
  limitBytes: number | null;
  /** The end of the queried span: runs still going then are current. */
  endMs: number;
  spikeWindowMinutes?: number;
}

const NO_PATTERN: PatternFinding = {
  pattern: "unknown",
  slopeBytesPerHour: null,
  rSquared: null,
  largestJumpBytes: null,
  nearLimitShare: null,
  prediction: null,
};

const RANK: Record<PatternFinding["pattern"], number> = { leak: 0, spike: 1, undersized: 2, unknown: 3 };
const soonest = (finding: PatternFinding) =>
  finding.prediction === null ? Number.POSITIVE_INFINITY : Date.parse(finding.prediction.at);

/**
 * Whether a run going now may be on the killed run's course: too young to say otherwise, or growing,
 * past its warm-up, at least as a leak keeps its pace. Another pod of the workload that has sat flat
 * for an hour is not leaking now, whatever the pod that was killed did.
 */
function mayFollow(run: Samples, growth: LineFit): boolean {
  const spanMs = (run.at(-1)?.[0] ?? 0) - (run[0]?.[0] ?? 0);
  const late = laterHalf(run, 0);
  if (late === null || run.length < LEAK_MIN_SAMPLES || spanMs < LEAK_MIN_SPAN_MS) return true;
  return late.slopeBytesPerHour >= growth.slopeBytesPerHour * LEAK_LATE_SLOPE_RATIO;
}

/** The pattern of the container's latest kill, with the next kill predicted for a leak. */
export function containerPattern(history: ContainerHistory): PatternFinding {
  const { container, limitBytes } = history;
  const spikeWindowMinutes = history.spikeWindowMinutes ?? DEFAULT_SPIKE_WINDOW_MINUTES;
  const kills = history.kills.filter((kill) => kill.container === container);
  const current = currentRuns(history.runs, history.endMs, kills).filter(
    (run) => run.container === container,
  );
  const latestKill = [...kills]
    .sort((a, b) => b.atMs - a.atMs)
    .find((kill) => runEndedByKill(history.runs, kill));
  if (latestKill !== undefined) {
    const run = runEndedByKill(history.runs, latestKill) as ContainerRun;
    const kill = { atMs: latestKill.atMs, bytes: latestKill.bytes ?? null };
    const killed = classify(run.points, limitBytes, { spikeWindowMinutes, kill });
    if (killed.pattern !== "leak") return killed;
    const growth = fitLine(withKillPoint(run.points, kill));
    const predictions = current
      .filter((now) => growth !== null && mayFollow(now.points, growth))
      .map((now) => predictNextKill(now.points, limitBytes, growth))
      .filter((prediction) => prediction !== null)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return { ...killed, prediction: predictions[0] ?? null };
  }
  // No kill is in the history (its samples are missing): what the runs going now show.
  const findings = current.map((now) => classify(now.points, limitBytes, { spikeWindowMinutes }));
  findings.sort((a, b) => RANK[a.pattern] - RANK[b.pattern] || soonest(a) - soonest(b));
  return findings[0] ?? NO_PATTERN;
}
