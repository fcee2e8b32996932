// Live alerts end to end: `/oom watch` from Slack, then kills written into the running cluster (the
// fake API server's watch, real journals over real sshd) reach the channels that watch them, through
// the real bot on the real Redis: a workload's thread with its investigation, a silent kill found by a
// node sweep, a 200-kill storm kept to a few threads, tenants kept apart, and quiet hours.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { ALERTS_QUEUE } from "../../src/queue/alerts.js";
import {
  ALERT_NODES,
  afterOomKill,
  alertCluster,
  blockTexts,
  containerId,
  killLines,
  namedKills,
  nodeOf,
  podName,
  podUid,
  rootPod,
  runningContainerId,
  runningPod,
  systemOomEvent,
  WORKLOAD_ROOT,
  writeKernelReport,
} from "../harness/alert-world.js";
import {
  botEnv,
  dropPrefix,
  type LogSink,
  REDIS_URL,
  startTestBot,
  uniquePrefix,
  writeBotConfig,
} from "../harness/bot.js";
import type { HarnessCluster } from "../harness/cluster.js";
import { buttons, FakeSlack, type StoredMessage } from "../harness/fake-slack.js";
import { slashCommand } from "../harness/slack-requests.js";
import { untilTrue } from "../harness/until.js";

type Json = Record<string, unknown>;

// The bot's clock: 10:00 UTC the day after the seed's incident, whose kills are history by then.
const T0 = Date.parse("2021-07-13T10:00:00Z");
const SECOND = 1000;
/** The pod a kill line names. */
const POD = /· ([a-z0-9.-]+) \/ [a-z0-9-]+ ·/;

const PRODUCTION = "C0PROD";
const STAGING = "C0STAGING";
const WEB = "C0WEB";
const SHOP = "C0SHOP";
const QUIET = "C0QUIET";

let clock = T0;
let cluster: HarnessCluster;
let slack: FakeSlack;
let stop: () => Promise<void>;
let url: string;
let logs: LogSink;
let redis: Redis;
let alerts: Queue;
const prefix = uniquePrefix();

