import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../../src/config/load.js";
import { lockTimings, longestTakeoverMs } from "../../../src/queue/locks.js";

describe("job locks and stalled checks", () => {
  it("when the default configuration is used, then a dead worker's job is taken over within 15 s of a replacement starting", () => {
    const config = buildConfig({}, {}, "test");
    assert.ok(config.ok);
    const timings = lockTimings(config.value.queue.lockSeconds);
    assert.ok(longestTakeoverMs(timings) <= 15_000, `${longestTakeoverMs(timings)} ms`);
  });

  for (const lockSeconds of [2, 3, 10, 30, 600]) {
    it(`when the lock is ${lockSeconds} s, then it is renewed at least twice within it and checked as often`, () => {
      const timings = lockTimings(lockSeconds);
      assert.equal(timings.lockMs, lockSeconds * 1000);
      assert.ok(timings.renewMs * 3 <= timings.lockMs + 1, "renewed at a third of the lock");
      assert.ok(timings.stalledCheckMs <= timings.lockMs / 2, "checked at least twice per lock");
      assert.equal(longestTakeoverMs(timings), timings.lockMs + timings.stalledCheckMs);
    });
  }
});
