// Memory history in Slack: the workload's reply carries the figures and the pattern (with the next kill
// for a leak) in both languages, and a report made without a metrics server says what one would add.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { HistorySummary } from "../../../src/history/model.js";
import type { Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { historyBlock } from "../../../src/slack/render/history.js";
import { affectedGroups, summaryMessage, workloadReply } from "../../../src/slack/render/report.js";
import { fixturePath } from "../../harness/fixtures.js";

const MI = 2 ** 20;
const seed = () =>
  JSON.parse(readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8")) as Report;

const leak: HistorySummary = {
  days: 7,
  workingSet: { min: 120 * MI, p50: 480 * MI, p90: 800 * MI, p99: 960 * MI, max: 1000 * MI },
  rssMax: 990 * MI,
  pattern: {
    pattern: "leak",
    slopeBytesPerHour: 38 * MI,
    rSquared: 0.97,
    largestJumpBytes: null,
    nearLimitShare: null,
    prediction: {
      at: "2021-07-12T14:20:00.000Z",
      errorMinutes: 25,
      slopeBytesPerHour: 38 * MI,
      fromBytes: 612 * MI,
    },
  },
  queries: [],
  problems: ["RSS: <!here> timed out"],
};

describe("memory history in Slack", () => {
  it("when a workload leaks, then its reply gives the figures, the growth and the next kill, in English and Chinese", () => {
    const en = JSON.stringify(historyBlock(leak, messages("en")));
    assert.match(
      en,
      /Working set over 7 days: p50 480\.0 MiB, p90 800\.0 MiB, p99 960\.0 MiB, max 1000\.0 MiB; RSS max 990\.0 MiB/,
    );
    assert.match(en, /\*Leak\*: it grows steadily, \+38\.0 MiB\/h \(R² 0\.97\)/);
    assert.match(
      en,
      /At \+38\.0 MiB\/h from 612\.0 MiB, the limit is reached around \*2021-07-12 14:20 UTC\*, ±25 min/,
    );
    assert.match(en, /History incomplete/);
    assert.doesNotMatch(en, /<!here>/);
    assert.match(
      JSON.stringify(historyBlock(leak, messages("zh-CN"))),
      /泄漏[\s\S]*2021-07-12 14:20 UTC[\s\S]*±25 分钟/,
    );
  });

  it("when a finding has history, then the workload's reply shows it before the recommendation", () => {
    const report = seed();
    report.namespace = "production";
    for (const finding of report.findings) finding.history = leak;
    const group = affectedGroups(report)[0];
    assert.ok(group);
    const context = { t: messages("en"), excerptLines: 20, snoozeDays: 7, findingId: () => "f" };
    const blocks = JSON.stringify(workloadReply(group, context).blocks);
    assert.ok(blocks.indexOf("Memory before the kills") < blocks.indexOf("Recommendation"));
  });

  it("when no metrics server is set, then the summary says once what history would add", () => {
    const report = seed();
    report.namespace = "production";
    const groups = affectedGroups(report);
    const t = messages("en");
    const without = JSON.stringify(
      summaryMessage(report, groups, { t, user: "U1", snoozed: 0, withoutHistory: true }),
    );
    const withIt = JSON.stringify(summaryMessage(report, groups, { t, user: "U1", snoozed: 0 }));
    assert.match(without, /With Prometheus \(prometheus\.url\)/);
    assert.doesNotMatch(withIt, /prometheus\.url/);
  });
});