/** A gunicorn pod in `web` on k8s-node-08 whose worker the kernel kills; the container keeps running. */
const gunicorn = runningPod({
  namespace: "web",
  workload: "web",
  node: "k8s-node-08",
  uid: "9a8b7c6d-0000-4000-8000-00000000c0de",
  container: "gunicorn",
  containerId: containerId(0xc0de),
});
/** Two pods of production's `api`, on two nodes: killed together, they open one thread. */
const api = ["a1b2c", "d3e4f"].map((suffix, index) =>
  runningPod({
    namespace: "production",
    workload: "api",
    suffix,
    node: index === 0 ? "k8s-node-02" : "k8s-node-03",
    uid: `9a8b7c6d-0000-4000-8000-0000000${suffix}`,
    containerId: containerId(0xa0 + index),
  }),
);
/** A nightly job's pod in `nightly`, for the channel with quiet hours. */
const nightly = runningPod({
  namespace: "nightly",
  workload: "report",
  node: "k8s-node-03",
  uid: "9a8b7c6d-0000-4000-8000-00000000beef",
  containerId: containerId(0xbeef),
});
/** 200 pods over the five nodes, every other one in `shop`, the rest in `staging`. */
const storm = Array.from({ length: 200 }, (_, index) =>
  runningPod({
    namespace: index % 2 === 0 ? "shop" : "staging",
    workload: `s${String(index).padStart(3, "0")}`,
    node: ALERT_NODES[index % ALERT_NODES.length] as string,
    uid: `5707e000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    containerId: containerId(0x5000 + index),
  }),
);

before(async () => {
  cluster = await alertCluster();
  cluster.api.state.pods.push(...api, gunicorn, nightly, ...storm);
  slack = new FakeSlack();
  await slack.start();
  const config = writeBotConfig(cluster, prefix, {
    // Staging's channel may see staging only; every other channel, every namespace.
    slack: { channels: { [STAGING]: ["staging"], "*": ["*"] } },
    alerts: { cluster: "e2e", routes: [{ namespaces: "payments-*", channel: PRODUCTION }] },
  });
  const started = await startTestBot(botEnv(slack, config), "all", () => clock);
  stop = () => started.bot.close();
  ({ url, logs } = started);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  alerts = new Queue(ALERTS_QUEUE, { connection: redis, prefix });
  await logs.until((entry) => entry.message === "alerts: watching the cluster", "the watch to start");
});

after(async () => {
  await alerts?.close();
  redis?.disconnect();
  await stop?.();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

/** `/oom <text>` in the channel; the answer, which only the one who typed it sees. */
async function command(text: string, channel: string): Promise<Json> {
  const before = slack.responses.length;
  const answer = await slashCommand(url, {
    text,
    channel,
    responseUrl: slack.responseUrl(`${channel}-${text}`),
  });
  assert.equal(answer.status, 200, answer.text);
  const response = await slack.until(
    () => slack.responses.slice(before).find((r: Json) => r.text),
    `the answer to ${text} in ${channel}`,
  );
  assert.equal(response.response_type, "ephemeral", `the answer to ${text}`);
  return response;
}

/** The text of an answer, its blocks' too. */
const said = (answer: Json): string =>
  [String(answer.text), ...((answer.blocks ?? []) as Json[]).map((block) => JSON.stringify(block))].join(
    "\n",
  );

const subscriptionId = (answer: Json): string => {
  const id = /Subscription `([0-9a-f]{8})`/.exec(String(answer.text))?.[1];
  assert.ok(id, String(answer.text));
  return id;
};

/**
 * Writes an OOM kill of the pod's container into the cluster: the kernel's report in its node's
 * journal (unless `journal` is false), then the kubelet's status, which the watch sees.
 */
function kill(pod: Json, atMs: number, pid: number, journal = true): void {
  if (journal)
    writeKernelReport(cluster, {
      node: nodeOf(pod),
      podUid: podUid(pod),
      containerId: runningContainerId(pod),
      pid,
      atMs,
    });
  cluster.api.upsertPod(afterOomKill(pod, atMs, containerId(pid)));
}

const seedPod = (name: string): Json => {
  const pod = cluster.api.state.pods.find(
    (p) => podName(p) === `systembusiness-deployment-5c6969978b-${name}`,
  );
  assert.ok(pod, name);
  return pod;
};

/** Until no alert job is waiting, running or due: every kill found so far is delivered. */
async function settled(): Promise<void> {
  await untilTrue(
    async () => {
      const counts = await alerts.getJobCounts("active", "waiting", "prioritized", "delayed");
      const quietEnds = (await alerts.getDelayed()).filter((job) => job.name === "quiet-end").length;
      const busy = Object.values(counts).reduce((sum, count) => sum + count, 0);
      return busy - quietEnds === 0;
    },
    "the alerts queue to settle",
    60_000,
    50,
  );
}

describe("/oom watch", () => {
  it("when a channel watches a namespace, then it is told the subscription, and only the one who asked sees it", async () => {
    const answer = await command("watch production", PRODUCTION);
    assert.match(
      String(answer.text),
      /This channel now hears of OOM kills in `production`\. Subscription `[0-9a-f]{8}`/,
    );
    for (const [channel, scope] of [
      [WEB, "web"],
      [SHOP, "shop"],
      [STAGING, "staging"],
    ] as const)
      assert.match(String((await command(`watch ${scope}`, channel)).text), new RegExp(`in \`${scope}\``));
  });

  it("when the list is asked for, then it shows the channel's own and the route alerts.routes sends it", async () => {
    const answer = said(await command("watch list", PRODUCTION));
    assert.match(answer, /`route-1` · `payments-\*` · from alerts\.routes/);
    assert.match(answer, /`[0-9a-f]{8}` · `production` · by <@U0ALICE>/);
    assert.doesNotMatch(answer, /`staging`|`web`|`shop`/, "other channels' subscriptions are theirs");
  });

  it("when a subscription is stopped, then it is gone from the list; a route cannot be stopped from Slack", async () => {
    const payments = subscriptionId(await command("watch payments", PRODUCTION));
    assert.match(said(await command("watch list", PRODUCTION)), /`payments`/);
    assert.match(String((await command(`unwatch ${payments}`, STAGING)).text), /has no alert subscription/);
    assert.match(String((await command(`unwatch ${payments}`, PRODUCTION)).text), /\(`payments`\) stopped/);
    assert.doesNotMatch(said(await command("watch list", PRODUCTION)), /`payments`/);
    assert.match(
      String((await command("unwatch route-1", PRODUCTION)).text),
      /`route-1` comes from the configuration \(alerts\.routes\), so it cannot be stopped from Slack/,
    );
    assert.match(said(await command("watch list", PRODUCTION)), /`route-1`/);
  });

  it("when a channel asks to watch a namespace its channel map does not show it, then it is refused", async () => {
    for (const scope of ["production", "all"])
      assert.match(
        String((await command(`watch ${scope}`, STAGING)).text),
        new RegExp(`This channel may not investigate \`${scope}\``),
      );
    assert.doesNotMatch(said(await command("watch list", STAGING)), /`production`|`all`/);
  });
});

