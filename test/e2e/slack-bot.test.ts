// The Slack bot end to end: signed requests to the real Bolt receiver, jobs through BullMQ on the
// real Redis, the investigation over the fake Kubernetes API and real sshd and journals, and every
// message posted to the fake Slack Web API.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BotHandle } from "../../src/cli/bot.js";
import {
  botEnv,
  dropPrefix,
  type LogSink,
  startTestBot,
  uniquePrefix,
  writeBotConfig,
} from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { BOT_TOKEN, buttons, FakeSlack, type StoredMessage } from "../harness/fake-slack.js";
import { investigationIn } from "../harness/investigation.js";
import { buttonClick, newTriggerId, SIGNING_SECRET, slashCommand } from "../harness/slack-requests.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");
const SEED_POD = "systembusiness-deployment-5c6969978b-hx5lt";

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle;
let url: string;
let logs: LogSink;
const prefix = uniquePrefix();

type Json = Record<string, unknown>;

function blockTexts(message: StoredMessage): string {
  return JSON.stringify(message.blocks);
}

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  const config = writeBotConfig(cluster, prefix, {
    slack: { excerptLines: 8, channels: { C0STAGING: ["staging"], "*": ["*"] }, apiTimeoutSeconds: 2 },
  });
  ({ bot, url, logs } = await startTestBot(botEnv(slack, config), "all", () => CAPTURED));
});

