// The seed incident's report as Slack messages (Block Kit JSON), in English and Simplified Chinese,
// byte for byte. Regenerate after an intended change with `npm run test:golden:update`.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Locale } from "../../src/config/schema.js";
import type { Report } from "../../src/report/model.js";
import { messages } from "../../src/slack/i18n/catalog.js";
import { LIMITS, type SlackMessage } from "../../src/slack/render/blocks.js";
import { affectedGroups, notesReply, summaryMessage, workloadReply } from "../../src/slack/render/report.js";
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
  const context = { t, excerptLines: 20, snoozeDays: 7, findingId: () => "0123456789abcdef0123456789abcdef" };
  const notes = notesReply(report, t);
  return [
    summaryMessage(report, groups, { t, user: "U0ALICE", snoozed: 0 }),
    ...groups.map((group) => workloadReply(group, context)),
    ...(notes ? [notes] : []),
  ];
}

function checkGolden(locale: Locale): SlackMessage[] {
  const rendered = render(locale);
  const text = `${JSON.stringify(rendered, null, 2)}\n`;
  const path = fixturePath("seed", "expected", `slack.${locale}.golden.json`);
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

describe("the seed report in Slack", () => {
  for (const locale of ["en", "zh-CN"] as const) {
    it(`when rendered in ${locale}, then the messages match the golden file and Slack's limits`, () => {
      const rendered = checkGolden(locale);
      for (const message of rendered) {
        assert.ok(message.blocks.length <= LIMITS.blocks);
        for (const text of allTexts(message.blocks)) assert.ok(Array.from(text).length <= LIMITS.text);
      }
    });
  }

  it("when rendered in zh-CN, then the framing is Chinese", () => {
    const text = JSON.stringify(render("zh-CN"));
    assert.match(text, /容器内存上限/);
    assert.match(text, /提议将 limit 调整为 1280Mi/);
    assert.match(text, /暂停提醒 7 天/);
  });
});