describe("a kill while the bot runs", () => {
  let root: StoredMessage;

  it("when a pod is OOM-killed, then its channel gets one thread, 1st kill today, and the investigation's report and buttons in it", async () => {
    kill(seedPod("hx5lt"), T0 - 20 * SECOND, 4242);
    root = await slack.until(() => slack.rootMessages(PRODUCTION)[0], "the alert in the production channel");
    assert.match(
      root.text,
      /^OOM kill: production \/ Deployment\/systembusiness-deployment — 1st kill today$/,
    );
    assert.match(
      blockTexts(root).join("\n"),
      /systembusiness-deployment-5c6969978b-hx5lt[\s\S]*2021-07-13 09:59:40 UTC/,
    );
    const report = await slack.until(
      () =>
        slack
          .replies(PRODUCTION, root.ts)
          .find((m) => /^:memo: OOM investigation of `production`/.test(m.text)),
      "the investigation's report in the thread",
    );
    assert.match(report.text, /1 container to look at/);
    const workload = slack.replies(PRODUCTION, root.ts).find((m) => buttons(m).length > 0);
    assert.ok(workload, "the workload's reply with its buttons");
    assert.match(workload.text, /systembusiness-deployment/);
    assert.ok(buttons(workload).some((button) => button.action_id === "show_kernel_log"));
    assert.equal(slack.rootMessages(PRODUCTION).length, 1);
  });

  it("when the same workload is killed again, then its thread's root shows it as the 2nd kill today, the first is named in a reply, and a new report comes; nothing new in the channel", async () => {
    const reports = () =>
      slack.replies(PRODUCTION, root.ts).filter((m) => /^:memo: OOM investigation of/.test(m.text)).length;
    kill(seedPod("6m4gx"), T0 - 10 * SECOND, 4343);
    await slack.until(() => /2nd kill today$/.test(root.text), "the root to count the second kill");
    assert.ok(root.updates >= 1);
    assert.match(blockTexts(root).join("\n"), /systembusiness-deployment-5c6969978b-6m4gx/);
    const lines = await slack.until(() => {
      const found = killLines(slack, PRODUCTION);
      return found.length > 0 && found;
    }, "the first kill in the thread, now that the root shows the second");
    assert.deepEqual(
      lines.map((line) => line.replace(/ · .*· (systembusiness\S+) \/ .*$/, " $1")),
      ["• 2021-07-13 09:59:40 UTC systembusiness-deployment-5c6969978b-hx5lt"],
    );
    await slack.until(() => reports() === 2, "the second kill's report in the thread");
    await settled();
    assert.equal(slack.rootMessages(PRODUCTION).length, 1, "no new message in the channel");
  });

  it("when two pods of another workload are killed at once, then one thread opens: its root shows the latest kill, its reply the other", async () => {
    kill(api[0] as Json, T0 - 8 * SECOND, 4444);
    kill(api[1] as Json, T0 - 7 * SECOND, 4545);
    const opened = await slack.until(
      () => slack.rootMessages(PRODUCTION).find((m) => /Deployment\/api/.test(m.text)),
      "the api thread",
    );
    await settled();
    assert.match(opened.text, /^OOM kill: production \/ Deployment\/api — 2nd kill today$/);
    assert.equal(rootPod(opened), podName(api[1] as Json));
    assert.deepEqual(
      killLines(slack, PRODUCTION, opened.ts).map((line) => POD.exec(line)?.[1]),
      [podName(api[0] as Json)],
    );
    assert.equal(slack.rootMessages(PRODUCTION).length, 2);
  });
});

