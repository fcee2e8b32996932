import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { byteLabel, byteTicks, timeTicks } from "../../../src/history/chart-axes.js";

const HOUR_MS = 3_600_000;
const labels = (startIso: string, hours: number, tz: string) => {
  const startMs = Date.parse(startIso);
  return timeTicks(startMs, startMs + hours * HOUR_MS, tz).map((tick) => tick.label);
};

describe("the memory chart's axes", () => {
  it("when the span is six hours in a half-hour zone, then ticks fall on the reader's whole hours and the new day is named", () => {
    // 23:30 to 05:30 in Asia/Kolkata (UTC+5:30).
    const startMs = Date.parse("2026-07-11T18:00:00Z");
    const ticks = timeTicks(startMs, startMs + 6 * HOUR_MS, "Asia/Kolkata");
    assert.deepEqual(
      ticks.map((tick) => tick.label),
      ["07-12", "01:00", "02:00", "03:00", "04:00", "05:00"],
    );
    assert.equal(ticks[0]?.ms, Date.parse("2026-07-11T18:30:00Z"));
    assert.deepEqual(
      ticks.map((tick) => tick.dayStart),
      [true, false, false, false, false, false],
    );
  });

  it("when the zone is a quarter hour off UTC, then ticks still fall on its whole hours", () => {
    // Asia/Kathmandu is UTC+5:45: 10:00 UTC is 15:45 there.
    assert.deepEqual(labels("2026-07-11T10:00:00Z", 6, "Asia/Kathmandu"), [
      "16:00",
      "17:00",
      "18:00",
      "19:00",
      "20:00",
      "21:00",
    ]);
  });

  it("when the span is three hours, then ticks come every half hour; twelve hours, every two", () => {
    assert.deepEqual(labels("2026-07-11T10:00:00Z", 3, "UTC"), [
      "10:00",
      "10:30",
      "11:00",
      "11:30",
      "12:00",
      "12:30",
      "13:00",
    ]);
    assert.deepEqual(labels("2026-07-11T10:00:00Z", 12, "UTC"), [
      "10:00",
      "12:00",
      "14:00",
      "16:00",
      "18:00",
      "20:00",
      "22:00",
    ]);
  });

  it("when the clocks go back within the span, then the repeated hour is ticked twice", () => {
    // Europe/Berlin leaves summer time at 03:00 CEST on 2026-10-25 (01:00 UTC).
    assert.deepEqual(labels("2026-10-24T22:30:00Z", 6, "Europe/Berlin"), [
      "01:00",
      "02:00",
      "02:00",
      "03:00",
      "04:00",
      "05:00",
    ]);
  });

  it("when the span is a week, then every day is named at its midnight; over a month, every few days", () => {
    assert.deepEqual(labels("2026-07-01T00:00:00Z", 7 * 24, "UTC"), [
      "07-01",
      "07-02",
      "07-03",
      "07-04",
      "07-05",
      "07-06",
      "07-07",
      "07-08",
    ]);
    const month = labels("2026-07-01T00:00:00Z", 30 * 24, "UTC");
    assert.ok(month.length <= 9, `${month.length} ticks`);
    assert.deepEqual(month.slice(0, 3), ["07-01", "07-05", "07-09"]);
  });

  it("when memory peaks at a figure, then the byte axis rises in powers of two to a tick at or above it", () => {
    assert.deepEqual(byteTicks(1050 * 2 ** 20), { every: 256 * 2 ** 20, top: 1280 * 2 ** 20 });
    assert.deepEqual(byteTicks(3 * 2 ** 30), { every: 2 ** 30, top: 3 * 2 ** 30 });
    assert.deepEqual(byteTicks(0), { every: 1024, top: 1024 });
    assert.deepEqual([0, 512 * 2 ** 10, 768 * 2 ** 20, 2 ** 30, 1.25 * 2 ** 30].map(byteLabel), [
      "0 B",
      "512 KiB",
      "768 MiB",
      "1 GiB",
      "1.25 GiB",
    ]);
  });
});
