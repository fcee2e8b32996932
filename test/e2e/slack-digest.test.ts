// Daily digests end to end: a subscription made with /oom becomes a BullMQ Job Scheduler on the real
// Redis; at its (simulated) time the digest is posted once, with its chart, although two workers run.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import type { BotHandle } from "../../src/cli/bot.js";
import { botEnv, dropPrefix, REDIS_URL, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { FakeSlack, type StoredMessage } from "../harness/fake-slack.js";
import { podObject } from "../harness/pods.js";
import { buttonClick, slashCommand } from "../harness/slack-requests.js";

type Json = Record<string, unknown>;

const DAY = 86_400_000;
// 09:00 in Shanghai on the morning after the seed's incident.
const T0 = Date.parse("2021-07-13T01:00:00Z");
const CHANNEL = "C0DIGEST";

let cluster: HarnessCluster;
let slack: FakeSlack;
let bots: BotHandle[] = [];
let url: string;
let clock = T0;
const prefix = uniquePrefix();
let connection: Redis;
let queue: Queue;
let events: QueueEvents;
/** Jobs this test added itself, not the bot. */
const addedHere = new Set<string>();

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  slack.userZones.set("U0ALICE", "Asia/Shanghai");
  const env = botEnv(slack, writeBotConfig(cluster, prefix, { slack: { maxDigestSubscriptions: 2 } }));
  const first = await startTestBot(env, "all", () => clock);
  // A second worker, as another replica would run: each digest must still be sent once.
  const second = await startTestBot(env, "worker", () => clock);
  bots = [first.bot, second.bot];
  url = first.url;
  connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue("digests", { connection, prefix });
  events = new QueueEvents("digests", { connection: { url: REDIS_URL }, prefix });
  await events.waitUntilReady();
});