describe("a silent kill", () => {
  const cursorKey = `${prefix}:alert:cursor:e2e:k8s-node-08`;
  let cursor: string | null = null;

  it("when the kernel kills a worker of a watched container that keeps running, then a SystemOOM event's sweep alerts it, naming the process", async () => {
    writeKernelReport(cluster, {
      node: "k8s-node-08",
      podUid: podUid(gunicorn),
      containerId: runningContainerId(gunicorn),
      pid: 48211,
      atMs: T0 - 30 * SECOND,
      comm: "gunicorn",
    });
    cluster.api.upsertEvent(
      systemOomEvent("k8s-node-08", "e7e7e7e7-0000-4000-8000-000000000001", T0 - 25 * SECOND),
    );
    const reply = await slack.until(
      () =>
        slack.messages.find(
          (m) => m.channel === WEB && m.threadTs !== null && /^Silent kill in/.test(m.text),
        ),
      "the silent kill's reply",
    );
    assert.match(
      reply.text,
      /^Silent kill in web \/ Deployment\/web: the kernel killed `gunicorn` \(pid 48211\); the container kept running/,
    );
    assert.match(blockTexts(reply).join("\n"), /Pod web-7d9c5b6f4-x7k2p, container gunicorn/);
    assert.match(blockTexts(reply).join("\n"), /--workers/, "advice for a gunicorn worker");
    const roots = slack.rootMessages(WEB);
    assert.equal(roots.length, 1);
    assert.match(roots[0]?.text ?? "", /^Silent OOM kill: web \/ Deployment\/web — 1st kill today$/);
    assert.equal(reply.threadTs, roots[0]?.ts);
    cursor = await redis.get(cursorKey);
    assert.ok(cursor, "the node's sweep cursor is kept");
  });

  it("when the node is swept again, then it reads from its cursor and the kill is not alerted twice", async () => {
    const sweeps = () => logs.entries().filter((e) => e.message === "job done" && e.step === "sweep").length;
    const done = sweeps();
    cluster.api.upsertEvent(
      systemOomEvent("k8s-node-08", "e7e7e7e7-0000-4000-8000-000000000001", T0 - 5 * SECOND, 2),
    );
    await logs.until(() => sweeps() > done, "the second sweep");
    await settled();
    assert.equal(await redis.get(cursorKey), cursor, "nothing new: the cursor stays");
    assert.equal(slack.messages.filter((m) => m.channel === WEB && /^Silent kill in/.test(m.text)).length, 1);
    assert.equal(slack.rootMessages(WEB).length, 1);
  });
});

