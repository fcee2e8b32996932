import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitLine, levelAt } from "../../../src/history/fit.js";
import { HOUR_MS, line, MI, T0 } from "./samples.js";

describe("the least-squares line", () => {
  it("when the samples lie on a line, then its slope, R² of 1 and no residual", () => {
    const fit = fitLine(line({ fromBytes: 400 * MI, bytesPerHour: 38 * MI, count: 120 }));
    assert.ok(fit);
    assert.ok(Math.abs(fit.slopeBytesPerHour - 38 * MI) < 1, `${fit.slopeBytesPerHour}`);
    assert.ok(fit.rSquared > 0.999999);
    assert.ok(fit.residualSdBytes < 1);
    assert.ok(Math.abs(levelAt(fit, T0 + 2 * HOUR_MS) - 476 * MI) < 1);
  });

  it("when the samples do not vary, then the slope is 0 and so is R²: a line explains nothing there", () => {
    const fit = fitLine(line({ fromBytes: 400 * MI, bytesPerHour: 0, count: 30 }));
    assert.equal(fit?.slopeBytesPerHour, 0);
    assert.equal(fit?.rSquared, 0);
  });

  it("when noise is added, then the residual standard error measures it and R² falls", () => {
    const fit = fitLine(line({ fromBytes: 400 * MI, bytesPerHour: 10 * MI, count: 600, noiseSd: 20 * MI }));
    assert.ok(fit);
    assert.ok(Math.abs(fit.residualSdBytes - 20 * MI) < 2 * MI, `${fit.residualSdBytes / MI}`);
    assert.ok(fit.rSquared < 0.8 && fit.rSquared > 0.3, `${fit.rSquared}`);
  });

  it("when there are fewer than three samples or all at one instant, then there is no fit", () => {
    assert.equal(
      fitLine([
        [T0, 1],
        [T0 + 60_000, 2],
      ]),
      null,
    );
    assert.equal(
      fitLine([
        [T0, 1],
        [T0, 2],
        [T0, 3],
      ]),
      null,
    );
  });
});
