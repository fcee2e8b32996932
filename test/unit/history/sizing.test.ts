import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { noteText } from "../../../src/analysis/recommendation-notes.js";
import type { PatternFinding } from "../../../src/history/model.js";
import { type HistorySizingInput, sizeFromHistory } from "../../../src/history/sizing.js";
import { messages } from "../../../src/slack/i18n/catalog.js";

const MI = 2 ** 20;
const GI = 2 ** 30;

const unknown: PatternFinding = {
  pattern: "unknown",
  slopeBytesPerHour: 2 * MI,
  rSquared: 0.1,
  largestJumpBytes: 20 * MI,
  nearLimitShare: 0.2,
  prediction: null,
};

function input(overrides: Partial<HistorySizingInput> = {}): HistorySizingInput {
  return {
    residentAtKillBytes: 1010.8 * MI,
    workingSetP99: 900 * MI,
    workingSetP90: 700 * MI,
    historyDays: 7,
    currentRequestBytes: 100 * MI,
    currentLimitBytes: 1000 * MI,
    pattern: unknown,
    headroomFraction: 0.25,
    minStepBytes: 256 * MI,
    maxLimitBytes: 64 * GI,
    ...overrides,
  };
}

const words = (sizing: { notes: Parameters<typeof noteText>[0][] }) => sizing.notes.map(noteText).join(" ");

