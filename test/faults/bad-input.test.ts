// Hostile and absurd input: oversized and forged requests, injection attempts in the command's
// arguments, journals without newlines or with megabyte lines. Each is refused or handled with a
// clear message; nothing is enqueued or run that should not be, and the process stays up.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BotHandle } from "../../src/cli/bot.js";
import { botEnv, dropPrefix, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { runCli } from "../harness/cli.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { buttons, FakeSlack } from "../harness/fake-slack.js";
import { fixturePath } from "../harness/fixtures.js";
import { podObject } from "../harness/pods.js";
import { buttonClick, slashCommand } from "../harness/slack-requests.js";

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle;
let url: string;
const prefix = uniquePrefix();

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  ({ bot, url } = await startTestBot(botEnv(slack, writeBotConfig(cluster, prefix)), "all", () =>
    Date.now(),
  ));
});

after(async () => {
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

/** Nothing reached Slack's channels or the cluster (the alert watch aside) since `mark`. */
function nothingDone(mark: { calls: number; requests: number }): void {
  const posted = slack.calls.slice(mark.calls).filter((call) => call.method.startsWith("chat."));
  assert.deepEqual(posted, [], "no message posted");
  assert.deepEqual(cluster.api.requestsSince(mark.requests), [], "no API request");
}

const mark = () => ({ calls: slack.calls.length, requests: cluster.api.requests.length });

describe("hostile /oom arguments", () => {
  const attempts = [
    "prod; rm -rf /",
    "$(id)",
    "../../etc",
    "`reboot`",
    "生产",
    "prod\u0000x",
    "production $(id)",
    "production ../x",
  ];
  for (const text of attempts) {
    it(`when the text is ${JSON.stringify(text)}, then it is refused with the reason and nothing runs`, async () => {
      const before = mark();
      const answer = await slashCommand(url, {
        text,
        channel: "C0HOSTILE",
        responseUrl: slack.responseUrl("hostile"),
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.body?.response_type, "ephemeral");
      assert.match(JSON.stringify(answer.body), /is not a (namespace|pod) name|Unexpected words/);
      nothingDone(before);
    });
  }

  it("when a signed request carries a 1 MB argument, then it is refused and the process stays up", async () => {
    const before = mark();
    const answer = await slashCommand(url, {
      text: "a".repeat(1024 * 1024),
      responseUrl: slack.responseUrl("big"),
    });
    assert.ok(answer.status === 200 || answer.status === 413, `status ${answer.status}`);
    if (answer.status === 200) assert.match(JSON.stringify(answer.body), /is not a namespace name/);
    nothingDone(before);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  it("when a button names a proposal or finding that does not exist, then the clicker is told and nothing runs", async () => {
    for (const [actionId, value] of [
      ["approve_proposal", "0123456789abcdef01234567"],
      ["snooze_workload", "0123456789abcdef0123456789abcdef"],
      ["investigate_workload", "not-an-id; DROP"],
    ] as const) {
      const before = mark();
      const responses = slack.responses.length;
      await buttonClick(url, {
        actionId,
        value,
        messageTs: "1700000000.000001",
        threadTs: "1700000000.000001",
        responseUrl: slack.responseUrl(`forged-${actionId}`),
      });
      const answer = await slack.until(
        () => slack.responses.slice(responses).find((r) => r.text),
        `the answer to ${actionId}`,
      );
      assert.match(String(answer.text), /does not know|no longer knows/);
      nothingDone(before);
    }
  });
});

describe("hostile names and values from the cluster", () => {
  const HOSTILE = "x```<!here>";
  const NAMESPACE = "hostile";

  before(() => {
    const common = {
      namespace: NAMESPACE,
      node: "k8s-node-04",
      limit: "512Mi",
      request: "256Mi",
      restartCount: 3,
      reason: "OOMKilled",
      exitCode: 137,
      startedAt: "2021-07-09T23:00:00Z",
      finishedAt: "2021-07-10T00:00:00Z",
    };
    cluster.api.state.pods.push(
      // A Deployment's pod whose container name carries shell syntax.
      podObject({
        ...common,
        name: "web-7d9c5b6f4-abcde",
        uid: "1b0c0a52-0b1e-4c0f-8e1e-5c0ffee0b1e5",
        container: "app'$(id)",
        lastContainerId: "1b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ff",
      }),
      // A pod whose ownerReferences name a made-up controller, with mrkdwn in names.
      podObject({
        ...common,
        name: "squatter",
        uid: "2b0c0a52-0b1e-4c0f-8e1e-5c0ffee0b1e5",
        container: HOSTILE,
        lastContainerId: "2b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ff",
        owner: { apiVersion: "evil.example.com/v1", kind: "Deployment", name: HOSTILE },
        labels: {},
      }),
    );
  });

  it("when names and owners carry mrkdwn and shell syntax, then the thread renders them inert and the kubectl command quotes them", async () => {
    await slashCommand(url, {
      text: NAMESPACE,
      channel: "C0HOSTNAMES",
      responseUrl: slack.responseUrl("names"),
    });
    const root = await slack.until(
      () => slack.rootMessages("C0HOSTNAMES").find((m) => /OOM investigation of/.test(m.text)),
      "the report",
    );
    const thread = JSON.stringify(slack.messages.filter((m) => m.channel === "C0HOSTNAMES"));
    assert.ok(!thread.includes("<!"), "no @here or @channel can form");
    assert.ok(!thread.includes(HOSTILE));
    assert.match(thread, /squatter \/ xˋˋˋ&lt;!here&gt;:/, "the container name, inert");
    assert.match(thread, /Pod squatter/, "the made-up owner is ignored");
    assert.doesNotMatch(thread, /evil|Deployment xˋ/);

    const reply = slack.replies("C0HOSTNAMES", root.ts).find((m) => /^Deployment web:/.test(m.text));
    const propose = reply && buttons(reply).find((b) => b.action_id === "propose_limit");
    assert.ok(reply && propose, "the web Deployment's reply and its Propose button");
    const responses = slack.responses.length;
    await buttonClick(url, {
      actionId: propose.action_id,
      value: propose.value,
      channel: "C0HOSTNAMES",
      messageTs: reply.ts,
      threadTs: root.ts,
      responseUrl: slack.responseUrl("hostile-propose"),
    });
    const answer = await slack.until(
      () => slack.responses.slice(responses).find((r) => /kubectl/.test(String(r.text))),
      "the kubectl command",
    );
    const command = /```(kubectl [^`]*)```/.exec(String(answer.text))?.[1] ?? "";
    const words = execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${command.replace(/^kubectl /, "")}`], {
      encoding: "utf8",
    }).split("\0");
    assert.deepEqual(words.slice(0, 4), ["-n", NAMESPACE, "patch", "deployment"]);
    assert.match(words[8] ?? "", /"name":"app'\$\(id\)"/, "the container name arrives whole, not run");
  });

  it("when a digest id to stop carries a mention, then it is quoted back inert", async () => {
    await slashCommand(url, {
      text: "digest unsubscribe <!here>",
      channel: "C0HOSTILE",
      responseUrl: slack.responseUrl("hostile-digest"),
    });
    const answer = await slack.until(
      () => slack.responses.find((r) => /no digest subscription/.test(String(r.text))),
      "the answer",
    );
    assert.match(String(answer.text), /There is no digest subscription `&lt;!here&gt;`/);
  });
});

describe("requests Slack did not sign, or signed for another workspace", () => {
  it("when a request is not signed at all, then it is refused", async () => {
    const response = await fetch(`${url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "command=%2Foom&text=production",
    });
    assert.equal(response.status, 401);
  });

  it("when the signature is wrong, then the request is refused and nothing runs", async () => {
    const before = mark();
    const answer = await slashCommand(
      url,
      { text: "production", channel: "C0SIG", responseUrl: slack.responseUrl("sig") },
      { secret: "not-the-signing-secret" },
    );
    assert.equal(answer.status, 401);
    nothingDone(before);
  });

  it("when the timestamp is over five minutes old, then the request is refused and nothing runs", async () => {
    const before = mark();
    const answer = await slashCommand(
      url,
      { text: "production", channel: "C0SIG", responseUrl: slack.responseUrl("stale") },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    assert.equal(answer.status, 401);
    nothingDone(before);
  });

  it("when /oom comes from another workspace, then it is refused in the acknowledgement and nothing runs", async () => {
    const before = mark();
    const answer = await slashCommand(url, {
      text: "production",
      channel: "C0ELSEWHERE",
      responseUrl: slack.responseUrl("elsewhere"),
      team: "T0OTHER",
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body?.response_type, "ephemeral");
    assert.match(String(answer.body?.text), /serves another Slack workspace/);
    nothingDone(before);
  });

  for (const [what, from] of [
    ["a button click comes from another workspace", { team: "T0OTHER" }],
    ["a user of another workspace clicks in a shared channel", { userTeam: "T0OTHER" }],
  ] as const) {
    it(`when ${what}, then the clicker is told and nothing runs`, async () => {
      const before = mark();
      const responses = slack.responses.length;
      await buttonClick(url, {
        actionId: "approve_proposal",
        value: "0123456789abcdef01234567",
        messageTs: "1700000000.000001",
        threadTs: "1700000000.000001",
        responseUrl: slack.responseUrl(`elsewhere-${responses}`),
        ...from,
      });
      const answer = await slack.until(
        () => slack.responses.slice(responses).find((r) => r.text),
        "the answer to the click",
      );
      assert.match(String(answer.text), /serves another Slack workspace/);
      nothingDone(before);
    });
  }
});

describe("absurd journals", () => {
  /** `oom-doctor analyze` of the seed's pods with `content` as k8s-node-04's journal. */
  async function analyzeJournal(name: string, content: string | Buffer, ...options: string[]) {
    const path = join(cluster.dir, name);
    writeFileSync(path, content);
    const journal = `k8s-node-04=${path}`;
    const run = await runCli([
      "analyze",
      "--pods",
      fixturePath("seed", "pods.json"),
      "--journal",
      journal,
      ...options,
    ]);
    assert.equal(run.code, 0, run.stderr);
    return run;
  }

  it("when a journal is 50 MB without a newline, then analyze reports the cut line and still answers", async () => {
    const run = await analyzeJournal("no-newline.log", Buffer.alloc(50 * 1024 * 1024, "x"));
    assert.match(run.stdout + run.stderr, /1 overlong lines were shortened/);
  });

  it("when a kernel line is 1 MB long, then it is shortened and the report after it is still read", async () => {
    const run = await analyzeJournal(
      "long-line.log",
      `Jul 12 12:11:16 k8s-node-04 kernel: ${"A".repeat(1024 * 1024)}\n` +
        "Jul 12 12:11:17 k8s-node-04 kernel: Memory cgroup out of memory: Killed process 4242 (worker) total-vm:1024kB, anon-rss:512kB, file-rss:0kB, shmem-rss:0kB, UID:0\n",
      "--format",
      "json",
    );
    const report = JSON.parse(run.stdout) as {
      warnings: string[];
      unmatchedEvents: Array<{ victim: string | null }>;
    };
    assert.ok(report.warnings.some((warning) => /overlong lines were shortened/.test(warning)));
    assert.ok(report.unmatchedEvents.some((event) => event.victim === "worker (pid 4242)"));
  });
});
