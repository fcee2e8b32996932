// Redis restarted while jobs are queued and one is running: the bot tells users at once that nothing
// can be queued meanwhile, and after Redis is back (with its append-only file) every queued job
// completes, once. The test runs its own redis-server; the shared one is never restarted.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { QueueEvents } from "bullmq";
import { INVESTIGATE_QUEUE } from "../../src/queue/investigations.js";
import { botEnv, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { OwnRedis } from "../harness/own-redis.js";
import { slashCommand } from "../harness/slack-requests.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");
const SUMMARY = /OOM investigation of/;

let cluster: HarnessCluster;
let slack: FakeSlack;
let redis: OwnRedis;
let serve: Awaited<ReturnType<typeof startTestBot>>;
let worker: Awaited<ReturnType<typeof startTestBot>>;
const prefix = uniquePrefix();

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  redis = await OwnRedis.start();
  // One job at a time, so the second command waits in the queue while the first is held.
  const config = writeBotConfig(cluster, prefix, { queue: { concurrency: 1 } });
  const env = botEnv(slack, config, { REDIS_URL: redis.url });
  serve = await startTestBot(env, "serve", () => CAPTURED);
  worker = await startTestBot(env, "worker", () => CAPTURED);
});

after(async () => {
  await serve?.bot.close();
  await worker?.bot.close();
  await slack?.stop();
  await cluster?.close();
  await redis?.stop();
});

function isLog(pattern: RegExp): (entry: Record<string, unknown>) => boolean {
  return (entry) => pattern.test(String(entry.message));
}

describe("Redis restarted mid-queue", () => {
  it("when Redis crashes with one job running and one queued, then both complete once after it is back, and the bot answers meanwhile", async () => {
    const { arrived, release } = cluster.api.hold("/api/v1/nodes/k8s-node-04");
    // Told by BullMQ's own event stream when the second job is in the queue, not merely announced.
    const events = new QueueEvents(INVESTIGATE_QUEUE, {
      prefix,
      connection: { host: "127.0.0.1", port: redis.port },
    });
    await events.waitUntilReady();
    const queued = new Promise<void>((resolve) => {
      let waiting = 0;
      events.on("waiting", () => {
        waiting += 1;
        if (waiting === 2) resolve();
      });
    });
    await slashCommand(serve.url, {
      text: "production",
      channel: "C0RUN",
      responseUrl: slack.responseUrl("run"),
    });
    await arrived;
    await slashCommand(serve.url, {
      text: "production",
      channel: "C0QUEUED",
      responseUrl: slack.responseUrl("queued"),
    });
    await queued;
    await events.close();

    // The outage is logged once per connection, not printed at every reconnection attempt.
    const printed: unknown[] = [];
    const print = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    await redis.crash();
    await serve.logs.until(isLog(/Redis unreachable/), "the serve side noticing");
    const meanwhile = await slashCommand(serve.url, {
      text: "production",
      channel: "C0DOWN",
      responseUrl: slack.responseUrl("down"),
    });
    assert.equal(meanwhile.status, 200);
    assert.match(String(meanwhile.body?.text), /job queue \(Redis\) cannot be reached/);
    const help = await slashCommand(serve.url, {
      text: "help",
      channel: "C0DOWN",
      responseUrl: slack.responseUrl("help"),
    });
    assert.match(String(help.body?.text), /\/oom/, "help needs no Redis");

    await redis.restart();
    await serve.logs.until(isLog(/Redis reachable again/), "the serve side reconnecting");
    await worker.logs.until(isLog(/Redis reachable again/), "the worker reconnecting");
    console.error = print;
    assert.deepEqual(printed, []);
    for (const side of [serve, worker]) {
      const warnings = side.logs.entries().filter((entry) => entry.level === "warn");
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
    }
    release();

    for (const channel of ["C0RUN", "C0QUEUED"]) {
      await slack.until(
        () => SUMMARY.test(slack.rootMessages(channel)[0]?.text ?? ""),
        `the report in ${channel}`,
      );
    }
    const after = await slashCommand(serve.url, {
      text: "production",
      channel: "C0DOWN",
      responseUrl: slack.responseUrl("after"),
    });
    assert.doesNotMatch(String(after.body?.text ?? ""), /cannot be reached/);
    await slack.until(
      () => SUMMARY.test(slack.rootMessages("C0DOWN")[0]?.text ?? ""),
      "the report queued after the restart",
    );

    for (const channel of ["C0RUN", "C0QUEUED", "C0DOWN"]) {
      const roots = slack.rootMessages(channel);
      assert.equal(roots.length, 1, `one root message in ${channel}`);
      const root = roots[0];
      assert.ok(root);
      // The workload's reply, and the notes (without prometheus.url, what memory history would add).
      assert.equal(slack.replies(channel, root.ts).length, 2, `each reply once in ${channel}`);
    }
  });
});
