// The seed incident's report as Slack messages (Block Kit JSON), in English and Simplified Chinese,
// byte for byte, and those of a namespace with 61 OOM-killed workloads: the summary, the reply the
// workloads past the first 15 share, and one of their buttons on demand. Regenerate after an intended
// change with `npm run test:golden:update`.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Locale } from "../../src/config/schema.js";
import type { Report } from "../../src/report/model.js";
import { splitReplies } from "../../src/report/severity.js";
import { messages } from "../../src/slack/i18n/catalog.js";
import { LIMITS, type SlackMessage } from "../../src/slack/render/blocks.js";
import {
  affectedGroups,
  notesReply,
  sharedReply,
  summaryMessage,
  workloadActionsMessage,
  workloadReply,
} from "../../src/slack/render/report.js";
import { bigReport } from "../harness/big-namespace.js";
import { fixturePath } from "../harness/fixtures.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const report = JSON.parse(
  readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
) as Report;
// The golden report comes from `analyze`, which has no namespace of its own: render it as a scan of production.
report.namespace = "production";

function render(locale: Locale): SlackMessage[] {
  const t = messages(locale);
  const groups = affectedGroups(report);
  const context = { t, excerptLines: 20, snoozeDays: 7, findingId: () => FINDING_ID };
  const notes = notesReply(report, t);
  return [
    summaryMessage(report, groups, { t, user: "U0ALICE", snoozed: 0 }),
    ...groups.map((group) => workloadReply(group, context)),
    ...(notes ? [notes] : []),
  ];
}

const FINDING_ID = "0123456789abcdef0123456789abcdef";

/** The big namespace's summary, the reply the workloads past the first 15 share, and one's buttons. */
function renderBig(locale: Locale): SlackMessage[] {
  const t = messages(locale);
  const report = bigReport();
  const groups = affectedGroups(report);
  const { shared } = splitReplies(groups, 15);
  // Ids that tell the menu's options apart: the workload's name, padded to a finding id's length.
  const findingId = (group: { name: string }) => group.name.padEnd(32, "0");
  const context = { t, excerptLines: 20, snoozeDays: 7, findingId };
  const target = {
    id: FINDING_ID,
    kind: "Deployment",
    name: "svc-03",
    pod: "svc-03-5c6969978b-x7k2p",
    container: "systembusiness",
    recommendedLimit: "1280Mi",
    hasKernelReport: true,
  };
  return [
    summaryMessage(report, groups, { t, user: "U0ALICE", snoozed: 0 }),
    sharedReply(shared, context),
    workloadActionsMessage(target, t, 7),
  ];
}

function checkGolden(rendered: SlackMessage[], path: string): SlackMessage[] {
  const text = `${JSON.stringify(rendered, null, 2)}\n`;
  if (UPDATE) writeFileSync(path, text);
  assert.equal(text, readFileSync(path, "utf8"));
  return rendered;
}

function allTexts(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (value && typeof value === "object") return Object.values(value).flatMap(allTexts);
  return [];
}

function assertWithinLimits(rendered: SlackMessage[]): void {
  for (const message of rendered) {
    assert.ok(message.blocks.length <= LIMITS.blocks);
    for (const text of allTexts(message.blocks)) assert.ok(Array.from(text).length <= LIMITS.text);
  }
}

describe("the seed report in Slack", () => {
  for (const locale of ["en", "zh-CN"] as const) {
    it(`when rendered in ${locale}, then the messages match the golden file and Slack's limits`, () => {
      const path = fixturePath("seed", "expected", `slack.${locale}.golden.json`);
      assertWithinLimits(checkGolden(render(locale), path));
    });
  }

  it("when rendered in zh-CN, then the framing is Chinese", () => {
    const text = JSON.stringify(render("zh-CN"));
    assert.match(text, /容器内存上限/);
    assert.match(text, /提议将 limit 调整为 1280Mi/);
    assert.match(text, /暂停提醒 7 天/);
  });
});

describe("a namespace with 61 OOM-killed workloads in Slack", () => {
  for (const locale of ["en", "zh-CN"] as const) {
    it(`when rendered in ${locale}, then the messages match the golden file and Slack's limits`, () => {
      const path = fixturePath("big-namespace", `slack.${locale}.golden.json`);
      assertWithinLimits(checkGolden(renderBig(locale), path));
    });
  }
});
