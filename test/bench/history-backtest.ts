// The history rules against generated workloads whose answers are known: how far the predicted next
// kill of a leak lies from the real one, whether the stated error covers it, and how often the runs
// cut from the series and their classes are right.

import { containerPattern } from "../../src/history/assess.js";
import type { Pattern, Series } from "../../src/history/model.js";
import { classify } from "../../src/history/pattern.js";
import { type ContainerKill, currentRuns, runEndedByKill, splitRuns } from "../../src/history/segments.js";
import { percentile } from "../../src/history/stats.js";
import { CONTAINER, type GeneratedWorkload, type Random, seeded, workload } from "./history-generator.js";

export interface PredictionErrors {
  /** Leaks whose next kill was asked for, and how many got a prediction. */
  cases: number;
  predicted: number;
  /** |predicted − real| in minutes over the predictions: median and 90th percentile (nearest rank). */
  medianMinutes: number;
  p90Minutes: number;
  /** The share of predictions whose stated ± error covers the real kill. */
  coverage: number;
  /** The median of the stated errors, minutes. */
  medianStatedMinutes: number;
}

export interface BacktestResult {
  /** Predictions made after a kill (the killed run's growth, the current run's level). */
  afterKill: PredictionErrors;
  /** Predictions made in a first run, from its own samples. */
  firstRun: PredictionErrors;
  /** Both together: the figure the benchmark reports. */
  all: PredictionErrors;
  classification: {
    cases: number;
    correct: number;
    accuracy: number;
    byClass: Record<Pattern, { cases: number; correct: number }>;
    /** Runs a kill ended that the rules found, cut where the generator cut them. */
    runsFound: number;
    runsExpected: number;
  };
}

export interface BacktestOptions {
  seed: number;
  /** Generated leaks for each kind of prediction, and workloads for each class. */
  leaks: number;
  workloadsPerClass: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { seed: 20240601, leaks: 200, workloadsPerClass: 60 };

/** What a query at `nowMs` would have returned: the samples and kills up to then. */
function asOf(generated: GeneratedWorkload, nowMs: number): { series: Series[]; kills: ContainerKill[] } {
  return {
    series: generated.series.map((one) => ({ ...one, points: one.points.filter(([ms]) => ms <= nowMs) })),
    kills: generated.kills.filter((kill) => kill.atMs <= nowMs),
  };
}

/** Asks for the next kill at a random point 20-80 % of the way through the last run. */
function predictionError(
  random: Random,
  generated: GeneratedWorkload,
): { error: number; stated: number } | null {
  const last = generated.runs.at(-1);
  const firstMs = last?.points[0]?.[0];
  if (last?.killMs == null || firstMs === undefined) return null;
  const nowMs = firstMs + (0.2 + 0.6 * random()) * (last.killMs - firstMs);
  const { series, kills } = asOf(generated, nowMs);
  const finding = containerPattern({
    runs: splitRuns(series, kills),
    kills: kills.map((kill) => ({ ...kill, bytes: generated.limitBytes })),
    container: CONTAINER,
    limitBytes: generated.limitBytes,
    endMs: nowMs,
  });
  if (finding.prediction === null) return null;
  const error = Math.abs(Date.parse(finding.prediction.at) - last.killMs) / 60_000;
  return { error, stated: finding.prediction.errorMinutes };
}

function summarise(cases: number, outcomes: Array<{ error: number; stated: number }>): PredictionErrors {
  const errors = outcomes.map((outcome) => outcome.error).sort((a, b) => a - b);
  const stated = outcomes.map((outcome) => outcome.stated).sort((a, b) => a - b);
  const none = outcomes.length === 0;
  return {
    cases,
    predicted: outcomes.length,
    medianMinutes: none ? Number.NaN : percentile(errors, 0.5),
    p90Minutes: none ? Number.NaN : percentile(errors, 0.9),
    coverage: none
      ? 0
      : outcomes.filter((outcome) => outcome.error <= outcome.stated).length / outcomes.length,
    medianStatedMinutes: none ? Number.NaN : percentile(stated, 0.5),
  };
}

function predictions(random: Random, leaks: number, runs: Pattern[]) {
  const outcomes = [];
  for (let index = 0; index < leaks; index++) {
    const outcome = predictionError(random, workload(random, runs));
    if (outcome !== null) outcomes.push(outcome);
  }
  return outcomes;
}

/** The kinds of history each class is generated in: killed runs in turn, a run still going last. */
const HISTORIES: Record<Pattern, Pattern[]> = {
  leak: ["leak", "leak", "leak"],
  spike: ["spike", "spike", "unknown"],
  undersized: ["undersized", "undersized"],
  unknown: ["spike", "unknown"],
};

function classification(random: Random, perClass: number): BacktestResult["classification"] {
  const byClass = {
    leak: { cases: 0, correct: 0 },
    spike: { cases: 0, correct: 0 },
    undersized: { cases: 0, correct: 0 },
    unknown: { cases: 0, correct: 0 },
  };
  let runsFound = 0;
  let runsExpected = 0;
  for (const kinds of Object.values(HISTORIES)) {
    for (let index = 0; index < perClass; index++) {
      const generated = workload(random, kinds);
      const runs = splitRuns(generated.series, generated.kills);
      for (const expected of generated.runs) {
        const kill =
          expected.killMs === null
            ? null
            : { pod: expected.pod, container: CONTAINER, atMs: expected.killMs };
        const run =
          kill === null
            ? currentRuns(runs, generated.endMs, generated.kills).find((one) => one.pod === expected.pod)
            : runEndedByKill(runs, kill);
        if (kill !== null) {
          runsExpected++;
          if (run !== undefined && run !== null && run.points.length === expected.points.length) runsFound++;
        }
        const finding =
          run === undefined || run === null
            ? null
            : classify(run.points, generated.limitBytes, {
                kill: kill === null ? null : { atMs: kill.atMs, bytes: generated.limitBytes },
              });
        const tally = byClass[expected.expected];
        tally.cases++;
        if (finding?.pattern === expected.expected) tally.correct++;
      }
    }
  }
  const tallies = Object.values(byClass);
  const cases = tallies.reduce((sum, tally) => sum + tally.cases, 0);
  const correct = tallies.reduce((sum, tally) => sum + tally.correct, 0);
  return { cases, correct, accuracy: correct / cases, byClass, runsFound, runsExpected };
}

/** Runs the backtest; the same options give the same figures on any machine. */
export function backtest(options: Partial<BacktestOptions> = {}): BacktestResult {
  const { seed, leaks, workloadsPerClass } = { ...DEFAULT_BACKTEST, ...options };
  const random = seeded(seed);
  const afterKill = predictions(random, leaks, ["leak", "leak"]);
  const firstRun = predictions(random, leaks, ["leak"]);
  return {
    afterKill: summarise(leaks, afterKill),
    firstRun: summarise(leaks, firstRun),
    all: summarise(2 * leaks, [...afterKill, ...firstRun]),
    classification: classification(random, workloadsPerClass),
  };
}
