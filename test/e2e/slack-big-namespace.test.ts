// /oom on a namespace with 61 OOM-killed workloads, end to end: the root's summary puts the worst first
// and says how many rows it leaves out, the 15 worst get a reply each, the other 46 share one reply,
// and a workload picked in that reply's menu gets buttons that work.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bigCluster, CAPTURED, WORKLOADS, WORST } from "../harness/big-namespace.js";
import { startBotOn, type TestBot } from "../harness/bot.js";
import type { HarnessCluster } from "../harness/cluster.js";
import { buttons, type FakeSlack, menuOptions, type StoredMessage } from "../harness/fake-slack.js";
import { investigationIn } from "../harness/investigation.js";
import { buttonClick, menuPick } from "../harness/slack-requests.js";

const CHANNEL = "C0BIG";

type Json = Record<string, unknown>;

let cluster: HarnessCluster;
let harness: TestBot;
let slack: FakeSlack;
let url: string;

before(async () => {
  cluster = await bigCluster();
  harness = await startBotOn(cluster, () => CAPTURED);
  ({ slack, url } = harness);
});

after(async () => {
  await harness?.close();
  await cluster?.close();
});

/** The workload names in the rows of the root's summary table, and what follows the table. */
function summaryRows(root: StoredMessage): { names: string[]; after: string } {
  const table = root.blocks
    .map((block) => (block.text as { text?: string } | undefined)?.text ?? "")
    .find((text) => text.startsWith("```"));
  assert.ok(table, "a summary table");
  const [rows = "", after = ""] = table.split(/^```$/m).slice(1);
  const names = rows
    .trim()
    .split("\n")
    .slice(1)
    .map((row) => /^Deployment (\S+) /.exec(row)?.[1] ?? `not a whole row: ${row}`);
  return { names, after: after.trim() };
}

describe("/oom on a namespace with 61 OOM-killed workloads", () => {
  let root: StoredMessage;
  let replies: StoredMessage[];
  let shared: StoredMessage;

  before(async () => {
    root = await investigationIn(slack, url, CHANNEL);
    replies = slack.replies(CHANNEL, root.ts);
  });

  it("when the investigation ends, then the summary starts with the worst workload and ends with +N more", () => {
    assert.match(root.text, new RegExp(`${WORKLOADS} containers to look at`));
    const { names, after } = summaryRows(root);
    assert.equal(names[0], WORST.name);
    for (const name of names) assert.match(name, /^svc-\d\d$/);
    assert.ok(names.length < WORKLOADS);
    assert.equal(after, `+${WORKLOADS - names.length} more workloads`);
  });

  it("then the 15 worst have a reply each, the worst first, the other 46 share one, and the notes say what memory history would add", () => {
    assert.equal(replies.length, 17, replies.map((reply) => reply.text).join(" | "));
    assert.match(JSON.stringify(replies[16]?.blocks), /no memory history \(prometheus\.url is not set\)/);
    const own = replies.slice(0, 15);
    assert.match(own[0]?.text ?? "", new RegExp(`^Deployment ${WORST.name}: container limit$`));
    for (const reply of own) assert.match(reply.text, /^Deployment svc-\d\d: container limit$/);
    shared = replies[15] as StoredMessage;
    assert.match(shared.text, /46 more workloads with OOM kills/);
    const options = menuOptions(shared);
    assert.equal(options.length, 46);
    const ownNames = new Set(own.map((reply) => /svc-\d\d/.exec(reply.text)?.[0]));
    const sharedNames = options.map((option) => option.label.replace("Deployment ", ""));
    assert.equal(new Set([...ownNames, ...sharedNames]).size, WORKLOADS, "every workload once");
    assert.equal(buttons(shared).length, 0, "no buttons until a workload is picked");
  });

  it("when a workload is picked in the shared reply's menu, then its buttons come to the picker and work", async () => {
    const option = menuOptions(shared).find((o) => o.label === "Deployment svc-00");
    assert.ok(option, "svc-00, the mildest, is in the menu");
    const before = slack.responses.length;
    await menuPick(url, {
      actionId: option.action_id,
      value: option.value,
      channel: CHANNEL,
      messageTs: shared.ts,
      threadTs: root.ts,
      responseUrl: slack.responseUrl("menu"),
    });
    const offered = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => /Deployment svc-00/.test(String(r.text))),
      "the workload's buttons",
    );
    assert.equal(offered.response_type, "ephemeral");
    assert.equal(offered.replace_original, false);
    const offeredButtons = buttons(offered as { blocks: Json[] });
    assert.deepEqual(
      offeredButtons.map((b) => b.action_id),
      ["propose_limit", "show_kernel_log", "snooze_workload"],
    );

    const click = (actionId: string) => {
      const target = offeredButtons.find((b) => b.action_id === actionId);
      assert.ok(target);
      return buttonClick(url, {
        actionId,
        value: target.value,
        channel: CHANNEL,
        messageTs: shared.ts,
        threadTs: root.ts,
        responseUrl: slack.responseUrl(actionId),
      });
    };
    await click("show_kernel_log");
    const log = await slack.until(
      () => slack.replies(CHANNEL, root.ts).find((m) => /^Kernel OOM report for svc-00-/.test(m.text)),
      "the kernel report in the thread",
    );
    assert.match(JSON.stringify(log.blocks), /Killed process 20000 \(app\)/);
    await click("snooze_workload");
    await slack.until(
      () => slack.replies(CHANNEL, root.ts).find((m) => /snoozed Deployment svc-00 until/.test(m.text)),
      "the snooze note",
    );
  });
});