after(async () => {
  await events?.close();
  await queue?.close();
  connection?.disconnect();
  for (const bot of bots) await bot.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

async function command(text: string): Promise<string> {
  const before = slack.responses.length;
  const answer = await slashCommand(url, { text, channel: CHANNEL, responseUrl: slack.responseUrl(text) });
  assert.equal(answer.status, 200);
  const response = await slack.until(
    () => slack.responses.slice(before).find((r: Json) => r.text),
    `the answer to ${text}`,
  );
  return String(response.text);
}

/** `/oom digest now <scope>`, and the digest it posts: the first new root message that matches. */
async function digestNow(scope: string, match: RegExp): Promise<StoredMessage> {
  const before = slack.rootMessages(CHANNEL).length;
  assert.match(await command(`digest now ${scope}`), /on its way/);
  return slack.until(
    () =>
      slack
        .rootMessages(CHANNEL)
        .slice(before)
        .find((m) => match.test(m.text)),
    `the digest of ${scope}`,
  );
}

function pod(name: string): Json {
  const found = cluster.api.state.pods.find((p) => (p.metadata as Json).name === name);
  assert.ok(found);
  return found;
}

describe("a daily digest", () => {
  let subscription = "";
  let digest: StoredMessage;

  it("when a channel subscribes, then a scheduler runs the digest daily at 09:00 in the user's Slack time zone", async () => {
    const answer = await command("digest subscribe production");
    const id = /Subscription `([0-9a-f]{8})`/.exec(answer)?.[1];
    assert.ok(id, answer);
    subscription = id;
    assert.match(answer, /`production` here at 09:00 \(Asia\/Shanghai\)/);
    const scheduler = await queue.getJobScheduler(`digest-${id}`);
    assert.equal(scheduler?.pattern, "0 9 * * *");
    assert.equal(scheduler?.tz, "Asia/Shanghai");
    assert.ok(await queue.getJobScheduler("snapshot-production"), "hourly snapshots of the scope");
    assert.match(
      await command("digest list"),
      new RegExp(`\`${id}\` · \`production\` at 09:00 \\(Asia/Shanghai\\)`),
    );
  });

  it("when the scheduled time comes a day later, then the digest counts the day's restarts exactly, with its chart, once", async () => {
    // The baseline: an hourly snapshot at T0, the scope's first. Of the day before it, it sees each
    // pod's last termination: the seed's three OOM kills, counted as at least one each.
    const baseline = await queue.add("snapshot", { scope: "production" });
    addedHere.add(baseline.id ?? "");
    await baseline.waitUntilFinished(events);
    // During the day: hx5lt OOM-killed three more times; 6m4gx deleted and replaced by a pod that restarted twice.
    const hx5lt = pod("systembusiness-deployment-5c6969978b-hx5lt");
    const status = ((hx5lt.status as Json).containerStatuses as Json[])[0] as Json;
    status.restartCount = 15;
    status.lastState = {
      terminated: {
        reason: "OOMKilled",
        exitCode: 137,
        startedAt: "2021-07-13T19:00:00Z",
        finishedAt: "2021-07-13T20:00:00Z",
      },
    };
    const pods = cluster.api.state.pods;
    pods.splice(pods.indexOf(pod("systembusiness-deployment-5c6969978b-6m4gx")), 1);
    pods.push(
      podObject({
        name: "systembusiness-deployment-5c6969978b-zz9k2",
        uid: "7e0c2d9a-1f3b-4c5d-8e9f-0a1b2c3d4e5f",
        namespace: "production",
        node: "k8s-node-01",
        container: "systembusiness",
        owner: { kind: "ReplicaSet", name: "systembusiness-deployment-5c6969978b" },
        labels: { app: "systembusiness", "pod-template-hash": "5c6969978b" },
        createdAt: "2021-07-13T10:00:00Z",
        restartCount: 2,
        lastContainerId: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
        reason: "Error",
        exitCode: 1,
        startedAt: "2021-07-13T12:00:00Z",
        finishedAt: "2021-07-13T12:05:00Z",
      }),
    );

    clock = T0 + DAY;
    const due = (await queue.getDelayed()).find((job) => job.name === "digest");
    assert.ok(due, "the scheduler's next digest is waiting");
    await due.promote();
    await due.waitUntilFinished(events);

    const digests = slack.rootMessages(CHANNEL).filter((m) => /Restart digest/.test(m.text));
    assert.equal(digests.length, 1, "one digest, however many workers");
    digest = digests[0] as StoredMessage;
    const text = JSON.stringify(digest.blocks);
    assert.match(digest.text, /Restart digest for `production`, 24 hours to 2021-07-14 09:00 Asia\/Shanghai/);
    assert.match(text, /\*5\* restarts, \*1\* OOM kill, \*2\* pods affected/);
    assert.match(text, /\(the day before: at least 3 restarts, 3 OOM kills\)/);
    assert.match(text, /Lower bounds: before the first snapshot of this scope/);
    assert.match(
      text,
      /production\/Deployment\/systembusiness-deployment: 5 restarts, 1 OOM-killed \(Error, OOMKilled\)/,
    );
    const files = slack.files.filter((file) => file.threadTs === digest.ts);
    assert.equal(files.length, 1, "one chart");
    assert.deepEqual([...(files[0]?.bytes.subarray(0, 4) ?? [])], [0x89, 0x50, 0x4e, 0x47]);
  });

  it("when Investigate is clicked, then the investigation runs in the digest's thread", async () => {
    const button = digest.blocks
      .filter((block) => block.type === "actions")
      .flatMap((block) => block.elements as Array<{ action_id: string; value: string }>)
      .find((element) => element.action_id === "investigate_workload");
    assert.ok(button);
    await buttonClick(url, {
      actionId: button.action_id,
      value: button.value,
      channel: CHANNEL,
      messageTs: digest.ts,
      threadTs: digest.ts,
      responseUrl: slack.responseUrl("investigate"),
    });
    const status = await slack.until(
      () => slack.replies(CHANNEL, digest.ts).find((m) => /OOM investigation of `production`/.test(m.text)),
      "the investigation in the digest's thread",
    );
    assert.ok(status);
    assert.ok(
      slack.replies(CHANNEL, digest.ts).some((m) => /^Deployment systembusiness-deployment: /.test(m.text)),
      "the workload's reply in the digest's thread",
    );
  });

  it("when nothing restarted in the last 24 hours, then the digest is one quiet line", async () => {
    clock = T0 + 2 * DAY;
    const quiet = await digestNow("production", /Quiet day/);
    assert.equal(quiet.blocks.length, 1);
  });

  it("when a digest is asked for a scope never snapshotted, then the day's OOM kills count as a lower bound, with the chart", async () => {
    // Three pods in another namespace, OOM-killed an hour ago; nothing has looked at `payments` before.
    clock = T0 + 3 * DAY;
    const killed = new Date(clock - 3_600_000).toISOString();
    for (const [i, name] of [
      "ledger-7d9c5b6f4-a1b2c",
      "ledger-7d9c5b6f4-d3e4f",
      "ledger-7d9c5b6f4-g5h6i",
    ].entries()) {
      cluster.api.state.pods.push(
        podObject({
          name,
          uid: `${name.slice(-5)}000-0000-4000-8000-000000000000`,
          namespace: "payments",
          owner: { kind: "ReplicaSet", name: "ledger-7d9c5b6f4" },
          createdAt: "2021-07-01T00:00:00Z",
          restartCount: 4,
          lastContainerId: `${i}b`.repeat(32),
          finishedAt: killed,
        }),
      );
    }
    const first = await digestNow("payments", /digest for `payments`/);
    const text = JSON.stringify(first.blocks);
    assert.doesNotMatch(first.text, /Quiet day/);
    assert.match(text, /At least \*3\* restarts, \*3\* OOM kills, \*3\* pods affected/);
    assert.match(text, /Lower bounds: before the first snapshot of this scope/);
    assert.match(text, /payments\/Deployment\/ledger: 3 restarts, 3 OOM-killed \(OOMKilled\)/);
    const chart = await slack.until(
      () => slack.files.find((file) => file.threadTs === first.ts),
      "the chart in the digest's thread",
    );
    assert.deepEqual([...chart.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it("then every digest and snapshot job, scheduled or asked for, is removed from Redis after a while", async () => {
    const jobs = (await queue.getJobs(["completed", "failed", "delayed", "waiting", "active"])).filter(
      (job) => !addedHere.has(job.id ?? ""),
    );
    assert.ok(jobs.some((job) => job.name === "digest") && jobs.some((job) => job.name === "snapshot"));
    for (const job of jobs) {
      assert.ok(typeof job.opts.removeOnComplete === "object", `${job.name} ${job.id}: removeOnComplete`);
      assert.ok(typeof job.opts.removeOnFail === "object", `${job.name} ${job.id}: removeOnFail`);
    }
  });

  it("when the channel unsubscribes, then the scheduler is gone, and the scope's history with it", async () => {
    const history = ["seen", "events", "snapshot-at"].map((key) => `${prefix}:digest:${key}:production`);
    assert.equal(await connection.exists(...history), 3, "a history to remove");
    assert.match(await command(`digest unsubscribe ${subscription}`), /stopped/);
    assert.equal(await queue.getJobScheduler(`digest-${subscription}`), undefined);
    assert.equal(await queue.getJobScheduler("snapshot-production"), undefined);
    assert.equal(await connection.exists(...history), 0);
    assert.match(await command("digest unsubscribe ffffffff"), /There is no digest subscription `ffffffff`/);
  });
});

describe("the cap on digest subscriptions", () => {
  it("when slack.maxDigestSubscriptions are there already, then one more is refused, saying why", async () => {
    const ids = [];
    for (const scope of ["production", "staging"]) {
      const answer = await command(`digest subscribe ${scope}`);
      ids.push(/Subscription `([0-9a-f]{8})`/.exec(answer)?.[1]);
    }
    assert.match(await command("digest subscribe default"), /There are 2 digest subscriptions already/);
    assert.equal((await queue.getJobSchedulers()).filter((s) => /default/.test(String(s.key))).length, 0);
    for (const id of ids) assert.match(await command(`digest unsubscribe ${id}`), /stopped/);
  });
});
