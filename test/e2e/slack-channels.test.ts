// Tenants kept apart by channel, end to end: slack.channels refuses channels it does not list, each
// channel's snoozes and digest subscriptions are its own, and a button, a modal or a scheduled digest
// (or a pick in a shared reply's menu) made under a wider map does nothing once the map is narrowed
// (the bot restarted with the new one).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import type { BotHandle } from "../../src/cli/bot.js";
import {
  botEnv,
  dropPrefix,
  type LogSink,
  REDIS_URL,
  startTestBot,
  uniquePrefix,
  writeBotConfig,
} from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { buttons, FakeSlack, menuOptions, type StoredMessage } from "../harness/fake-slack.js";
import { podObject } from "../harness/pods.js";
import { ALICE, BOB, ProposalFlow, SUGGESTED, type Thread } from "../harness/proposal-flow.js";
import { menuPick, slashCommand, viewSubmission } from "../harness/slack-requests.js";

type Json = Record<string, unknown>;

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle | null = null;
let url: string;
let logs: LogSink;
let flow: ProposalFlow;
const prefix = uniquePrefix();

/** Starts the bot with this channel map (and proposals enabled in production). */
async function startWith(
  channels: Record<string, string[]>,
  name: string,
  slackExtra: Json = {},
): Promise<void> {
  await bot?.close();
  const config = writeBotConfig(
    cluster,
    prefix,
    {
      slack: { channels, ...slackExtra },
      proposals: { approvers: { production: [ALICE, BOB] }, leakAfterBumps: 50 },
    },
    name,
  );
  const started = await startTestBot(botEnv(slack, config), "all", () => CAPTURED);
  ({ bot, url, logs } = started);
  flow = new ProposalFlow(slack, url);
}

const WIDE = {
  C0OPS: ["production"],
  C0OPS2: ["production"],
  C0TEAM: ["production"],
  C0STAGING: ["staging"],
  C0SHARED: ["payments"],
  C0SHARED2: ["payments"],
};
// production is taken from C0OPS and C0OPS2, payments from C0SHARED; C0TEAM and C0SHARED2 keep theirs.
const NARROW = {
  C0OPS: ["staging"],
  C0OPS2: ["staging"],
  C0TEAM: ["production"],
  C0SHARED: ["staging"],
  C0SHARED2: ["payments"],
};

/** Two bare pods OOM-killed in `payments`: more workloads than a bot with slack.maxReplies 0 replies to. */
const PAYMENTS = ["ledger", "invoices"].map((name, index) =>
  podObject({
    name,
    namespace: "payments",
    uid: `7c2d0000-0000-4000-8000-00000000000${index}`,
    node: "k8s-node-01",
    restartCount: 3,
    createdAt: "2021-07-05T00:00:00Z",
    lastContainerId: String(index).repeat(64),
    startedAt: "2021-07-11T00:00:00Z",
    finishedAt: "2021-07-12T02:00:00Z",
    owner: null,
  }),
);

before(async () => {
  cluster = await seedCluster();
  cluster.api.state.pods.push(...PAYMENTS);
  slack = new FakeSlack();
  await slack.start();
  await startWith(WIDE, "wide.yaml");
});

