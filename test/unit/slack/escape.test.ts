// Values from outside in Slack's mrkdwn: whatever a kernel comm, a name or a typed reason holds, it
// forms no mention, no link, and cannot close the code span or block it sits in.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { newProposal, type Proposal } from "../../../src/proposals/model.js";
import type { FindingJson, Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import type { SlackMessage } from "../../../src/slack/render/blocks.js";
import { digestMessage } from "../../../src/slack/render/digest.js";
import { entities, inert } from "../../../src/slack/render/escape.js";
import { auditMessage, outcomeText, proposalMessage } from "../../../src/slack/render/proposals.js";
import {
  affectedGroups,
  sharedReply,
  summaryMessage,
  workloadActionsMessage,
  workloadReply,
} from "../../../src/slack/render/report.js";
import { fixturePath } from "../../harness/fixtures.js";

const HOSTILE = "x```<!here>";
const en = messages("en");

const seed = JSON.parse(
  readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
) as Report;

/** Every text of a message Slack reads as mrkdwn, fallback included (plain_text, as labels, is not). */
function texts(message: SlackMessage): string[] {
  const all: string[] = [message.text];
  const walk = (value: unknown): void => {
    if (typeof value === "string") all.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object" && (value as { type?: unknown }).type !== "plain_text")
      Object.values(value).forEach(walk);
  };
  walk(message.blocks);
  return all;
}

/** Nothing Slack would act on: no `<...>` but the bot's own user mentions, and every fence closed. */
function assertInert(message: SlackMessage): void {
  for (const text of texts(message)) {
    assert.doesNotMatch(text, /<!|<#|<http|<mailto/, text);
    assert.ok(!text.includes(HOSTILE), text);
    assert.equal((text.split("```").length - 1) % 2, 0, `an open code block in ${text}`);
  }
}

describe("the escaping helper", () => {
  it("when a value holds &, < and >, then they become entities", () => {
    assert.equal(inert("a&b <@U1> <!channel>"), "a&amp;b &lt;@U1&gt; &lt;!channel&gt;");
  });

  it("when a value holds backticks, then none is left to open or close code", () => {
    assert.equal(inert(HOSTILE), "xˋˋˋ&lt;!here&gt;");
  });

  it("when prose of oom-doctor's own quotes a value, then its code spans stay and the value's brackets do not", () => {
    assert.equal(
      entities("use `journalctl --no-pager` for <x>"),
      "use `journalctl --no-pager` for &lt;x&gt;",
    );
  });
});

describe("hostile values in the report's messages", () => {
  const context = {
    t: en,
    excerptLines: 40,
    snoozeDays: 7,
    findingId: () => "0123456789abcdef0123456789abcdef",
  };

  function hostileReport(): Report {
    const report = structuredClone(seed);
    report.namespace = "production";
    const finding = report.findings[0] as FindingJson;
    const event = finding.kernelEvent;
    assert.ok(event?.victim);
    event.victim.comm = HOSTILE;
    event.excerpt = event.excerpt.map((line) => line.replaceAll("systembusin", HOSTILE));
    finding.pod = `pod-${HOSTILE}`;
    finding.container = `<@U0BOSS>${HOSTILE}`;
    finding.workload = { kind: "Deployment", name: `web${HOSTILE}` };
    finding.kubernetesEvents = [{ reason: HOSTILE, count: 2, lastSeen: null, message: "" }];
    finding.node = HOSTILE;
    return report;
  }

  it("when the kernel comm is x```<!here>, then the workload's reply renders it inert", () => {
    const report = hostileReport();
    // The workload of the hostile finding, wherever severity puts it.
    const group = affectedGroups(report).find((each) => each.name === `web${HOSTILE}`);
    assert.ok(group);
    const reply = workloadReply(group, context);
    assertInert(reply);
    const all = texts(reply).join("\n");
    assert.match(all, /`xˋˋˋ&lt;!here&gt;` \(pid 1735923\)/);
    assert.match(all, /Killed process 1735923 \(xˋˋˋ&lt;!here&gt;\)/);
  });

  it("when names hold mrkdwn, then the summary table stays one closed code block", () => {
    const report = hostileReport();
    const message = summaryMessage(report, affectedGroups(report), { t: en, user: "U0ALICE", snoozed: 0 });
    assertInert(message);
    assert.match(texts(message).join("\n"), /Deployment webxˋˋˋ&lt;!here&gt;/);
  });

  it("when names hold mrkdwn, then the shared reply's table stays one closed code block", () => {
    const message = sharedReply(affectedGroups(hostileReport()), context);
    assertInert(message);
    assert.match(texts(message).join("\n"), /Deployment webxˋˋˋ&lt;!here&gt;/);
  });

  it("when a workload picked in the shared reply has mrkdwn in its names, then its buttons' message renders them inert", () => {
    const message = workloadActionsMessage(
      {
        id: "0123456789abcdef0123456789abcdef",
        kind: "Deployment",
        name: `web${HOSTILE}`,
        pod: `pod-${HOSTILE}`,
        container: `<@U0BOSS>${HOSTILE}`,
        recommendedLimit: "1280Mi",
        hasKernelReport: true,
      },
      en,
      7,
    );
    assertInert(message);
    assert.match(texts(message).join("\n"), /&lt;@U0BOSS&gt;xˋˋˋ&lt;!here&gt;/);
  });
});

describe("hostile values in proposals", () => {
  const proposal: Proposal = {
    ...newProposal(
      {
        findingId: "0123456789abcdef0123456789abcdef",
        channel: "C0OPS",
        threadTs: "1.2",
        namespace: "production",
        workload: { kind: "Deployment", name: "web", uid: null },
        container: `app${HOSTILE}`,
        to: { limit: "1280Mi", request: null },
        reason: `because ${HOSTILE} <https://evil.example|click> &`,
        proposer: "U0ALICE",
        revertOf: null,
      },
      Date.parse("2021-07-12T04:10:20Z"),
      Date.parse("2021-07-13T04:10:20Z"),
    ),
    id: "0123456789abcdef01234567",
    from: { limit: "1000Mi", request: null },
    status: "refused",
    refusal: { kind: "api", message: `admission webhook said ${HOSTILE}` },
  };

  it("when the typed reason and the API's refusal hold mrkdwn, then the proposal message renders them inert", () => {
    const message = proposalMessage(proposal, en);
    assertInert(message);
    assert.match(
      texts(message).join("\n"),
      /Why: because xˋˋˋ&lt;!here&gt; &lt;https:\/\/evil\.example\|click&gt; &amp;/,
    );
  });

  it("when the API's refusal or a missing container's name holds mrkdwn, then the refusal renders it inert", () => {
    const refusals: Proposal["refusal"][] = [
      { kind: "api", message: `admission webhook said ${HOSTILE}` },
      { kind: "container-missing", container: `app${HOSTILE}` },
      { kind: "rule", problem: { field: "limit", kind: "not-a-quantity", value: HOSTILE } },
    ];
    for (const refusal of refusals) {
      const message = proposalMessage({ ...proposal, status: "failed", refusal }, en);
      assertInert(message);
      assert.match(texts(message).join("\n"), /xˋˋˋ&lt;!here&gt;/);
    }
  });

  it("when a step's outcome names a namespace, then the clicker's answer renders it inert", () => {
    const text = outcomeText({ kind: "not-approver", namespace: `prod${HOSTILE}` }, en);
    assert.ok(text !== null);
    assertInert({ text, blocks: [] });
    assert.match(text, /prodxˋˋˋ&lt;!here&gt;/);
  });

  it("when the reason reaches the audit trail, then it is inert there too", () => {
    const message = auditMessage(
      "production",
      [
        {
          at: "2021-07-12T04:10:20.000Z",
          event: "proposed",
          proposal: proposal.id,
          namespace: "production",
          workload: "Deployment/web",
          user: "U0ALICE",
          detail: `1280Mi: ${HOSTILE}`,
        },
      ],
      en,
    );
    assertInert(message);
  });
});

describe("hostile values in a digest", () => {
  it("when a workload and a termination reason hold mrkdwn, then the digest renders them inert", () => {
    const workload = `Deployment/web${HOSTILE}`;
    const message = digestMessage(
      {
        endMs: 0,
        today: { restarts: 3, oomKills: 1, podsAffected: 1, lowerBound: true },
        yesterday: { restarts: 0, oomKills: 0, podsAffected: 0, lowerBound: false },
        top: [
          {
            key: `production/${workload}`,
            namespace: "production",
            workload,
            restarts: 3,
            oomKills: 1,
            reasons: [HOSTILE, "OOMKilled"],
          },
        ],
        newOffenders: [`production/${workload}`],
        chronic: [{ workload: `production/${workload}`, days: 3 }],
        series: [],
      },
      {
        t: en,
        scope: "production",
        endText: "2021-07-13 09:00 UTC",
        snoozed: 0,
        silent: null,
        predictions: [],
        buttonValue: () => "0".repeat(24),
      },
    );
    assertInert(message);
    assert.match(texts(message).join("\n"), /\(xˋˋˋ&lt;!here&gt;, OOMKilled\)/);
  });
});
