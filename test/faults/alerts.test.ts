// Live alerts under faults, with the real parts: the worker watching the cluster SIGKILLed mid-burst
// (another worker process takes its lease over), the watch stream cut and its history expired (410)
// mid-burst, Redis restarted while kills come, and a node that cannot be reached when its journal
// is swept. However it goes, every kill is in Slack once, no more, no less.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { ALERTS_QUEUE } from "../../src/queue/alerts.js";
import {
  ALERT_NODES,
  afterOomKill,
  alertCluster,
  containerId,
  killLines,
  namedKills,
  podName,
  podUid,
  rootSubject,
  runningContainerId,
  runningPod,
  systemOomEvent,
  writeKernelChatter,
  writeKernelReport,
} from "../harness/alert-world.js";
import { botEnv, dropPrefix, REDIS_URL, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import type { HarnessCluster } from "../harness/cluster.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { OwnRedis } from "../harness/own-redis.js";
import { untilTrue } from "../harness/until.js";
import { listening, printed, startWorkerProcess, type WorkerProcess } from "../harness/worker-process.js";

type Json = Record<string, unknown>;

/** The lease's TTL and the jobs' locks: a dead worker's part is taken over within this. */
const LOCK_SECONDS = 3;
const CLUSTER = "faults";

let cluster: HarnessCluster;
let slack: FakeSlack;
const children: ChildProcess[] = [];

before(async () => {
  cluster = await alertCluster();
  slack = new FakeSlack();
  await slack.start();
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await slack?.stop();
  await cluster?.close();
});

/** `count` running pods of workloads of their own in `namespace`, over the five nodes. */
function podsIn(namespace: string, count: number, seed: number): Json[] {
  return Array.from({ length: count }, (_, index) =>
    runningPod({
      namespace,
      workload: `w${String(index).padStart(3, "0")}`,
      node: ALERT_NODES[index % ALERT_NODES.length] as string,
      uid: `fa017000-0000-4000-8000-${String(seed * 1000 + index).padStart(12, "0")}`,
      containerId: containerId(seed * 1000 + index),
    }),
  );
}

/** The kubelet's report of an OOM kill of each pod's container, a second ago. */
function killAll(pods: Json[]): void {
  const atMs = Date.now() - 1000;
  for (const pod of pods) cluster.api.upsertPod(afterOomKill(pod, atMs, containerId(atMs % 1e9)));
}

/** A bot's configuration: its own Redis keys, alerts of `namespace` routed to `channel`. */
function configFor(prefix: string, namespace: string, channel: string): string {
  return writeBotConfig(
    cluster,
    prefix,
    {
      queue: { lockSeconds: LOCK_SECONDS },
      alerts: { cluster: CLUSTER, routes: [{ namespaces: namespace, channel }] },
    },
    `${namespace}.yaml`,
  );
}

/** Until every alert job found so far has run (and none is due): nothing more is on its way. */
async function settled(queue: Queue): Promise<void> {
  await untilTrue(
    async () => {
      const counts = await queue.getJobCounts("active", "waiting", "prioritized", "delayed");
      return Object.values(counts).every((count) => count === 0);
    },
    "the alerts queue to settle",
    120_000,
    50,
  );
}

/** Waits until the channel's threads name as many kills as `pods`, then checks they name each once. */
async function everyKillOnce(channel: string, pods: Json[], queue: Queue): Promise<void> {
  await slack.until(
    () => namedKills(slack, channel).length >= pods.length,
    `${pods.length} kills in ${channel}`,
    120_000,
  );
  await settled(queue);
  assert.deepEqual(namedKills(slack, channel), pods.map(podName).sort(), `${channel}: every kill once`);
}

const isLog = (pattern: RegExp) => (entry: Json) => pattern.test(String(entry.message));

describe("the watching worker SIGKILLed mid-burst", () => {
  const prefixes: string[] = [];
  let redis: Redis;

  before(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  after(async () => {
    redis?.disconnect();
    for (const prefix of prefixes) await dropPrefix(prefix);
  });

  /**
   * Two worker processes alerting `namespace`'s kills to `channel`: the first holds the cluster's lease
   * (token 1) and watches; the second, started once `ready` resolves, stands by.
   */
  async function workers(namespace: string, channel: string, ready: () => Promise<void> = async () => {}) {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const queue = new Queue(ALERTS_QUEUE, { connection: redis, prefix });
    const env = botEnv(slack, configFor(prefix, namespace, channel));
    const start = () => {
      const worker = startWorkerProcess(env);
      children.push(worker.child);
      return worker;
    };
    const watcher = start();
    await printed(watcher, /alerts: watching the cluster/);
    const lease = `${prefix}:alert:lease:${CLUSTER}`;
    assert.match((await redis.get(lease)) ?? "", /^1:/, "the first worker holds the lease, token 1");
    await ready();
    const standby = start();
    await listening(standby);
    return { queue, watcher, standby, lease };
  }

  /** SIGKILLs the watcher; its lease lapses within queue.lockSeconds and the standby takes it over. */
  async function killWatcher(
    w: { watcher: WorkerProcess; standby: WorkerProcess; lease: string },
    meanwhile: () => void,
  ): Promise<void> {
    w.watcher.child.kill("SIGKILL");
    await once(w.watcher.child, "exit");
    // Milliseconds it has left; -2 once it has lapsed already, -1 if it never would.
    const left = await redis.pttl(w.lease);
    assert.ok(
      left === -2 || (left > 0 && left <= LOCK_SECONDS * 1000),
      `the dead worker's lease lapses within ${LOCK_SECONDS} s: ${left} ms left`,
    );
    meanwhile();
    await printed(w.standby, /alerts: this worker watches the cluster now/);
    assert.match((await redis.get(w.lease)) ?? "", /^2:/, "the second worker holds it, token 2");
  }

  async function stopWorker(worker: WorkerProcess): Promise<void> {
    worker.child.kill("SIGTERM");
    await once(worker.child, "exit");
  }

  it("when it dies with some kills found and others not, then the other worker takes over within queue.lockSeconds, and every kill is in Slack once", async () => {
    const pods = podsIn("fault-kill", 60, 1);
    cluster.api.state.pods.push(...pods);
    const w = await workers("fault-kill", "C0SIGKILL");
    killAll(pods.slice(0, 30));
    // Mid-burst: once the watcher has queued some of the kills.
    await untilTrue(
      async () => (await w.queue.getJobCountByTypes("completed", "active", "waiting")) >= 5,
      "kills queued",
    );
    await killWatcher(w, () => killAll(pods.slice(30)));
    await everyKillOnce("C0SIGKILL", pods, w.queue);
    await stopWorker(w.standby);
    await w.queue.close();
  });

  it("when it dies in the middle of a delivery, then the other worker finishes it: no thread opened twice, every kill in Slack once", async () => {
    const pods = podsIn("fault-deliver", 60, 4);
    cluster.api.state.pods.push(...pods);
    // The watcher posts a thread's root, then hangs on its first list of kills: the thread is open
    // in Slack, not yet saved as open.
    let hung = "";
    const held = slack.hold("chat.postMessage", (args) => {
      const listing = args.channel === "C0DELIVER" && /new kills:$/.test(String(args.text));
      if (listing && hung === "") hung = String(args.thread_ts);
      return listing;
    });
    const w = await workers("fault-deliver", "C0DELIVER", async () => {
      killAll(pods.slice(0, 30));
      await held.arrived;
    });
    const opened = slack.rootMessages("C0DELIVER").find((root) => root.ts === hung);
    assert.ok(opened, "a thread opened before the watcher died");
    await killWatcher(w, () => {
      slack.unhold();
      killAll(pods.slice(30));
    });
    await everyKillOnce("C0DELIVER", pods, w.queue);
    const subjects = slack.rootMessages("C0DELIVER").map(rootSubject);
    assert.equal(new Set(subjects).size, subjects.length, `no thread opened twice: ${subjects.join("; ")}`);
    assert.ok(killLines(slack, "C0DELIVER", hung).length > 0, "its kills went to the thread it opened");
    await stopWorker(w.standby);
    await w.queue.close();
  });
});

describe("the watch stream cut and its history expired mid-burst", () => {
  const prefix = uniquePrefix();
  const pods = podsIn("fault-stream", 60, 2);
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let redis: Redis;
  let queue: Queue;

  before(async () => {
    cluster.api.state.pods.push(...pods);
    bot = await startTestBot(botEnv(slack, configFor(prefix, "fault-stream", "C0STREAM")), "all", () =>
      Date.now(),
    );
    await bot.logs.until(isLog(/^alerts: watching the cluster$/), "the watch to start");
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(ALERTS_QUEUE, { connection: redis, prefix });
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    await bot?.bot.close();
    await dropPrefix(prefix);
  });

  it("when the stream drops, and then cannot be resumed (410), between kills, then every kill is in Slack once", async () => {
    killAll(pods.slice(0, 20));
    await untilTrue(
      async () => (await queue.getJobCountByTypes("completed", "active", "waiting")) >= 1,
      "kills queued",
    );
    // Kills written while no stream is open: the resumed stream replays them.
    cluster.api.dropWatches();
    killAll(pods.slice(20, 40));
    await bot.logs.until(isLog(/^the watch broke: resuming$/), "the watch to resume");
    // Kills the client has not read when its history is forgotten: listed again.
    killAll(pods.slice(40));
    cluster.api.expireHistory();
    cluster.api.dropWatches();
    await bot.logs.until(isLog(/^the watch cannot be resumed: listing again$/), "the watch to list again");

    await everyKillOnce("C0STREAM", pods, queue);
    const relists = (await bot.bot.metrics.watchRelists.get()).values.reduce((sum, v) => sum + v.value, 0);
    assert.ok(relists >= 1, "listed again after the 410");
  });
});

describe("Redis restarted while kills come", () => {
  const prefix = uniquePrefix();
  const pods = podsIn("fault-redis", 30, 3);
  let own: OwnRedis;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let redis: Redis;
  let queue: Queue;

  before(async () => {
    cluster.api.state.pods.push(...pods);
    own = await OwnRedis.start();
    const env = botEnv(slack, configFor(prefix, "fault-redis", "C0REDIS"), { REDIS_URL: own.url });
    bot = await startTestBot(env, "all", () => Date.now());
    await bot.logs.until(isLog(/^alerts: watching the cluster$/), "the watch to start");
    redis = new Redis(own.url, { maxRetriesPerRequest: null });
    queue = new Queue(ALERTS_QUEUE, { connection: redis, prefix });
    // This test's own look into Redis loses it too, and says nothing of it.
    redis.on("error", () => undefined);
    queue.on("error", () => undefined);
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    await bot?.bot.close();
    await own?.stop();
  });

  it("when Redis crashes and comes back, then the kills written meanwhile are alerted, once", async () => {
    killAll(pods.slice(0, 10));
    await everyKillOnce("C0REDIS", pods.slice(0, 10), queue);

    await own.crash();
    // Down long enough for the lease to lapse: the watch stops, and kills come while nobody watches.
    await bot.logs.until(isLog(/^alerts: the watch lease is lost/), "the watcher to stop");
    killAll(pods.slice(10, 20));
    await own.restart();
    await bot.logs.until(isLog(/^Redis reachable again \(worker\)/), "the bot to reconnect");
    killAll(pods.slice(20));
    await bot.logs.until(
      () => bot.logs.entries().filter(isLog(/^alerts: watching the cluster$/)).length === 2,
      "the watch to start again",
    );

    await everyKillOnce("C0REDIS", pods, queue);
  });
});

describe("a node unreachable when its journal is swept", () => {
  const prefix = uniquePrefix();
  const node = "k8s-node-02";
  const worker = runningPod({
    namespace: "fault-sweep",
    workload: "php",
    node,
    uid: "fa017000-0000-4000-8000-00000000feed",
    container: "php-fpm",
    containerId: containerId(0xfeed),
  });
  const cursorKey = `${prefix}:alert:cursor:${CLUSTER}:${node}`;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let redis: Redis;
  let queue: Queue;
  let event = 0;

  before(async () => {
    cluster.api.state.pods.push(worker);
    bot = await startTestBot(botEnv(slack, configFor(prefix, "fault-sweep", "C0SWEEP")), "all", () =>
      Date.now(),
    );
    await bot.logs.until(isLog(/^alerts: watching the cluster$/), "the watch to start");
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(ALERTS_QUEUE, { connection: redis, prefix });
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    await bot?.bot.close();
    await dropPrefix(prefix);
  });

  const sweeps = () =>
    bot.logs.entries().filter((e) => e.message === "job done" && e.step === "sweep").length;

  /** A SystemOOM event about the node (a repeat of the last), and the sweep it asks for, done. */
  async function sweep(): Promise<void> {
    const done = sweeps();
    event += 1;
    cluster.api.upsertEvent(systemOomEvent(node, "5eeb5eeb-0000-4000-8000-000000000001", Date.now(), event));
    await bot.logs.until(() => sweeps() > done, `sweep ${event}`);
    await settled(queue);
  }

  const silentReplies = () =>
    slack.messages.filter((m) => m.channel === "C0SWEEP" && /^Silent kill in/.test(m.text));

  it("when the node cannot be reached, then the sweep keeps its cursor, and the next one alerts the kill once", async () => {
    writeKernelChatter(cluster, node, Date.now() - 20_000);
    await sweep();
    const cursor = await redis.get(cursorKey);
    assert.ok(cursor, "the first sweep keeps where it stopped");

    const sshd = cluster.fleet.nodes.get(node);
    assert.ok(sshd);
    await cluster.fleet.stop(sshd);
    writeKernelReport(cluster, {
      node,
      podUid: podUid(worker),
      containerId: runningContainerId(worker),
      pid: 7070,
      atMs: Date.now() - 5000,
      comm: "php-fpm",
    });
    await sweep();
    assert.ok(
      bot.logs.entries().some(isLog(/^sweep failed: the next one starts from the same cursor$/)),
      "the sweep failed",
    );
    assert.equal(await redis.get(cursorKey), cursor, "the cursor stays where it was");
    assert.equal(silentReplies().length, 0);

    await cluster.fleet.start(sshd);
    await sweep();
    assert.equal(silentReplies().length, 1, "alerted by the next sweep");
    assert.match(silentReplies()[0]?.text ?? "", /the kernel killed `php-fpm` \(pid 7070\)/);
    assert.notEqual(await redis.get(cursorKey), cursor, "the cursor moved past the kill");

    await sweep();
    assert.equal(silentReplies().length, 1, "not alerted again");
  });
});
