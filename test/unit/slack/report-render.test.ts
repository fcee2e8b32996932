// The report's Slack messages for the cases the seed does not show: a quiet namespace, every kill
// snoozed, unreadable nodes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { affectedGroups, notesReply, summaryMessage, textBar } from "../../../src/slack/render/report.js";
import { fixturePath } from "../../harness/fixtures.js";

const seed = JSON.parse(
  readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
) as Report;
const en = messages("en");

function quiet(): Report {
  return {
    ...seed,
    namespace: "production",
    findings: [],
    warnings: [],
    workloads: [
      { kind: "Deployment", name: "api", pods: 2, restarts: 3, days: 1, restartsPerPodPerDay: 1.5 },
      { kind: "StatefulSet", name: "db", pods: 1, restarts: 0, days: 1, restartsPerPodPerDay: 0 },
      { kind: "Deployment", name: "web", pods: 4, restarts: 9, days: 1, restartsPerPodPerDay: 2.25 },
    ],
  };
}

describe("the summary message", () => {
  it("when nothing was OOM-killed, then one friendly message lists the top restarters", () => {
    const report = quiet();
    const message = summaryMessage(report, affectedGroups(report), { t: en, user: "U1", snoozed: 0 });
    const text = JSON.stringify(message.blocks);
    assert.equal(message.text, ":white_check_mark: No OOM kills found in `production`.");
    assert.match(
      text,
      /Most restarts:\\n• Deployment web: 9 restarts in 4 pods\\n• Deployment api: 3 restarts in 2 pods"/,
    );
    assert.doesNotMatch(text, /db/);
  });

  it("when nothing restarted either, then it says so", () => {
    const report = { ...quiet(), workloads: [] };
    const message = summaryMessage(report, [], { t: en, user: "U1", snoozed: 0 });
    assert.match(JSON.stringify(message.blocks), /No container restarted/);
  });

  it("when every workload with kills is snoozed, then it says so instead of all quiet", () => {
    const message = summaryMessage({ ...seed, namespace: "production" }, [], {
      t: en,
      user: "U1",
      snoozed: 1,
    });
    assert.match(message.text, /OOM kills only in snoozed workloads \(1\)/);
  });

  it("when some workloads are snoozed, then the table says how many are hidden", () => {
    const report = { ...seed, namespace: "production" };
    const message = summaryMessage(report, affectedGroups(report), { t: en, user: "U1", snoozed: 2 });
    assert.match(JSON.stringify(message.blocks), /2 snoozed workloads are not shown/);
  });
});

describe("the notes reply", () => {
  const withNodes: Report = {
    ...seed,
    warnings: [],
    nodes: [
      {
        node: "k8s-node-04",
        status: "host-key-mismatch",
        message: "k8s-node-04: the host key does not match known_hosts",
        hint: "check the node was not replaced",
        windows: [],
        oldestEntry: null,
        kernelVersion: null,
        containerRuntime: null,
      },
      {
        node: "k8s-node-01",
        status: "ok",
        message: null,
        hint: null,
        windows: [],
        oldestEntry: null,
        kernelVersion: null,
        containerRuntime: null,
      },
    ],
  };

  it("when a node could not be read, then it is listed with its error kind in the user's language", () => {
    const reply = notesReply(withNodes, messages("zh-CN"));
    assert.ok(reply);
    const text = JSON.stringify(reply.blocks);
    assert.match(text, /部分节点的日志无法读取/);
    assert.match(text, /\*k8s-node-04\*: 主机密钥不匹配/);
    assert.doesNotMatch(text, /k8s-node-01/);
  });

  it("when every node was read and there is no warning, then there is no notes reply", () => {
    assert.equal(notesReply({ ...withNodes, nodes: [] }, en), null);
  });
});

describe("the memory bar", () => {
  it("when usage is a share of the limit, then the bar fills that share of 20 cells", () => {
    assert.equal(textBar(0), "░".repeat(20));
    assert.equal(textBar(0.5), `${"▓".repeat(10)}${"░".repeat(10)}`);
    assert.equal(textBar(1.3), "▓".repeat(20));
  });
});
