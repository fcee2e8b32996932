import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, withKillPoint } from "../../../src/history/pattern.js";
import { endOf, flat, HOUR_MS, line, MI, MINUTE_MS, type Points, T0 } from "./samples.js";

const LIMIT = 1024 * MI;

describe("the pattern of a run", () => {
  it("when memory grew steadily for hours until the kill, then a leak with its slope and R², and no next kill", () => {
    const run = line({ fromBytes: 200 * MI, bytesPerHour: 100 * MI, count: 480, noiseSd: 15 * MI });
    const finding = classify(run, LIMIT, { kill: { atMs: endOf(run) + 30_000, bytes: LIMIT } });
    assert.equal(finding.pattern, "leak");
    assert.ok(
      Math.abs((finding.slopeBytesPerHour ?? 0) - 100 * MI) < 3 * MI,
      `${(finding.slopeBytesPerHour ?? 0) / MI}`,
    );
    assert.ok((finding.rSquared ?? 0) > 0.95);
    assert.equal(finding.prediction, null, "that kill came already");
  });

  it("when memory is growing steadily in a run still going, then a leak with its next kill predicted", () => {
    const run = line({ fromBytes: 200 * MI, bytesPerHour: 100 * MI, count: 240, noiseSd: 5 * MI });
    const finding = classify(run, LIMIT);
    assert.equal(finding.pattern, "leak");
    assert.ok(finding.prediction);
  });

  it("when memory was flat and then jumped to the limit within two minutes, then a spike of that jump", () => {
    const run = flat(400 * MI, 300, { noiseSd: 5 * MI });
    const rise: Points = [[endOf(run) + MINUTE_MS, 800 * MI]];
    const finding = classify([...run, ...rise], LIMIT, {
      kill: { atMs: endOf(run) + 2 * MINUTE_MS, bytes: LIMIT },
    });
    assert.equal(finding.pattern, "spike");
    assert.ok((finding.largestJumpBytes ?? 0) >= 600 * MI);
  });

  it("when the rise fell between the last scrape and the kill, then only the cgroup's figure at the kill shows the spike", () => {
    const run = flat(400 * MI, 300, { noiseSd: 5 * MI });
    const kill = { atMs: endOf(run) + 40_000, bytes: LIMIT };
    assert.equal(classify(run, LIMIT).pattern, "unknown");
    assert.equal(classify(run, LIMIT, { kill }).pattern, "spike");
    assert.equal(classify(run, LIMIT, { kill: { ...kill, bytes: null } }).pattern, "unknown");
  });

  it("when the jump is just under 30 % of the limit, then it is not a spike; at 30 %, it is", () => {
    const run = flat(400 * MI, 60);
    const at = (bytes: number) =>
      classify([...run, [endOf(run) + MINUTE_MS, 400 * MI + bytes]], LIMIT).pattern;
    assert.equal(at(Math.ceil(0.3 * LIMIT) - 1), "unknown");
    assert.equal(at(Math.ceil(0.3 * LIMIT)), "spike");
  });

  it("when a jump came an hour before the end, then it is not what ended the run", () => {
    const run: Points = [...flat(300 * MI, 60), ...flat(700 * MI, 60, { startMs: T0 + HOUR_MS })];
    assert.equal(classify(run, LIMIT).pattern, "unknown");
  });

  it("when the working set sat within 10 % of the limit after a short warm-up, then undersized with its share", () => {
    const warmUp = line({ fromBytes: 300 * MI, bytesPerHour: 6000 * MI, count: 7 });
    const plateau = flat(980 * MI, 300, { startMs: endOf(warmUp) + MINUTE_MS, noiseSd: 8 * MI });
    const finding = classify([...warmUp, ...plateau], LIMIT, {
      kill: { atMs: endOf(plateau) + 20_000, bytes: LIMIT },
    });
    assert.equal(finding.pattern, "undersized");
    assert.ok((finding.nearLimitShare ?? 0) > 0.95);
  });

  it("when most samples are near the limit but the plateau still climbs by a tenth of it, then not undersized", () => {
    const run = line({ fromBytes: 900 * MI, bytesPerHour: 60 * MI, count: 120, noiseSd: 40 * MI });
    const finding = classify(run, LIMIT);
    assert.ok((finding.nearLimitShare ?? 0) >= 0.6);
    assert.notEqual(finding.pattern, "undersized");
  });

  it("when memory grew steadily for only forty minutes, then too little to call it a leak", () => {
    const run = line({ fromBytes: 200 * MI, bytesPerHour: 300 * MI, count: 40 });
    assert.equal(classify(run, LIMIT).pattern, "unknown");
    assert.equal(
      classify(line({ fromBytes: 200 * MI, bytesPerHour: 300 * MI, count: 61 }), LIMIT).pattern,
      "leak",
    );
  });

  it("when a cache filled quickly and levelled off, then it is not a leak even with a good fit", () => {
    const run: Points = Array.from({ length: 240 }, (_, index) => [
      T0 + index * MINUTE_MS,
      Math.round(200 * MI + 500 * MI * (1 - Math.exp(-index / 80))),
    ]);
    const finding = classify(run, LIMIT);
    assert.ok((finding.rSquared ?? 0) >= 0.8, `R² ${finding.rSquared}`);
    assert.equal(finding.pattern, "unknown");
  });

  it("when growth is under 0.5 % of the limit an hour, then it is too slow to call a leak", () => {
    const slow = line({ fromBytes: 200 * MI, bytesPerHour: 5 * MI, count: 600 });
    assert.equal(classify(slow, LIMIT).pattern, "unknown");
    assert.equal(
      classify(line({ fromBytes: 200 * MI, bytesPerHour: 6 * MI, count: 600 }), LIMIT).pattern,
      "leak",
    );
  });

  it("when the limit is unknown, then a spike is measured against the run's peak and nothing is undersized", () => {
    const run = flat(400 * MI, 60);
    const finding = classify([...run, [endOf(run) + MINUTE_MS, 700 * MI]], null);
    assert.equal(finding.pattern, "spike");
    assert.equal(finding.nearLimitShare, null);
    assert.equal(classify(flat(1000 * MI, 60), null).pattern, "unknown");
  });

  it("when there are too few samples to fit, then unknown with no figures it cannot have", () => {
    const finding = classify([[T0, 100 * MI]], LIMIT);
    assert.deepEqual(finding, {
      pattern: "unknown",
      slopeBytesPerHour: null,
      rSquared: null,
      largestJumpBytes: null,
      nearLimitShare: 0,
      prediction: null,
    });
    assert.equal(classify([], LIMIT).nearLimitShare, null);
  });

  it("when a kill's figure is known, then it closes the run; when it is not or came before the last scrape, then not", () => {
    const run = flat(400 * MI, 3);
    assert.equal(withKillPoint(run, { atMs: endOf(run) + 1, bytes: LIMIT }).length, 4);
    assert.equal(withKillPoint(run, { atMs: endOf(run) + 1, bytes: null }).length, 3);
    assert.equal(withKillPoint(run, { atMs: endOf(run), bytes: LIMIT }).length, 3);
  });
});
