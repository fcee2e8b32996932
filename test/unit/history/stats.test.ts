import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Series } from "../../../src/history/model.js";
import { peakOf, percentile, summariseWorkingSet } from "../../../src/history/stats.js";
import { MI, T0 } from "./samples.js";

const series = (pod: string, container: string, values: number[]): Series => ({
  labels: { namespace: "shop", pod, container },
  points: values.map((bytes, index) => [T0 + index * 60_000, bytes]),
});

describe("percentiles and extremes over a workload's series", () => {
  it("when the values are 1 to 100, then p50, p90 and p99 are the 50th, 90th and 99th (nearest rank)", () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.deepEqual(
      [0, 0.5, 0.9, 0.99, 1].map((fraction) => percentile(values, fraction)),
      [1, 50, 90, 99, 100],
    );
  });

  it("when there are ten values, then p99 is the largest: no figure between two samples is made up", () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.equal(percentile(values, 0.99), 100);
    assert.equal(percentile(values, 0.9), 90);
    assert.equal(percentile(values, 0.55), 60);
  });

  it("when two pods and a restarted container's series are given, then the figures pool all their samples", () => {
    const summary = summariseWorkingSet([
      series("web-a", "app", [300 * MI, 100 * MI, 200 * MI]),
      series("web-b", "app", [500 * MI, 400 * MI]),
    ]);
    assert.deepEqual(summary, { min: 100 * MI, p50: 300 * MI, p90: 500 * MI, p99: 500 * MI, max: 500 * MI });
  });

  it("when the pod's cgroup and its pause container report too, then they are left out", () => {
    const summary = summariseWorkingSet([
      series("web-a", "app", [300 * MI]),
      series("web-a", "", [2048 * MI]),
      series("web-a", "POD", [1 * MI]),
    ]);
    assert.deepEqual(summary, { min: 300 * MI, p50: 300 * MI, p90: 300 * MI, p99: 300 * MI, max: 300 * MI });
    assert.equal(
      peakOf([series("web-a", "app", [300 * MI, 310 * MI]), series("web-a", "", [2048 * MI])]),
      310 * MI,
    );
  });

  it("when no series has a sample, then there is no summary and no peak", () => {
    assert.equal(summariseWorkingSet([]), null);
    assert.equal(summariseWorkingSet([series("web-a", "app", [])]), null);
    assert.equal(peakOf([series("web-a", "app", [])]), null);
  });
});
