import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitLine } from "../../../src/history/fit.js";
import { MIN_ERROR_MINUTES, predictNextKill } from "../../../src/history/predict.js";
import { endOf, flat, HOUR_MS, line, MI, MINUTE_MS, T0 } from "./samples.js";

const LIMIT = 1024 * MI;

describe("the next kill of a leak", () => {
  it("when memory grows without noise at 64 MiB/h and stands at 512 MiB, then the limit is reached 8 h later", () => {
    const run = line({ fromBytes: 384 * MI, bytesPerHour: 64 * MI, count: 121 });
    assert.equal(endOf(run), T0 + 2 * HOUR_MS);
    const prediction = predictNextKill(run, LIMIT, fitLine(run));
    assert.deepEqual(prediction, {
      at: "2024-06-01T18:00:00.000Z",
      errorMinutes: MIN_ERROR_MINUTES,
      slopeBytesPerHour: 64 * MI,
      fromBytes: 512 * MI,
    });
  });

  it("when the samples swing around the line, then the kill comes earlier (at the peaks) and the error is wider", () => {
    const calm = line({ fromBytes: 384 * MI, bytesPerHour: 64 * MI, count: 121 });
    const swinging = line({ fromBytes: 384 * MI, bytesPerHour: 64 * MI, count: 121, noiseSd: 16 * MI });
    const calmPrediction = predictNextKill(calm, LIMIT, fitLine(calm));
    const swingingPrediction = predictNextKill(swinging, LIMIT, fitLine(swinging));
    assert.ok(calmPrediction && swingingPrediction);
    assert.ok(Date.parse(swingingPrediction.at) < Date.parse(calmPrediction.at));
    assert.ok(swingingPrediction.errorMinutes > 30, `${swingingPrediction.errorMinutes} min`);
  });

  it("when a young run follows a killed one, then the killed run's growth is carried from the young run's level", () => {
    const killed = line({ fromBytes: 100 * MI, bytesPerHour: 100 * MI, count: 540 });
    const young = line({
      fromBytes: 100 * MI,
      bytesPerHour: 100 * MI,
      count: 10,
      startMs: endOf(killed) + 5 * MINUTE_MS,
    });
    const prediction = predictNextKill(young, LIMIT, fitLine(killed));
    assert.ok(prediction);
    assert.equal(prediction.fromBytes, 115 * MI);
    assert.equal(Date.parse(prediction.at), endOf(young) + ((LIMIT - 115 * MI) / (100 * MI)) * HOUR_MS);
  });

  it("when memory is flat or falling, then there is no next kill to predict", () => {
    const still = flat(500 * MI, 120);
    const falling = line({ fromBytes: 900 * MI, bytesPerHour: -50 * MI, count: 120 });
    assert.equal(predictNextKill(still, LIMIT, fitLine(still)), null);
    assert.equal(predictNextKill(falling, LIMIT, fitLine(falling)), null);
  });

  it("when the limit is unknown, there is no fit, or the line has already passed the limit, then none", () => {
    const run = line({ fromBytes: 384 * MI, bytesPerHour: 64 * MI, count: 121 });
    assert.equal(predictNextKill(run, null, fitLine(run)), null);
    assert.equal(predictNextKill(run, LIMIT, null), null);
    assert.equal(predictNextKill(run, 500 * MI, fitLine(run)), null);
    assert.equal(predictNextKill([], LIMIT, fitLine(run)), null);
  });
});
