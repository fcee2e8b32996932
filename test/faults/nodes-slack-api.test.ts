// Faults around an investigation: nodes that are down or never answer, Slack rate-limiting every third
// call, and a Kubernetes API that does not recover. The report still comes, complete and once, or a
// clear failure does.

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
import { FakeSlack } from "../harness/fake-slack.js";
import { investigationIn } from "../harness/investigation.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle;
let url: string;
let logs: LogSink;
const prefix = uniquePrefix();

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  // k8s-node-01's sshd is stopped (connection refused); k8s-node-08 accepts and never answers.
  const node01 = cluster.fleet.nodes.get("k8s-node-01");
  assert.ok(node01);
  await cluster.fleet.stop(node01);
  const blackhole = await cluster.fleet.silentNode("127.0.1.8");
  const config = writeBotConfig(cluster, prefix, { slack: { apiTimeoutSeconds: 1 } });
  // The harness config dials each node's own sshd port; send node-08 to the black hole, with short timeouts.
  const { readFileSync, writeFileSync } = await import("node:fs");
  const { parse, stringify } = await import("yaml");
  const document = parse(readFileSync(config, "utf8")) as {
    ssh: Record<string, unknown> & { nodes: Record<string, Record<string, unknown>> };
  };
  document.ssh.connectTimeoutSeconds = 2;
  document.ssh.commandTimeoutSeconds = 5;
  document.ssh.nodes["k8s-node-08"] = { ...document.ssh.nodes["k8s-node-08"], port: blackhole.port };
  writeFileSync(config, stringify(document));
  // The black hole is known by node-08's host key, so it is dialled (and then never answers).
  const hosts = readFileSync(cluster.knownHostsPath, "utf8");
  const node08 = hosts.split("\n").find((line) => line.startsWith("[127.0.1.8]:"));
  assert.ok(node08, hosts);
  writeFileSync(
    cluster.knownHostsPath,
    `${hosts.trimEnd()}\n${node08.replace(/^\[127\.0\.1\.8\]:\d+/, `[127.0.1.8]:${blackhole.port}`)}\n`,
  );
  ({ bot, url, logs } = await startTestBot(botEnv(slack, config), "all", () => CAPTURED));
});

after(async () => {
  slack?.rateLimitEvery(0, 0);
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

const investigate = (channel: string) => investigationIn(slack, url, channel, 90_000);

describe("nodes that are down or silent", () => {
  it("when one node refuses connections and another never answers, then the report still comes with both marked", async () => {
    const root = await investigate("C0NODES");
    assert.match(root.text, /OOM investigation of `production`/);
    const replies = slack.replies("C0NODES", root.ts);
    assert.ok(
      replies.some((m) => /systembusiness-deployment: container limit/.test(m.text)),
      "node-04 was read",
    );
    const notes = replies.find((m) => /could not be read/.test(m.text));
    assert.ok(notes, "a notes reply");
    const text = JSON.stringify(notes.blocks);
    assert.match(text, /\*k8s-node-01\*: node unreachable: the details are in oom-doctor's logs/);
    assert.match(text, /\*k8s-node-08\*: (timed out|node unreachable)/);
  });

  it("then the thread names no node address, SSH user or known_hosts path, and the worker's log does", async () => {
    const channelTexts = JSON.stringify(slack.messages.filter((m) => m.channel === "C0NODES"));
    const secrets = [/127\.0\.1\.\d/, new RegExp(cluster.fleet.user), new RegExp(cluster.knownHostsPath)];
    for (const secret of secrets) assert.doesNotMatch(channelTexts, secret);
    const logged = await logs.until(
      (entry) => entry.message === "node journal not read" && entry.node === "k8s-node-01",
      "the node's failure in the log",
    );
    assert.equal(logged.kind, "node-unreachable");
    assert.match(String(logged.error), /127\.0\.1\.1:\d+/);
  });
});

describe("Slack rate limits on every third call", () => {
  it("when every third chat call is answered 429, then every message is still delivered, once", async () => {
    slack.rateLimitEvery(3, 1);
    try {
      const root = await investigate("C0EVERY3");
      assert.match(root.text, /OOM investigation of/);
      const replies = slack.replies("C0EVERY3", root.ts);
      assert.equal(replies.filter((m) => /systembusiness-deployment/.test(m.text)).length, 1);
      assert.equal(replies.filter((m) => /could not be read/.test(m.text)).length, 1);
      assert.ok(slack.calls.filter((call) => call.status === 429).length >= 2, "rate limits were hit");
    } finally {
      slack.rateLimitEvery(0, 0);
    }
  });
});

describe("Slack not answering", () => {
  it("when Slack never answers the summary's update, then each try is given up after slack.apiTimeoutSeconds, the job is retried and the summary comes", async () => {
    // The first three tries (the client's own retries) go unanswered; the job's second attempt gets through.
    let unanswered = 3;
    const held = slack.hold(
      "chat.update",
      (args) =>
        String(args.channel) === "C0SILENT" &&
        /OOM investigation of/.test(String(args.text)) &&
        unanswered-- > 0,
    );
    try {
      const root = await investigate("C0SILENT");
      assert.match(root.text, /OOM investigation of `production`: 3 containers/);
      await held.arrived;
      assert.equal(unanswered, -1, "three tries went unanswered, then one was answered");
      await logs.until(
        (entry) => entry.channel === "C0SILENT" && entry.message === "job will be retried",
        "the retry",
      );
      const replies = slack.replies("C0SILENT", root.ts);
      assert.equal(replies.filter((m) => /systembusiness-deployment/.test(m.text)).length, 1);
    } finally {
      slack.unhold();
    }
  });
});

describe("a Kubernetes API answering 500", () => {
  it("when listing pods fails once and then works, then the job is retried and the report comes", async () => {
    cluster.api.transientFailures.set("/api/v1/namespaces/production/pods", { status: 500, times: 1 });
    const root = await investigate("C0BACK500");
    assert.match(root.text, /OOM investigation of `production`: 3 containers/);
    assert.equal(cluster.api.transientFailures.get("/api/v1/namespaces/production/pods")?.times, 0);
    await logs.until(
      (entry) => entry.channel === "C0BACK500" && entry.message === "job will be retried",
      "the retry",
    );
  });

  it("when listing pods fails on every attempt, then the root message says why after the retries", async () => {
    cluster.api.failures.set("/api/v1/namespaces/production/pods", 500);
    try {
      const root = await investigate("C0DOWN500");
      assert.match(
        root.text,
        /investigation of `production` failed: Kubernetes API error: cannot list pods in namespace production: the API server answered 500/,
      );
      await logs.until(
        (entry) => entry.channel === "C0DOWN500" && entry.message === "job failed",
        "the final failure",
      );
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /oom_doctor_jobs_total\{queue="investigate",outcome="retried"\} [1-9]/);
      assert.match(metrics, /oom_doctor_jobs_total\{queue="investigate",outcome="failed"\} [1-9]/);
    } finally {
      cluster.api.failures.delete("/api/v1/namespaces/production/pods");
    }
  });
});