describe("sizing with the history", () => {
  it("when the kill's resident memory is above the p99, then the limit is sized from it and the request from p90", () => {
    const sizing = sizeFromHistory(input());
    assert.equal(sizing.limitBytes, 1280 * MI, "1010.8 MiB plus 25 % is 1263.5 MiB, rounded up to 1280Mi");
    assert.equal(sizing.requestBytes, 768 * MI, "700 MiB rounded up to 768Mi");
    assert.deepEqual(
      sizing.notes.map((note) => note.kind),
      ["sized-from-history", "request-from-history"],
    );
    assert.equal(
      words(sizing),
      "Resident memory at the kill was 1010.8 MiB and the working set's 99th percentile over 7 days was 900.0 MiB; the larger, with 25% headroom, is 1.2 GiB, and a raise should be at least 256Mi: 1280Mi. " +
        "Set the memory request to 768Mi: the working set's 90th percentile over 7 days was 700.0 MiB, what the container holds on an ordinary day, so the scheduler reserves that.",
    );
  });

  it("when the p99 over the history is above what the kill showed, then the p99 sizes the limit", () => {
    const sizing = sizeFromHistory(input({ residentAtKillBytes: 600 * MI, workingSetP99: 1500 * MI }));
    assert.equal(sizing.limitBytes, 2048 * MI, "1500 MiB plus 25 % is 1875 MiB, rounded up to 2Gi");
  });

  it("when only one figure is known, then it alone sizes the limit and the note says so", () => {
    const sizing = sizeFromHistory(input({ residentAtKillBytes: null }));
    assert.equal(sizing.limitBytes, 1280 * MI, "at least the current 1000Mi plus 256Mi");
    assert.match(
      words(sizing),
      /^The working set's 99th percentile over 7 days was 900\.0 MiB; that, with 25% headroom, is 1\.1 GiB/,
    );
  });

  it("when the current request is above the p90, then it is kept, with the reason", () => {
    const sizing = sizeFromHistory(input({ currentRequestBytes: GI }));
    assert.equal(sizing.requestBytes, GI);
    assert.match(
      words(sizing),
      /Keep the memory request at 1Gi, above the working set's 90th percentile over 7 days \(700\.0 MiB\)/,
    );
  });

  it("when the pattern is a leak, then 'fix the leak first' comes first, with the stopgap and the hours it buys", () => {
    const leak: PatternFinding = { ...unknown, pattern: "leak", slopeBytesPerHour: 40 * MI, rSquared: 0.97 };
    const sizing = sizeFromHistory(input({ pattern: leak }));
    assert.equal(sizing.notes[0]?.kind, "leak-first");
    assert.equal(
      noteText(sizing.notes[0] as Parameters<typeof noteText>[0]),
      "Memory grew steadily at +40.0 MiB/h (R² 0.97) until the kill: a leak. Fix the leak first (heap profiles a few hours apart show what grows); 1280Mi is a stopgap that only adds about 7.0 h between kills.",
    );
  });

  it("when the pattern is a spike or undersized, then its figures come first", () => {
    const spike = sizeFromHistory(
      input({ pattern: { ...unknown, pattern: "spike", largestJumpBytes: 600 * MI } }),
    );
    assert.match(words(spike), /^Memory rose by 600\.0 MiB within 5 minutes before the kill: a spike\./);
    const flat = sizeFromHistory(
      input({ pattern: { ...unknown, pattern: "undersized", nearLimitShare: 0.84 } }),
    );
    assert.match(words(flat), /^The working set stayed within 10% of the limit for 84\.0% of the run/);
  });

  it("when the configured maximum is below the wanted limit, then it is capped there and says so", () => {
    const sizing = sizeFromHistory(input({ maxLimitBytes: 1200 * MI }));
    assert.equal(sizing.limitBytes, 1200 * MI);
    assert.match(words(sizing), /Capped at 1200Mi by the configured maximum \(1200Mi\)\./);
  });

  it("when no ceiling leaves room above the current limit, then no limit, and a leak is still to be fixed", () => {
    const leak: PatternFinding = { ...unknown, pattern: "leak", slopeBytesPerHour: 40 * MI, rSquared: 0.97 };
    const sizing = sizeFromHistory(
      input({ maxLimitBytes: 1000 * MI, caps: { nodeAllocatableBytes: 900 * MI }, pattern: leak }),
    );
    assert.equal(sizing.limitBytes, null);
    assert.equal(sizing.requestBytes, 768 * MI, "the request stays within the current limit");
    assert.match(
      words(sizing),
      /a leak\. Fix the leak first \(heap profiles a few hours apart show what grows\)\./,
    );
    assert.match(words(sizing), /It cannot be raised: the node's allocatable memory \(900Mi\)/);
  });

  it("when the p90 is above the new limit's reach, then the request is held at the limit", () => {
    const sizing = sizeFromHistory(input({ workingSetP90: 1270 * MI }));
    assert.equal(sizing.requestBytes, 1280 * MI);
  });

  it("when neither the kill nor the history has a figure, then the current limit plus the minimum step", () => {
    const sizing = sizeFromHistory(
      input({ residentAtKillBytes: null, workingSetP99: null, workingSetP90: null }),
    );
    assert.equal(sizing.limitBytes, 1256 * MI);
    assert.equal(sizing.requestBytes, null);
    assert.deepEqual(
      sizing.notes.map((note) => note.kind),
      ["no-kernel-figures"],
    );
    const none = sizeFromHistory(
      input({ residentAtKillBytes: null, workingSetP99: null, currentLimitBytes: null }),
    );
    assert.equal(none.limitBytes, null);
  });
});

describe("the history's notes in every language", () => {
  const leak: PatternFinding = { ...unknown, pattern: "leak", slopeBytesPerHour: 40 * MI, rSquared: 0.97 };
  const notes = [
    ...sizeFromHistory(input({ pattern: leak })).notes,
    ...sizeFromHistory(
      input({
        currentRequestBytes: GI,
        pattern: { ...unknown, pattern: "spike", largestJumpBytes: 600 * MI },
      }),
    ).notes,
    ...sizeFromHistory(input({ pattern: { ...unknown, pattern: "undersized", nearLimitShare: 0.84 } })).notes,
  ];

  it("when the notes are worded in English and Chinese, then each carries its figures", () => {
    const kinds = new Set(notes.map((note) => note.kind));
    assert.deepEqual([...kinds].sort(), [
      "flat-at-limit",
      "leak-first",
      "request-from-history",
      "request-kept",
      "sized-from-history",
      "spike-before-kill",
    ]);
    for (const locale of ["en", "zh-CN"] as const) {
      const reason = messages(locale).reason;
      const text = notes.map(reason).join("\n");
      for (const figure of [
        "1010.8 MiB",
        "900.0 MiB",
        "1280Mi",
        "768Mi",
        "700.0 MiB",
        "+40.0 MiB/h",
        "0.97",
        "7.0",
        "600.0 MiB",
        "84.0%",
        "1Gi",
      ]) {
        assert.ok(text.includes(figure), `${locale} says ${figure}`);
      }
    }
    assert.match(
      messages("zh-CN").reason(notes[0] as Parameters<typeof noteText>[0]),
      /^内存在被杀前以 \+40\.0 MiB\/h 的速度稳定增长/,
    );
  });
});
