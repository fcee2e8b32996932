// Live alerts as Slack messages (Block Kit JSON), in English and Simplified Chinese, byte for byte: a
// workload's thread root at its 4th kill today, a node-pressure root with a SystemOOM, the storm
// summary, a reply listing 20 kills, a silent gunicorn kill, the end of quiet hours and the channel's
// subscriptions. Regenerate after an intended change with `npm run test:golden:update`.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { AlertSubscription } from "../../src/alerts/model.js";
import type { Locale } from "../../src/config/schema.js";
import { messages } from "../../src/slack/i18n/catalog.js";
import {
  childProcessReply,
  killsReply,
  nodeAlertRoot,
  quietSummaryMessage,
  stormSummaryRoot,
  watchListMessage,
  workloadAlertRoot,
} from "../../src/slack/render/alerts.js";
import { LIMITS, type SlackMessage } from "../../src/slack/render/blocks.js";
import { childKill, oomKill, systemOomKill } from "../harness/alert-kills.js";
import { fixturePath } from "../harness/fixtures.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Twenty kills of four workloads on k8s-node-04, a minute apart. */
const burst = Array.from({ length: 20 }, (_, index) =>
  oomKill({
    at: new Date(Date.parse("2021-07-12T04:00:00Z") + index * 60_000).toISOString(),
    pod: `svc-${index % 4}-5c6969978b-${String(index).padStart(5, "0")}`,
    workload: `Deployment/svc-${index % 4}`,
    container: "app",
  }),
);

const subscriptions: AlertSubscription[] = [
  {
    id: "3f9a1c",
    channel: "C0ALERTS",
    scope: "production",
    minSeverity: "warning",
    quiet: { from: "22:00", to: "07:00" },
    tz: "Asia/Shanghai",
    createdBy: "U0ALICE",
    createdAt: "2021-07-01T00:00:00Z",
  },
  {
    id: "route-1",
    channel: "C0ALERTS",
    scope: "team-*",
    minSeverity: "info",
    quiet: null,
    tz: "UTC",
    createdBy: "config",
    createdAt: "2021-07-01T00:00:00Z",
  },
];

function render(locale: Locale): SlackMessage[] {
  const t = messages(locale);
  return [
    workloadAlertRoot({ kill: oomKill(), killsToday: 4, severity: "critical" }, t),
    nodeAlertRoot(
      { node: "k8s-node-04", containersKilled: 40, systemOom: systemOomKill(), severity: "critical" },
      t,
    ),
    stormSummaryRoot({ kills: 37, workloads: 12 }, t),
    killsReply(burst, t),
    childProcessReply(childKill(), t),
    quietSummaryMessage(
      { kills: burst.slice(0, 5), quiet: { from: "22:00", to: "07:00" }, tz: "Asia/Shanghai" },
      t,
    ),
    watchListMessage(subscriptions, t),
  ];
}

function allTexts(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (value && typeof value === "object") return Object.values(value).flatMap(allTexts);
  return [];
}

describe("live alerts in Slack", () => {
  for (const locale of ["en", "zh-CN"] as const) {
    it(`when rendered in ${locale}, then the messages match the golden file and Slack's limits`, () => {
      const rendered = render(locale);
      const text = `${JSON.stringify(rendered, null, 2)}\n`;
      const path = fixturePath("alerts", `slack.${locale}.golden.json`);
      if (UPDATE) writeFileSync(path, text);
      assert.equal(text, readFileSync(path, "utf8"));
      for (const message of rendered) {
        assert.ok(message.blocks.length <= LIMITS.blocks);
        for (const part of allTexts(message.blocks)) assert.ok(Array.from(part).length <= LIMITS.text);
      }
    });
  }
});