describe("a storm", () => {
  const inShop = storm
    .filter((pod) => (pod.metadata as Json).namespace === "shop")
    .map(podName)
    .sort();
  const inStaging = storm
    .filter((pod) => (pod.metadata as Json).namespace === "staging")
    .map(podName)
    .sort();

  it("when 200 pods on five nodes are killed in a burst, then each channel gets at most 5 + 1 threads, and they name every kill once", async () => {
    // Two kills in each channel first, on two nodes: two workload threads, investigated.
    const first = storm.slice(0, 4);
    for (const [index, pod] of first.entries()) kill(pod, T0 - 60 * SECOND + index * 100, 10_000 + index);
    await slack.until(
      () => slack.rootMessages(SHOP).length === 2 && slack.rootMessages(STAGING).length === 2,
      "the first threads",
    );
    // Then the rest at once (the watch alone tells of them): room for three more threads in each
    // channel, node threads (as a rule: several pods of a node killed in one delivery) for three of
    // the five nodes, and one summary for the rest.
    for (const [index, pod] of storm.entries())
      if (index >= first.length) kill(pod, T0 - 60 * SECOND + index * 100, 10_000 + index, false);
    await slack.until(
      () =>
        namedKills(slack, SHOP).length >= inShop.length &&
        namedKills(slack, STAGING).length >= inStaging.length,
      "every kill in the shop and staging channels",
    );
    await settled();
    for (const [channel, pods] of [
      [SHOP, inShop],
      [STAGING, inStaging],
    ] as const) {
      const roots = slack.rootMessages(channel).map((root) => root.text);
      assert.ok(roots.length <= 6, `${channel}: ${roots.length} messages: ${roots.join("; ")}`);
      const summaries = roots.filter((text) => /^Alert storm: \d+ more kills/.test(text));
      const threads = roots.filter(
        (text) => /^Node k8s-node-\d\d under memory pressure/.test(text) || WORKLOAD_ROOT.test(text),
      );
      assert.deepEqual([threads.length, summaries.length], [5, 1], roots.join("; "));
      assert.deepEqual(namedKills(slack, channel), pods, `${channel}: every kill named once`);
    }
  });

  it("then each node's thread lists its channel's namespace only, and production's channel heard nothing of it", () => {
    for (const [channel, own, other] of [
      [SHOP, "shop", "staging"],
      [STAGING, "staging", "shop"],
    ] as const) {
      const nodeRoots = slack.rootMessages(channel).filter((r) => /^Node /.test(r.text));
      assert.ok(nodeRoots.length > 0, `${channel}: node storm threads`);
      for (const root of nodeRoots)
        for (const line of killLines(slack, channel, root.ts))
          assert.match(line, new RegExp(` · ${own} / `), `${root.text}: ${line}`);
      const everything = slack.messages
        .filter((m) => m.channel === channel)
        .flatMap(blockTexts)
        .join("\n");
      assert.doesNotMatch(everything, new RegExp(`\\b${other} / |production`));
    }
    assert.equal(slack.rootMessages(PRODUCTION).length, 2);
  });
});

describe("quiet hours", () => {
  it("when a kill comes in a subscription's quiet hours, then it is held, and summed up when they end", async () => {
    assert.match(
      String((await command("watch nightly quiet 09:00-11:00 tz UTC", QUIET)).text),
      /in `nightly` \(quiet 09:00–11:00 \(UTC\)\)/,
    );
    kill(nightly, T0 - 15 * SECOND, 5150);
    const due = await (async () => {
      let found: Awaited<ReturnType<typeof alerts.getDelayed>>[number] | undefined;
      await untilTrue(async () => {
        found = (await alerts.getDelayed()).find((job) => job.name === "quiet-end");
        return found !== undefined;
      }, "the end of the quiet hours to be planned");
      assert.ok(found);
      return found;
    })();
    assert.equal(due.data.channel, QUIET);
    assert.equal(due.data.atMs, Date.parse("2021-07-13T11:00:00Z"));
    await settled();
    assert.equal(
      slack.messages.filter((m) => m.channel === QUIET).length,
      0,
      "nothing posted in quiet hours",
    );

    clock = Date.parse("2021-07-13T11:00:00Z");
    await due.promote();
    const summary = await slack.until(() => slack.rootMessages(QUIET)[0], "the summary when quiet hours end");
    assert.match(
      summary.text,
      /^Quiet hours \(09:00–11:00, UTC\) are over\. While they lasted, 1 kill in 1 workload waited:$/,
    );
    assert.match(
      blockTexts(summary).join("\n"),
      /OOM-killed · nightly \/ Deployment\/report · report-7d9c5b6f4-x7k2p \/ app/,
    );
    await settled();
    assert.equal(slack.messages.filter((m) => m.channel === QUIET).length, 1);
  });
});
