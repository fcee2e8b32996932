// The bot under faults: a worker killed in the middle of a job, a worker stopped by SIGTERM, and Redis
// down when a command arrives. Worker processes are real child processes running the CLI.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import type { BotHandle } from "../../src/cli/bot.js";
import { INVESTIGATE_QUEUE } from "../../src/queue/investigations.js";
import { botEnv, dropPrefix, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { FakeSlack, type StoredMessage } from "../harness/fake-slack.js";
import { buttonClick, slashCommand } from "../harness/slack-requests.js";
import { listening, printed, startWorkerProcess, type WorkerProcess } from "../harness/worker-process.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");
const SUMMARY = /OOM investigation of/;

let cluster: HarnessCluster;
let slack: FakeSlack;
let serve: { bot: BotHandle; url: string };
let env: Record<string, string>;
const prefix = uniquePrefix();
const children: ChildProcess[] = [];

function startWorker(): WorkerProcess {
  const worker = startWorkerProcess(env);
  children.push(worker.child);
  return worker;
}

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  // A short lock, so a dead worker's job is taken over within seconds.
  const config = writeBotConfig(cluster, prefix, { slack: { excerptLines: 8 }, queue: { lockSeconds: 3 } });
  env = botEnv(slack, config);
  serve = await startTestBot(env, "serve", () => CAPTURED);
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await serve?.bot.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

function root(channel: string): StoredMessage | undefined {
  return slack.rootMessages(channel)[0];
}

describe("a worker killed in the middle of a job", () => {
  it("when SIGKILL hits after a reply was posted, then a second worker finishes and nothing is posted twice", async () => {
    const first = startWorker();
    await listening(first);
    // The first worker hangs on the final root update, after posting the workload's reply and file.
    const held = slack.hold("chat.update", (args) => SUMMARY.test(String(args.text ?? "")));
    await slashCommand(serve.url, {
      text: "production",
      channel: "C0KILL",
      responseUrl: slack.responseUrl("kill"),
    });
    await held.arrived;
    const message = root("C0KILL");
    assert.ok(message);
    // The workload's reply, and the notes (without prometheus.url, what memory history would add).
    assert.equal(slack.replies("C0KILL", message.ts).length, 2, "the replies were posted before the kill");
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    slack.unhold();

    const second = await startTestBot(env, "worker", () => CAPTURED);
    try {
      await slack.until(() => SUMMARY.test(root("C0KILL")?.text ?? ""), "the second worker to finish");
    } finally {
      await second.bot.close();
    }
    // Taken over by the second worker's stalled check, run at a third of the 3 s lock: not by a retry.
    const started = second.logs
      .entries()
      .find((e) => e.message === "queue worker started" && e.queue === INVESTIGATE_QUEUE);
    assert.deepEqual(
      { lock: started?.lockMs, renew: started?.renewMs, check: started?.stalledCheckMs },
      { lock: 3000, renew: 1000, check: 1000 },
    );
    const takeover = second.logs
      .entries()
      .find((e) => /taken over from a worker that stopped/.test(String(e.message)));
    assert.ok(takeover, "the stalled check took the job over");
    const queue = new Queue(INVESTIGATE_QUEUE, { prefix, connection: { host: "127.0.0.1", port: 6379 } });
    try {
      const job = await queue.getJob(String(takeover.job));
      assert.equal(job?.data.channel, "C0KILL");
      assert.equal(job?.stalledCounter, 1, "moved back once by the stalled check");
      assert.equal(job?.attemptsMade, 1, "finished at its first attempt: no retry was needed");
    } finally {
      await queue.close();
    }
    const replies = slack.replies("C0KILL", message.ts);
    assert.equal(replies.length, 2, "the workload's reply and the notes, once each");
    assert.ok(
      replies[0] && replies[0].updates >= 1,
      "the second worker updated the reply instead of posting it",
    );
    assert.equal(slack.files.filter((file) => file.threadTs === message.ts).length, 1, "one file");
    assert.equal(slack.rootMessages("C0KILL").length, 1);
  });
});

describe("a worker stopped with SIGTERM", () => {
  it("when SIGTERM arrives during a job, then the job is finished before the process exits", async () => {
    const worker = startWorker();
    await listening(worker);
    const { arrived, release } = cluster.api.hold("/api/v1/nodes/k8s-node-04");
    await slashCommand(serve.url, {
      text: "production",
      channel: "C0TERM",
      responseUrl: slack.responseUrl("term"),
    });
    await arrived;
    worker.child.kill("SIGTERM");
    // The worker stops taking jobs but is still in this one; let it go on.
    await printed(worker, /SIGTERM, finishing active work/);
    release();
    const [code] = await once(worker.child, "exit");
    assert.equal(code, 0, worker.output());
    assert.match(root("C0TERM")?.text ?? "", SUMMARY);
  });
});

describe("Redis down when a command arrives", () => {
  let down: Awaited<ReturnType<typeof startTestBot>>;

  before(async () => {
    // Nothing listens on port 1: every connection attempt is refused at once.
    down = await startTestBot({ ...env, REDIS_URL: "redis://127.0.0.1:1" }, "serve", () => CAPTURED);
  });

  after(async () => {
    await down?.bot.close();
  });

  it("when /oom is typed, then the user is told at once that nothing was queued", async () => {
    const calls = slack.calls.length;
    const answer = await slashCommand(down.url, {
      text: "production",
      channel: "C0DOWN",
      responseUrl: slack.responseUrl("down"),
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body?.response_type, "ephemeral");
    assert.match(String(answer.body?.text), /job queue \(Redis\) cannot be reached/);
    assert.equal(slack.calls.slice(calls).filter((call) => call.method === "chat.postMessage").length, 0);
  });

  it("when a button is clicked, then the clicker is told at once that Redis cannot be reached", async () => {
    const responses = slack.responses.length;
    const answer = await buttonClick(down.url, {
      actionId: "show_kernel_log",
      value: "0123456789abcdef0123456789abcdef",
      messageTs: "1700000000.000001",
      threadTs: "1700000000.000001",
      channel: "C0DOWN",
      responseUrl: slack.responseUrl("down-click"),
    });
    assert.equal(answer.status, 200);
    const said = await slack.until(
      () => slack.responses.slice(responses).find((r) => r.text),
      "the answer to the click",
    );
    assert.equal(said.response_type, "ephemeral");
    assert.match(String(said.text), /job queue \(Redis\) cannot be reached/);
  });

  it("then /readyz says not ready while /healthz still answers, and the log says why once", async () => {
    assert.equal((await fetch(`${down.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${down.url}/healthz`)).status, 200);
    const entry = await down.logs.until(
      (e) => /Redis unreachable/.test(String(e.message)),
      "the Redis warning",
    );
    assert.equal(entry.level, "warn");
    assert.equal(down.logs.entries().filter((e) => /Redis unreachable/.test(String(e.message))).length, 1);
  });
});
