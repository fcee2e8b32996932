import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerPattern } from "../../../src/history/assess.js";
import type { Series } from "../../../src/history/model.js";
import { splitRuns } from "../../../src/history/segments.js";
import { endOf, flat, line, MI, MINUTE_MS } from "./samples.js";

const LIMIT = 1024 * MI;
const series = (pod: string, points: Array<[number, number]>, container = "app"): Series => ({
  labels: { namespace: "shop", pod, container },
  points,
});

const killed = line({ fromBytes: 150 * MI, bytesPerHour: 100 * MI, count: 520, noiseSd: 10 * MI, seed: 3 });
const killMs = endOf(killed) + 40_000;
const now = line({
  fromBytes: 150 * MI,
  bytesPerHour: 100 * MI,
  count: 20,
  startMs: killMs + 3 * MINUTE_MS,
  noiseSd: 10 * MI,
  seed: 4,
});

describe("a container's pattern over its history", () => {
  it("when its latest kill ended a leak and it restarted, then a leak with the next kill predicted from the run going now", () => {
    const history = [series("web-a", [...killed, ...now])];
    const kills = [{ pod: "web-a", container: "app", atMs: killMs, bytes: LIMIT }];
    const finding = containerPattern({
      runs: splitRuns(history, kills),
      kills,
      container: "app",
      limitBytes: LIMIT,
      endMs: endOf(now),
    });
    assert.equal(finding.pattern, "leak");
    assert.ok(finding.prediction);
    // From about 170 MiB at 100 MiB/h the limit is some 8.5 h away.
    const hoursAhead = (Date.parse(finding.prediction.at) - endOf(now)) / 3_600_000;
    assert.ok(hoursAhead > 7 && hoursAhead < 8.6, `${hoursAhead} h`);
    assert.ok(finding.prediction.errorMinutes < 60, `±${finding.prediction.errorMinutes} min`);
  });

  it("when another pod of the workload has sat flat for over an hour, then the next kill is predicted from the pod that leaks, not from it", () => {
    // An hour and a half of it, to the same instant as web-a's young run.
    const flatRun = flat(700 * MI, 90, { noiseSd: 5 * MI, startMs: endOf(now) - 89 * MINUTE_MS });
    const history = [series("web-a", [...killed, ...now]), series("web-b", flatRun)];
    const kills = [{ pod: "web-a", container: "app", atMs: killMs, bytes: LIMIT }];
    const finding = containerPattern({
      runs: splitRuns(history, kills),
      kills,
      container: "app",
      limitBytes: LIMIT,
      endMs: endOf(now),
    });
    assert.equal(finding.pattern, "leak");
    assert.ok(finding.prediction);
    // At the leak's pace web-b would meet the limit within some 2 h; web-a is some 8 h away.
    const hoursAhead = (Date.parse(finding.prediction.at) - endOf(now)) / 3_600_000;
    assert.ok(hoursAhead > 7, `${hoursAhead} h`);
  });

  it("when the young run going now is all there is, then no prediction: the killed run's growth is what makes one", () => {
    const runs = splitRuns([series("web-a", now)]);
    const alone = containerPattern({
      runs,
      kills: [],
      container: "app",
      limitBytes: LIMIT,
      endMs: endOf(now),
    });
    assert.equal(alone.prediction, null);
  });

  it("when the latest kill ended a spike, then that is the pattern, with no prediction", () => {
    const before = flat(300 * MI, 200, { noiseSd: 5 * MI, startMs: killMs + 3 * MINUTE_MS });
    const spikeKill = { pod: "web-b", container: "app", atMs: endOf(before) + 50_000, bytes: LIMIT };
    const older = { pod: "web-a", container: "app", atMs: killMs, bytes: LIMIT };
    const history = [series("web-a", killed), series("web-b", before)];
    const finding = containerPattern({
      runs: splitRuns(history, [older, spikeKill]),
      kills: [older, spikeKill],
      container: "app",
      limitBytes: LIMIT,
      endMs: spikeKill.atMs,
    });
    assert.equal(finding.pattern, "spike");
    assert.equal(finding.prediction, null);
  });

  it("when no kill is in the history, then the runs going now speak, a leak first", () => {
    const history = [series("web-a", flat(400 * MI, 200)), series("web-b", killed.slice(0, 300))];
    const finding = containerPattern({
      runs: splitRuns(history),
      kills: [],
      container: "app",
      limitBytes: LIMIT,
      endMs: Math.max(endOf(killed.slice(0, 300)), endOf(flat(400 * MI, 200))),
    });
    assert.equal(finding.pattern, "leak");
    assert.ok(finding.prediction);
  });

  it("when the history holds nothing of the container, then unknown", () => {
    const finding = containerPattern({
      runs: splitRuns([series("web-a", killed, "sidecar")]),
      kills: [],
      container: "app",
      limitBytes: LIMIT,
      endMs: endOf(killed),
    });
    assert.equal(finding.pattern, "unknown");
    assert.equal(finding.slopeBytesPerHour, null);
  });
});