after(async () => {
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

describe("/oom on the seed cluster", () => {
  let root: StoredMessage;
  let replies: StoredMessage[];

  before(async () => {
    root = await investigationIn(slack, url, "C0SEED");
    replies = slack.replies("C0SEED", root.ts);
  });

  const workloadReply = (): StoredMessage => {
    const reply = replies.find((message) => /systembusiness-deployment/.test(message.text));
    assert.ok(reply, "the workload's reply");
    return reply;
  };

  /** Clicks a button of a message in the seed thread; `triggerId` repeats an earlier click's request. */
  async function clickOn(
    message: StoredMessage,
    actionId: string,
    responses: string,
    triggerId?: string,
  ): Promise<void> {
    const target = buttons(message).find((b) => b.action_id === actionId);
    assert.ok(target, `a ${actionId} button`);
    const answer = await buttonClick(url, {
      actionId,
      value: target.value,
      messageTs: message.ts,
      threadTs: root.ts,
      channel: "C0SEED",
      responseUrl: slack.responseUrl(responses),
      ...(triggerId === undefined ? {} : { triggerId }),
    });
    assert.equal(answer.status, 200);
  }

  /** Clicks a button of the workload's reply in the seed thread. */
  const click = (actionId: string, responses: string) => clickOn(workloadReply(), actionId, responses);

  it("when the investigation ends, then the root message holds the summary table with the verdict", () => {
    assert.match(root.text, /OOM investigation of `production`: 3 containers/);
    const text = blockTexts(root);
    assert.match(text, /Deployment systembusiness-deployment/);
    assert.match(text, /container limit/);
    assert.match(text, /Requested by <@U0ALICE>/);
  });

  it("then one thread reply for the workload has the evidence, the kernel excerpt and the buttons", () => {
    const reply = replies.find((message) => /systembusiness-deployment/.test(message.text));
    assert.ok(reply, `replies: ${replies.map((r) => r.text).join(" | ")}`);
    const text = blockTexts(reply);
    assert.match(text, /container limit/);
    assert.ok(text.includes(`${SEED_POD} / systembusiness`));
    assert.match(text, /limit 1000Mi, resident at the kill 1010\.8 MiB \(101%\)/);
    assert.match(text, /`systembusin` \(pid 1735923\)/);
    assert.match(text, /Burstable, memory request 100Mi, oom_score_adj 994/);
    assert.match(text, /k8s-node-04/);
    assert.match(text, /Killed process 1735923|invoked oom-killer/);
    assert.match(text, /memory limit 1000Mi → \*1280Mi\*/);
    const labels = buttons(reply).map((b) => b.label);
    assert.deepEqual(labels, ["Propose limit → 1280Mi", "Show full kernel log", "Snooze 7 days"]);
    for (const b of buttons(reply)) assert.match(b.value, /^[0-9a-f]{32}$/);
  });

  it("then the kernel report longer than the excerpt is uploaded as a file into the thread", () => {
    const file = slack.files.find((f) => f.threadTs === root.ts);
    assert.ok(file, "a file in the thread");
    assert.match(file.content, /Killed process 1735923 \(systembusin\)/);
    assert.ok(file.content.trim().split("\n").length > 8, "longer than the 8 lines shown");
    assert.match(file.content, /invoked oom-killer/);
  });

  it("then each message was posted once", () => {
    const posts = slack.callsOf("chat.postMessage").filter((call) => call.args.channel === "C0SEED");
    assert.equal(posts.length, 1 + replies.length);
  });

  it("when Snooze is clicked, then the thread says so and offers to undo", async () => {
    await click("snooze_workload", "snooze");
    const note = await slack.until(
      () =>
        slack
          .replies("C0SEED", root.ts)
          .find((m) => /snoozed Deployment systembusiness-deployment until 2021-07-19/.test(m.text)),
      "the snooze note",
    );
    assert.deepEqual(
      buttons(note).map((b) => b.action_id),
      ["unsnooze_workload"],
    );

    // Snoozes are the channel's own (test/e2e/slack-channels.test.ts follows one in its channel).
    const elsewhere = await investigationIn(slack, url, "C0SNOOZED");
    assert.match(elsewhere.text, /OOM investigation of `production`: 3 containers/);

    await clickOn(note, "unsnooze_workload", "unsnooze");
    const replaced = await slack.until(
      () =>
        slack.responses.find((r: Json) =>
          /ended the snooze of Deployment systembusiness-deployment/.test(String(r.text)),
        ),
      "the undo",
    );
    assert.equal(replaced.replace_original, true);
  });

  it("when Show full kernel log is clicked, then the whole report is posted in the thread", async () => {
    await click("show_kernel_log", "log");
    const posted = await slack.until(
      () => slack.replies("C0SEED", root.ts).find((m) => /Kernel OOM report for/.test(m.text)),
      "the kernel report",
    );
    assert.match(blockTexts(posted), /Killed process 1735923 \(systembusin\)/);
  });

  it("when the same Show log and Snooze clicks are delivered twice, then each runs once", async () => {
    const posted = (pattern: RegExp): StoredMessage[] =>
      slack.replies("C0SEED", root.ts).filter((m) => pattern.test(m.text));
    const twice = async (actionId: string, pattern: RegExp): Promise<StoredMessage> => {
      const before = posted(pattern).length;
      const trigger = newTriggerId();
      await clickOn(workloadReply(), actionId, `replayed-${actionId}`, trigger);
      await clickOn(workloadReply(), actionId, `replayed-${actionId}`, trigger);
      await slack.until(() => posted(pattern).length > before, `the ${actionId} post`);
      await logs.until(
        (e) => e.message === "a click delivered again was ignored" && e.action === actionId,
        "the replay",
      );
      assert.equal(posted(pattern).length, before + 1, actionId);
      return posted(pattern).at(-1) as StoredMessage;
    };
    await twice("show_kernel_log", /Kernel OOM report for/);
    const note = await twice("snooze_workload", /snoozed Deployment systembusiness-deployment/);
    // Undone, for the tests after this one.
    const responses = slack.responses.length;
    await clickOn(note, "unsnooze_workload", "replayed-unsnooze");
    await slack.until(() => slack.responses.slice(responses).find((r: Json) => r.text), "the undo");
  });

  it("when a click's handler fails, then the clicker is told instead of left waiting", async () => {
    const responses = slack.responses.length;
    slack.refuse("chat.postMessage", "not_in_channel");
    await click("show_kernel_log", "failed-click");
    const answer = await slack.until(
      () => slack.responses.slice(responses).find((r: Json) => r.text),
      "the answer to the failed click",
    );
    assert.equal(answer.response_type, "ephemeral");
    assert.match(String(answer.text), /this click may not have taken effect/);
  });

  it("when Propose limit is clicked where proposals are not enabled, then the clicker gets the exact kubectl change", async () => {
    await click("propose_limit", "propose");
    const response = await slack.until(
      () => slack.responses.find((r: Json) => /kubectl -n production patch/.test(String(r.text))),
      "the change to make by hand",
    );
    assert.equal(response.response_type, "ephemeral");
    assert.match(String(response.text), /Limit proposals are not enabled for `production`/);
    assert.ok(
      String(response.text).includes(
        `kubectl -n production patch deployment systembusiness-deployment --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"systembusiness","resources":{"limits":{"memory":"1280Mi"},"requests":{"memory":"768Mi"}}}]}}}}'`,
      ),
    );
  });

  it("when a button carries an id never issued, then the clicker is told and nothing else happens", async () => {
    const before = slack.calls.length;
    const answer = await buttonClick(url, {
      actionId: "propose_limit",
      value: "0123456789abcdef0123456789abcdef",
      messageTs: root.ts,
      threadTs: root.ts,
      responseUrl: slack.responseUrl("forged"),
    });
    assert.equal(answer.status, 200);
    const response = await slack.until(
      () => slack.responses.find((r: Json) => /no longer knows/.test(String(r.text))),
      "the ephemeral answer",
    );
    assert.equal(response.response_type, "ephemeral");
    assert.equal(slack.calls.slice(before).filter((c) => c.method.startsWith("chat.")).length, 0);
  });
});

describe("bad input and refusals, answered in the acknowledgement", () => {
  it("when the namespace is not a DNS label, then the user sees why and the usage", async () => {
    const answer = await slashCommand(url, { text: "Prod_01", responseUrl: slack.responseUrl("bad") });
    assert.equal(answer.status, 200);
    assert.equal(answer.body?.response_type, "ephemeral");
    assert.match(JSON.stringify(answer.body), /`Prod_01` is not a namespace name/);
    assert.match(JSON.stringify(answer.body), /\/oom <namespace>/);
  });

  it("when the channel may not investigate the namespace, then it is told which it may", async () => {
    const answer = await slashCommand(url, {
      text: "production",
      channel: "C0STAGING",
      responseUrl: slack.responseUrl("staging"),
    });
    assert.equal(answer.body?.response_type, "ephemeral");
    assert.match(String(answer.body?.text), /may not investigate `production`; it may investigate: staging/);
    assert.equal(slack.rootMessages("C0STAGING").length, 0);
  });

  it("when asked for status in a channel limited to other namespaces, then their runs are not shown", async () => {
    await slashCommand(url, { text: "status", channel: "C0STAGING", responseUrl: slack.responseUrl("st2") });
    const response = await slack.until(
      () =>
        slack.responses.find(
          (r: Json) =>
            /oom-doctor status/.test(JSON.stringify(r)) && /No investigation/.test(JSON.stringify(r)),
        ),
      "the filtered status",
    );
    assert.doesNotMatch(JSON.stringify(response), /`production`/);
  });

  it("when there are extra words, then they are named", async () => {
    const answer = await slashCommand(url, {
      text: "production pod-1 extra",
      responseUrl: slack.responseUrl("x"),
    });
    assert.match(JSON.stringify(answer.body), /Unexpected words: `extra`/);
  });

  it("when asked for help, then the usage comes back only to the asker", async () => {
    const answer = await slashCommand(url, { text: "help", responseUrl: slack.responseUrl("help") });
    assert.equal(answer.body?.response_type, "ephemeral");
    assert.match(JSON.stringify(answer.body), /\/oom status/);
  });

  it("when asked for status, then the queue, workers and latest runs are shown", async () => {
    const answer = await slashCommand(url, { text: "status", responseUrl: slack.responseUrl("status") });
    assert.equal(answer.status, 200);
    const response = await slack.until(
      () =>
        slack.responses.find((r: Json) => /oom-doctor status.*Latest investigations/.test(JSON.stringify(r))),
      "the status answer",
    );
    const text = JSON.stringify(response);
    assert.match(text, /Workers connected: 1/);
    assert.match(text, /`production` in <#C0SEED>: done, 20\d\d-/);
  });

  it("when the namespace is forbidden by RBAC, then the root message says so and the job is not retried", async () => {
    cluster.api.forbiddenNamespaces.add("production");
    try {
      const root = await investigationIn(slack, url, "C0RBAC");
      assert.match(
        root.text,
        /investigation of `production` failed: forbidden by RBAC: cannot list pods in namespace production: grant list on pods/,
      );
      const failed = await logs.until((entry) => entry.channel === "C0RBAC", "the failed job");
      assert.equal(failed.message, "job failed");
      assert.equal(failed.queue, "investigate");
      assert.equal(failed.level, "error");
      assert.match(String(failed.error), /grant list on pods/);
    } finally {
      cluster.api.forbiddenNamespaces.delete("production");
    }
  });

  it("when the namespace does not exist, then the root message says so", async () => {
    const answer = await slashCommand(url, {
      text: "gone",
      channel: "C0GONE",
      responseUrl: slack.responseUrl("gone"),
    });
    assert.equal(answer.status, 200);
    const root = await slack.until(
      () => slack.rootMessages("C0GONE").find((m) => /failed/.test(m.text)),
      "the failure",
    );
    assert.match(root.text, /namespace gone does not exist/);
  });
});

describe("transient faults", () => {
  it("when the API server answers 503 once, then the job is retried and the report posted once", async () => {
    cluster.api.transientFailures.set("/api/v1/namespaces/production/pods", { status: 503, times: 1 });
    const lists = () =>
      cluster.api.requests.filter((r) => r.startsWith("GET /api/v1/namespaces/production/pods")).length;
    const before = lists();
    const root = await investigationIn(slack, url, "C0RETRY");
    assert.match(root.text, /OOM investigation of/);
    assert.equal(lists() - before, 2, "listed twice: the refused attempt and the retry");
    assert.equal(
      slack.replies("C0RETRY", root.ts).filter((m) => /systembusiness-deployment/.test(m.text)).length,
      1,
    );
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /oom_doctor_jobs_total\{queue="investigate",outcome="retried"\} 1/);
  });
});

describe("one investigation per channel and namespace", () => {
  const oom = (channel: string, id: string) =>
    slashCommand(url, { text: "production", channel, responseUrl: slack.responseUrl(id) });
  /** The first "already being investigated" answer among the responses from `mark` on. */
  const alreadyAnswered = (mark: number, what: string) =>
    slack.until(
      () => slack.responses.slice(mark).find((r: Json) => /already being investigated/.test(String(r.text))),
      what,
    );

  it("when /oom production is repeated while one runs, then the second links to the running thread", async () => {
    const { release } = cluster.api.hold("/api/v1/namespaces/production/pods");
    let first: StoredMessage;
    try {
      await oom("C0DUP", "dup1");
      first = await slack.until(() => slack.rootMessages("C0DUP")[0], "the first root message");
      const mark = slack.responses.length;
      await oom("C0DUP", "dup2");
      const link = await alreadyAnswered(mark, "the link to the running thread");
      assert.match(String(link.text), new RegExp(`p${first.ts.replace(".", "")}`));
    } finally {
      release();
    }
    await slack.until(
      () => /OOM investigation of/.test(slack.rootMessages("C0DUP")[0]?.text ?? ""),
      "the end",
    );
    assert.equal(slack.rootMessages("C0DUP").length, 1);
  });

  it("when the second arrives while the first's root message is being posted, then it posts nothing and is answered", async () => {
    // The first root message hangs until the client gives the call up and tries again.
    let held = 0;
    slack.hold(
      "chat.postMessage",
      (args) => args.channel === "C0RACE" && /Investigating/.test(String(args.text)) && held++ === 0,
    );
    try {
      await oom("C0RACE", "race1");
      await slack.until(() => slack.callsOf("chat.postMessage (held)").length > 0, "the first root message");
      const mark = slack.responses.length;
      await oom("C0RACE", "race2");
      const answer = await alreadyAnswered(mark, "the answer to the second");
      assert.equal(answer.response_type, "ephemeral");
    } finally {
      slack.unhold();
    }
    await slack.until(
      () => /OOM investigation of/.test(slack.rootMessages("C0RACE")[0]?.text ?? ""),
      "the end",
    );
    assert.equal(slack.rootMessages("C0RACE").length, 1);
    const inChannel = (method: string) =>
      slack.callsOf(method).filter((call) => call.args.channel === "C0RACE");
    assert.equal(inChannel("chat.delete").length, 0, "nothing posted and taken back");
    assert.equal(
      inChannel("chat.postMessage").filter((call) => /Investigating/.test(String(call.args.text))).length,
      1,
      "one root message posted (after the held try)",
    );
  });
});

describe("Slack rate limits", () => {
  it("when Slack answers 429 to a reply, then it is sent again after Retry-After and posted once", async () => {
    slack.rateLimit("chat.postMessage", 0, 1);
    await slashCommand(url, {
      text: "production",
      channel: "C0RATE",
      responseUrl: slack.responseUrl("rate"),
    });
    const root = await slack.until(() => slack.rootMessages("C0RATE")[0], "the root message");
    // The root is posted; the next post (the first reply) is refused once.
    slack.rateLimit("chat.postMessage", 1, 1);
    await slack.until(() => /OOM investigation of/.test(root.text), "the summary");
    const refused = slack.calls.filter((c) => c.method === "chat.postMessage" && c.status === 429);
    assert.equal(refused.length, 1);
    const replies = slack.replies("C0RATE", root.ts).filter((m) => /systembusiness-deployment/.test(m.text));
    assert.equal(replies.length, 1);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /oom_doctor_slack_api_errors_total\{method="chat.postMessage",error="ratelimited"\} 1/,
    );
  });
});

describe("secrets", () => {
  it("when everything above has run, then no log line holds a token or the signing secret", () => {
    assert.ok(logs.lines.length > 0);
    for (const line of logs.lines) {
      assert.ok(!line.includes(BOT_TOKEN), line);
      assert.ok(!line.includes(SIGNING_SECRET), line);
    }
  });
});

describe("operations endpoints", () => {
  it("when probed, then /healthz and /readyz answer 200 and /metrics counts commands and jobs", async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /oom_doctor_commands_total\{command="investigate"\} \d+/);
    assert.match(metrics, /oom_doctor_jobs_total\{queue="investigate",outcome="completed"\} \d+/);
    assert.match(metrics, /oom_doctor_ssh_fetch_seconds_count\{node="k8s-node-04"\} \d+/);
    assert.match(metrics, /oom_doctor_step_duration_seconds_count\{step="investigate"\} \d+/);
  });

  it("when a path is unknown, then the answer is 404 and the server goes on", async () => {
    assert.equal((await fetch(`${url}/nope`)).status, 404);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });
});