after(async () => {
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

/** `/oom <text>` in a channel; the text of the first answer, in the acknowledgement or after it. */
async function command(text: string, channel: string): Promise<string> {
  const before = slack.responses.length;
  const answer = await slashCommand(url, {
    text,
    channel,
    responseUrl: slack.responseUrl(`${channel}-${text}`),
  });
  assert.equal(answer.status, 200);
  if (typeof answer.body?.text === "string") return answer.body.text;
  const response = await slack.until(
    () => slack.responses.slice(before).find((r: Json) => r.text),
    `the answer to ${text} in ${channel}`,
  );
  return String(response.text);
}

/** Clicks a button of `message` in its thread's channel; the answer to the clicker. */
async function clickFor(thread: Thread, message: StoredMessage, actionId: string): Promise<string> {
  const before = slack.responses.length;
  const answer = await flow.click(thread, message, actionId, BOB);
  assert.equal(answer.status, 200);
  const response = await slack.until(
    () => slack.responses.slice(before).find((r: Json) => r.text),
    `the answer to ${actionId}`,
  );
  return String(response.text);
}

const mark = () => ({ calls: slack.calls.length, requests: cluster.api.requests.length });

/** No message posted or changed, no modal opened, no API request (but the alert watch's), since `since`. */
function nothingDone(since: { calls: number; requests: number }): void {
  const acted = slack.calls
    .slice(since.calls)
    .filter(
      (call) =>
        call.method.startsWith("chat.") ||
        call.method.startsWith("views.") ||
        call.method.startsWith("files"),
    );
  assert.deepEqual(acted, []);
  assert.deepEqual(cluster.api.requestsSince(since.requests), []);
}

let opsThread: Thread;
let teamThread: Thread;
let proposal: { thread: Thread; proposal: StoredMessage };
let opsSubscription = "";

describe("a channel slack.channels does not list", () => {
  it("when /oom is typed there, then it is refused with what to ask for, and nothing runs", async () => {
    const since = mark();
    for (const text of ["production", "status", "digest list", "help"]) {
      const answer = await slashCommand(url, {
        text,
        channel: "C0NOWHERE",
        responseUrl: slack.responseUrl(`nowhere-${text}`),
      });
      assert.equal(answer.body?.response_type, "ephemeral");
      assert.match(
        String(answer.body?.text),
        /does not work in this channel: nothing was done\. Ask whoever runs it to add this channel's id `C0NOWHERE` to slack\.channels/,
      );
    }
    nothingDone(since);
  });
});

describe("snoozes belong to a channel", () => {
  it("when one channel snoozes a workload, then another channel still sees it, and the first does not", async () => {
    opsThread = await flow.investigate("C0OPS");
    await flow.click(opsThread, opsThread.reply, "snooze_workload", BOB);
    await slack.until(
      () =>
        slack
          .replies("C0OPS", opsThread.root.ts)
          .find((m) => /snoozed Deployment systembusiness-deployment/.test(m.text)),
      "the snooze note",
    );

    teamThread = await flow.investigate("C0TEAM");
    assert.match(teamThread.root.text, /OOM investigation of `production`: 3 containers/);

    // The channel's second investigation: its first root message has ended already.
    const earlier = slack.rootMessages("C0OPS").length;
    await slashCommand(url, {
      text: "production",
      channel: "C0OPS",
      responseUrl: slack.responseUrl("again"),
    });
    const again = await slack.until(
      () => slack.rootMessages("C0OPS")[earlier],
      "the second investigation in C0OPS",
    );
    await slack.until(() => /snoozed|OOM investigation/.test(again.text), "its end");
    assert.match(again.text, /OOM kills only in snoozed workloads \(1\)/);
  });
});

describe("digest subscriptions belong to a channel", () => {
  it("when two channels subscribe, then each lists and may stop only its own", async () => {
    opsSubscription =
      /Subscription `([0-9a-f]{8})`/.exec(await command("digest subscribe production", "C0OPS"))?.[1] ?? "";
    const team =
      /Subscription `([0-9a-f]{8})`/.exec(await command("digest subscribe production", "C0TEAM"))?.[1] ?? "";
    assert.ok(opsSubscription && team);

    const teamList = await command("digest list", "C0TEAM");
    assert.match(teamList, new RegExp(`\`${team}\``));
    assert.doesNotMatch(teamList, new RegExp(opsSubscription));
    assert.match(await command("digest list", "C0STAGING"), /This channel has no digest subscriptions/);

    assert.match(
      await command(`digest unsubscribe ${opsSubscription}`, "C0TEAM"),
      new RegExp(`There is no digest subscription \`${opsSubscription}\``),
    );
    assert.match(await command("digest list", "C0OPS"), new RegExp(`\`${opsSubscription}\``));
    assert.match(await command(`digest unsubscribe ${team}`, "C0TEAM"), /stopped/);
  });
});

describe("buttons, modals and digests made before the map was narrowed", () => {
  let view: Json;

  /** The reply whose menu lists the workloads without a reply of their own. */
  const sharedReplies: Record<string, { root: StoredMessage; reply: StoredMessage }> = {};

  before(async () => {
    proposal = await flow.ready("C0OPS2");
    view = slack.views.at(-1) as Json;
    // With no reply of its own for any workload, each investigation ends in one shared reply.
    await startWith(WIDE, "wide-shared.yaml", { maxReplies: 0 });
    for (const channel of ["C0SHARED", "C0SHARED2"]) {
      await slashCommand(url, { text: "payments", channel, responseUrl: slack.responseUrl(channel) });
      const root = await slack.until(
        () => slack.rootMessages(channel).find((m) => /OOM investigation of `payments`/.test(m.text)),
        `the investigation in ${channel}`,
      );
      const reply = slack.replies(channel, root.ts).find((m) => menuOptions(m).length > 0);
      assert.ok(reply, `the shared reply in ${channel}`);
      sharedReplies[channel] = { root, reply };
    }
    await startWith(NARROW, "narrow.yaml");
  });

  /** Picks the workload in the shared reply's menu of `channel`; the first answer to the picker. */
  async function pickIn(channel: string): Promise<Json> {
    const shared = sharedReplies[channel];
    const [option] = shared ? menuOptions(shared.reply) : [];
    assert.ok(shared && option, `a menu in ${channel}`);
    const before = slack.responses.length;
    await menuPick(url, {
      actionId: option.action_id,
      value: option.value,
      channel,
      messageTs: shared.reply.ts,
      threadTs: shared.root.ts,
      responseUrl: slack.responseUrl(`${channel}-menu`),
    });
    return slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      `the answer in ${channel}`,
    );
  }

  it("when an old pick in the shared reply's menu is made, then the picker is told and no buttons come", async () => {
    const since = mark();
    const answer = await pickIn("C0SHARED");
    assert.match(String(answer.text), /may not act on `payments` \(any more\)/);
    assert.deepEqual(buttons({ blocks: (answer.blocks as Json[] | undefined) ?? [] }), []);
    nothingDone(since);
  });

  it("when a channel that keeps the namespace picks in its old menu, then the workload's buttons come", async () => {
    const answer = await pickIn("C0SHARED2");
    assert.match(String(answer.text), /\*Pod (ledger|invoices)\*/);
    assert.ok(buttons(answer as { blocks: Json[] }).some((b) => b.action_id === "snooze_workload"));
  });

  it("when an old button of the report is clicked, then the clicker is told and nothing is posted", async () => {
    for (const actionId of ["show_kernel_log", "snooze_workload", "propose_limit"]) {
      const since = mark();
      const text = await clickFor(opsThread, opsThread.reply, actionId);
      assert.match(
        text,
        /This channel may not act on `production` \(any more\): nothing was done \(setting slack\.channels\)/,
      );
      nothingDone(since);
    }
  });

  it("when an old Approve is clicked, then nothing is patched and the proposal still waits", async () => {
    const since = mark();
    const text = await clickFor(proposal.thread, proposal.proposal, "approve_proposal");
    assert.match(text, /may not act on `production`/);
    assert.equal(cluster.api.patches.filter((patch) => !patch.dryRun).length, 0);
    assert.match(proposal.proposal.text, /waiting for approval/);
    nothingDone(since);
  });

  it("when a modal opened before is submitted, then it shows the refusal and proposes nothing", async () => {
    const since = mark();
    const answer = await viewSubmission(url, {
      callbackId: String(view.callback_id),
      privateMetadata: String(view.private_metadata),
      values: SUGGESTED,
      user: ALICE,
    });
    assert.equal(answer.body?.response_action, "errors");
    assert.match(JSON.stringify(answer.body), /may not act on `production`/);
    nothingDone(since);
  });

  it("when a button is used from another channel than its own, then it is refused", async () => {
    const since = mark();
    const before = slack.responses.length;
    const target = buttons(teamThread.reply).find((b) => b.action_id === "show_kernel_log");
    assert.ok(target);
    await flow.click(
      { ...teamThread, channel: "C0OPS" },
      teamThread.reply,
      "show_kernel_log",
      BOB,
      target.value,
    );
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the refusal",
    );
    assert.match(String(answer.text), /may not act on `production`/);
    nothingDone(since);
  });

  it("when a channel that keeps the namespace clicks its old button, then it still works", async () => {
    await flow.click(teamThread, teamThread.reply, "show_kernel_log", BOB);
    await slack.until(
      () => slack.replies("C0TEAM", teamThread.root.ts).find((m) => /Kernel OOM report for/.test(m.text)),
      "the kernel report in C0TEAM",
    );
  });

  it("when a digest subscribed before comes due, then it is not posted and the log says why", async () => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue("digests", { connection, prefix });
    const events = new QueueEvents("digests", { connection: { url: REDIS_URL }, prefix });
    try {
      await events.waitUntilReady();
      const due = (await queue.getDelayed()).find(
        (job) => job.name === "digest" && job.data.channel === "C0OPS",
      );
      assert.ok(due, `the scheduled digest of ${opsSubscription}`);
      const posted = slack.rootMessages("C0OPS").length;
      await due.promote();
      await due.waitUntilFinished(events);
      assert.equal(slack.rootMessages("C0OPS").length, posted, "no digest in C0OPS");
      const logged = logs.entries().find((entry) => /digest not posted/.test(String(entry.message)));
      assert.equal(logged?.channel, "C0OPS");
      assert.equal(logged?.scope, "production");
    } finally {
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
