// The digest message when its counts come from a scope's first snapshot: labelled as lower bounds,
// in English and Simplified Chinese.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DigestModel, Totals } from "../../../src/digest/summary.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { digestMessage } from "../../../src/slack/render/digest.js";

const totals = (restarts: number, lowerBound: boolean): Totals => ({
  restarts,
  oomKills: restarts,
  podsAffected: restarts,
  lowerBound,
});

function model(today: Totals, yesterday: Totals): DigestModel {
  return {
    endMs: Date.parse("2026-06-01T09:00:00Z"),
    today,
    yesterday,
    top: [
      {
        key: "shop/Deployment/web",
        namespace: "shop",
        workload: "Deployment/web",
        restarts: today.restarts,
        oomKills: 3,
        reasons: ["OOMKilled"],
      },
    ],
    newOffenders: [],
    chronic: [],
    series: [{ workload: "shop/Deployment/web", perDay: [0, 0, 0, 0, 0, 0, today.restarts] }],
  };
}

function render(digest: DigestModel, locale: "en" | "zh-CN"): string {
  const context = {
    t: messages(locale),
    scope: "shop",
    endText: "2026-06-01 09:00 UTC",
    snoozed: 0,
    buttonValue: () => "b",
    silent: null,
    predictions: [],
  };
  return JSON.stringify(digestMessage(digest, context).blocks);
}

describe("a digest from a scope's first snapshot", () => {
  it("when today's counts are a lower bound, then they say at least, with no change against the day before", () => {
    const text = render(model(totals(3, true), totals(0, false)), "en");
    assert.match(text, /At least \*3\* restarts, \*3\* OOM kills, \*3\* pods affected"/);
    assert.doesNotMatch(text, /against the day before/);
    assert.match(text, /Lower bounds: before the first snapshot of this scope/);
  });

  it("when the day before was counted from the first snapshot, then it is shown as at least, not subtracted", () => {
    const text = render(model(totals(5, false), totals(3, true)), "en");
    assert.match(
      text,
      /\*5\* restarts, \*5\* OOM kills, \*5\* pods affected \(the day before: at least 3 restarts, 3 OOM kills\)/,
    );
    assert.match(text, /Lower bounds/);
  });

  it("when rendered in zh-CN, then the lower bound is labelled in Chinese", () => {
    const text = render(model(totals(3, true), totals(0, false)), "zh-CN");
    assert.match(text, /至少重启 \*3\* 次，OOM 杀死 \*3\* 次，涉及 \*3\* 个 Pod/);
    assert.match(text, /以上为下限/);
  });

  it("when every count is exact, then the change against the day before is shown and no lower-bound note", () => {
    const text = render(model(totals(5, false), totals(3, false)), "en");
    assert.match(text, /\(\+2 restarts, \+2 OOM kills against the day before\)/);
    assert.doesNotMatch(text, /Lower bounds|At least/);
  });
});

describe("a digest's silent kills", () => {
  it("when the day had no restarts but silent kills, then the quiet digest still names them", () => {
    const quiet = model(totals(0, false), totals(0, false));
    const silent =
      "*Silent kills in the last 24 hours*\n• 3 silent kills of `gunicorn` in shop / Deployment/web";
    for (const digest of [quiet, model(totals(4, false), totals(1, false))]) {
      const blocks = digestMessage(digest, {
        t: messages("en"),
        scope: "shop",
        endText: "2026-06-01 09:00 UTC",
        snoozed: 0,
        buttonValue: () => "b",
        silent,
        predictions: [],
      }).blocks;
      assert.ok(JSON.stringify(blocks).includes("3 silent kills of `gunicorn`"));
    }
  });
});

describe("a digest's look ahead", () => {
  it("when a workload leaks, then its next kill is named with its error, in the subscriber's clock", () => {
    for (const locale of ["en", "zh-CN"] as const) {
      const blocks = JSON.stringify(
        digestMessage(model(totals(4, false), totals(1, false)), {
          t: messages(locale),
          scope: "shop",
          endText: "2026-06-01 09:00 UTC",
          snoozed: 0,
          buttonValue: () => "b",
          silent: null,
          predictions: [{ workload: "shop/Deployment/<!here>", at: "2026-06-01 14:20", errorMinutes: 25 }],
        }).blocks,
      );
      assert.match(blocks, /2026-06-01 14:20/);
      assert.match(blocks, /±25/);
      assert.doesNotMatch(blocks, /<!here>/);
    }
  });
});
