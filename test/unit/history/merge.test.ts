import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeSeries } from "../../../src/history/merge.js";
import type { Series } from "../../../src/history/model.js";

const MINUTE = 60_000;
const labels = (id: string) => ({ namespace: "shop", pod: "api-0", container: "api", id });
const series = (id: string, points: Array<[number, number]>): Series => ({ labels: labels(id), points });

describe("merging coarse and detailed reads", () => {
  it("when a span was read in detail, then its points replace the coarse ones there and the coarse ones stay around it", () => {
    const coarse = series("c1", [
      [0, 10],
      [10 * MINUTE, 20],
      [20 * MINUTE, 30],
      [30 * MINUTE, 40],
    ]);
    const fine = series("c1", [
      [9 * MINUTE, 18],
      [10 * MINUTE, 19],
      [11 * MINUTE, 21],
    ]);
    assert.deepEqual(mergeSeries([coarse], [fine], [{ startMs: 9 * MINUTE, endMs: 21 * MINUTE }]), [
      series("c1", [
        [0, 10],
        [9 * MINUTE, 18],
        [10 * MINUTE, 19],
        [11 * MINUTE, 21],
        [30 * MINUTE, 40],
      ]),
    ]);
  });

  it("when an instance was read at one resolution only, then it is kept; one read in two spans becomes one series", () => {
    const old = series("c1", [[0, 10]]);
    const early = series("c2", [[5 * MINUTE, 7]]);
    const late = series("c2", [[50 * MINUTE, 9]]);
    const spans = [
      { startMs: 5 * MINUTE, endMs: 6 * MINUTE },
      { startMs: 50 * MINUTE, endMs: 60 * MINUTE },
    ];
    assert.deepEqual(mergeSeries([old], [late, early], spans), [
      old,
      series("c2", [
        [5 * MINUTE, 7],
        [50 * MINUTE, 9],
      ]),
    ]);
  });

  it("when a coarse series lies wholly within the detail and the detail has none of it, then it is dropped", () => {
    const gone = series("c1", [[10 * MINUTE, 10]]);
    assert.deepEqual(mergeSeries([gone], [], [{ startMs: 0, endMs: 20 * MINUTE }]), []);
  });
});
