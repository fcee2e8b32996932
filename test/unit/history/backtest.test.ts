// The history rules against generated series whose answers are known (test/bench/history-backtest.ts,
// which `npm run bench:history` reports in full).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backtest } from "../../bench/history-backtest.js";

const result = backtest({ leaks: 100, workloadsPerClass: 30 });

describe("the backtest of the history rules", () => {
  it("when leaks, spikes, plateaus at the limit and wandering runs are generated, then each is classified as it was made", () => {
    const { classification } = result;
    for (const [pattern, tally] of Object.entries(classification.byClass)) {
      assert.ok(tally.cases > 0);
      assert.ok(tally.correct / tally.cases >= 0.9, `${pattern}: ${tally.correct} of ${tally.cases}`);
    }
    assert.ok(classification.accuracy >= 0.95, `accuracy ${classification.accuracy}`);
  });

  it("when restarts, back-off gaps, missing scrapes and replaced pods are in the series, then each kill's run is found whole", () => {
    const { runsFound, runsExpected } = result.classification;
    assert.ok(runsFound / runsExpected >= 0.98, `${runsFound} of ${runsExpected}`);
  });

  it("when the next kill of a generated leak is predicted, then the stated error covers the real kill in at least 80 % of cases", () => {
    for (const errors of [result.afterKill, result.firstRun]) {
      assert.ok(errors.coverage >= 0.8, `coverage ${errors.coverage}`);
      assert.ok(errors.medianMinutes <= 10, `median ${errors.medianMinutes} min`);
      assert.ok(errors.p90Minutes <= 30, `p90 ${errors.p90Minutes} min`);
    }
  });

  it("when a leak has been killed before, then its next kill is predicted nearly always; in a first run, once it has shown an hour of growth", () => {
    assert.ok(result.afterKill.predicted >= 0.95 * result.afterKill.cases, `${result.afterKill.predicted}`);
    assert.ok(result.firstRun.predicted >= 0.6 * result.firstRun.cases, `${result.firstRun.predicted}`);
  });
});
