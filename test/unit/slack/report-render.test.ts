// The report's Slack messages for the cases the seed does not show: a quiet namespace, every kill
// snoozed, unreadable nodes, more workloads than one message holds.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { LIMITS, type SlackMessage } from "../../../src/slack/render/blocks.js";
import {
  affectedGroups,
  notesReply,
  sharedReply,
  summaryMessage,
  textBar,
  workloadActionsMessage,
  workloadReply,
} from "../../../src/slack/render/report.js";
import type { WorkloadGroup } from "../../../src/slack/render/workloads.js";
import { bigReport, WORKLOADS, WORST } from "../../harness/big-namespace.js";
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

describe("the memory field", () => {
  it("when the report gives the victim's resident bytes, then the reply shows that figure, not a sum of its own", () => {
    const report = { ...seed, namespace: "production" };
    const [group] = affectedGroups(report).filter((candidate) => candidate.primary.kernelEvent !== null);
    assert.ok(group?.primary.kernelEvent);
    const kernelEvent = { ...group.primary.kernelEvent, residentBytes: 500 * 1024 * 1024 };
    const primary = { ...group.primary, kernelEvent };
    const reply = workloadReply(
      { ...group, primary, findings: [primary] },
      { t: en, excerptLines: 20, snoozeDays: 7, findingId: () => "f".repeat(32) },
    );
    assert.match(JSON.stringify(reply.blocks), /resident at the kill 500.0 MiB \(50%\)/);
  });
});

describe("more workloads than one message holds", () => {
  const big = bigReport();
  const groups = affectedGroups(big);
  const context = {
    t: en,
    excerptLines: 20,
    snoozeDays: 7,
    findingId: (group: WorkloadGroup) => `id-${group.name}`,
  };
  const ROW = /^Deployment (svc-\d+) +1 +\d+ +06-01 \d\d:\d\dZ +container limit$/;

  /** The table rows of a message's sections, each checked to be whole; and its "+N more", if any. */
  function tableOf(message: SlackMessage): { names: string[]; more: number | null } {
    const names: string[] = [];
    let more: number | null = null;
    for (const block of message.blocks) {
      if (block.type !== "section" || !("text" in block) || !block.text.text.startsWith("```")) continue;
      assert.ok(Array.from(block.text.text).length <= LIMITS.text);
      const lines = block.text.text.split("\n");
      const close = lines.lastIndexOf("```");
      for (const line of lines.slice(2, close)) {
        const name = ROW.exec(line)?.[1];
        assert.ok(name, `a whole row: ${line}`);
        names.push(name);
      }
      const tail = lines.slice(close + 1).join("\n");
      if (tail !== "") more = Number(/^\+(\d+) more workloads$/.exec(tail)?.[1]);
    }
    return { names, more };
  }

  const menuOptions = (message: SlackMessage) =>
    message.blocks.flatMap((block) =>
      block.type === "actions"
        ? block.elements.flatMap((element) => (element.type === "static_select" ? element.options : []))
        : [],
    );

  it("when 61 workloads were OOM-killed, then the summary starts with the worst, cuts no row and ends with +N more", () => {
    const message = summaryMessage(big, groups, { t: en, user: "U1", snoozed: 0 });
    const table = tableOf(message);
    assert.equal(table.names[0], WORST.name);
    assert.ok(table.names.length < WORKLOADS);
    assert.equal(table.more, WORKLOADS - table.names.length);
    assert.deepEqual(
      table.names,
      groups.slice(0, table.names.length).map((group) => group.name),
    );
  });

  it("when the workloads past the first 15 share a reply, then each is in its table and its menu once", () => {
    const shared = groups.slice(15);
    const message = sharedReply(shared, context);
    assert.match(message.text, /46 more workloads with OOM kills/);
    const table = tableOf(message);
    assert.deepEqual(
      table.names,
      shared.map((group) => group.name),
    );
    assert.equal(table.more, null);
    assert.deepEqual(
      menuOptions(message).map((option) => [option.text.text, option.value]),
      shared.map((group) => [`Deployment ${group.name}`, `id-${group.name}`]),
    );
    assert.ok(message.blocks.length <= LIMITS.blocks);
  });

  it("when 3000 workloads share the reply, then it keeps to 50 blocks and 100 options a menu, and says how many are left out", () => {
    const template = groups[1] as WorkloadGroup;
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ...template,
      key: `production/Deployment/svc-${i}`,
      name: `svc-${i}`,
    }));
    const message = sharedReply(many, context);
    assert.ok(message.blocks.length <= LIMITS.blocks, `${message.blocks.length} blocks`);
    const table = tableOf(message);
    assert.equal(table.more, 3000 - table.names.length);
    const options = menuOptions(message);
    assert.equal(options.length, table.names.length);
    for (const block of message.blocks)
      if (block.type === "actions")
        for (const element of block.elements)
          if (element.type === "static_select") assert.ok(element.options.length <= LIMITS.selectOptions);
  });

  it("when a workload is picked in the menu, then its buttons are those its own reply would have", () => {
    const target = {
      id: "f1",
      kind: "StatefulSet",
      name: "db",
      pod: "db-0",
      container: "postgres",
      recommendedLimit: null,
      hasKernelReport: false,
    };
    const bare = workloadActionsMessage(target, en, 7);
    assert.equal(bare.text, "*StatefulSet db* (db-0 / postgres)");
    const actionIds = (message: SlackMessage) =>
      message.blocks.flatMap((block) =>
        block.type === "actions" ? block.elements.map((element) => [element.action_id, element.type]) : [],
      );
    assert.deepEqual(actionIds(bare), [["snooze_workload", "button"]]);
    const full = workloadActionsMessage({ ...target, recommendedLimit: "2Gi", hasKernelReport: true }, en, 7);
    assert.deepEqual(
      actionIds(full).map(([id]) => id),
      ["propose_limit", "show_kernel_log", "snooze_workload"],
    );
  });
});
