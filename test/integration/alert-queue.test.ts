// The alerts queue on the real Redis and the real BullMQ: a kill found twice is one job (also after it
// completed), a channel's deliveries never run two at once and one asked for while one runs follows
// it, a sweep slot or event is swept once, and a quiet end is planned once.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { after, before, describe, it } from "node:test";
import { type Job, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Kill } from "../../src/alerts/model.js";
import {
  ALERTS_QUEUE,
  AlertQueue,
  EVENT_SWEEP_DELAY_MS,
  killJobId,
  quietEndJobId,
} from "../../src/queue/alerts.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../harness/redis.js";
import { untilEvent } from "../harness/until.js";

const RETRY = { attempts: 2, retryDelaySeconds: 1 };
const T0 = Date.parse("2024-03-01T10:00:00Z");
const prefixes: string[] = [];
const queues: AlertQueue[] = [];
let producer: Redis;

before(() => {
  producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

after(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  producer?.disconnect();
  await Promise.all(prefixes.map((prefix) => dropPrefix(prefix)));
});

/** A queue under a prefix of its own, so that each test counts only its own jobs. */
function freshQueue(): { queue: AlertQueue; prefix: string } {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  const queue = new AlertQueue(producer, prefix, RETRY);
  queues.push(queue);
  return { queue, prefix };
}

function kill(n: number): Kill {
  const uid = `7c2d0000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const at = new Date(T0 + n * 1000).toISOString();
  return {
    id: `oom/${uid}/app/${at}`,
    kind: "oom-killed",
    cluster: "test",
    namespace: "production",
    pod: `api-${n}`,
    podUid: uid,
    container: "app",
    node: "k8s-node-04",
    workload: "Deployment/api",
    at,
    message: null,
    process: null,
  };
}

/** What the jobs carry, in an order of their own (BullMQ lists jobs in no order a test may rely on). */
const dataOf = (jobs: Job[]) =>
  jobs.map((job) => job.data as unknown).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** A worker whose first `deliver` job waits until `release`; every job is counted as it starts and ends. */
function startWorker(prefix: string) {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const events = new EventEmitter();
  const started: Job[] = [];
  const finished: Job[] = [];
  let running = 0;
  let mostAtOnce = 0;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const worker = new Worker(
    ALERTS_QUEUE,
    async (job) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      started.push(job);
      events.emit("change");
      if (job.name === "deliver" && started.filter((one) => one.name === "deliver").length === 1) await held;
      running -= 1;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on("completed", (job) => {
    finished.push(job);
    events.emit("change");
  });
  return {
    started,
    finished,
    release: () => release(),
    mostAtOnce: () => mostAtOnce,
    until: (check: () => boolean, what: string) => untilEvent(events, "change", check, () => what),
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}

describe("kill jobs", () => {
  it("when the same kill is added twice in one call and again in another, then it is one job, under an id without ':'", async () => {
    const { queue } = freshQueue();
    await queue.add([kill(1), kill(1), kill(2)]);
    await queue.add([kill(1)]);
    const counts = await queue.counts();
    assert.equal(counts.waiting, 2);
    const job = await queue.queue.getJob(killJobId(kill(1).id));
    assert.ok(job?.id);
    assert.doesNotMatch(job.id, /:/);
    assert.deepEqual(job.data, { kill: kill(1) });
    assert.equal(job.opts.attempts, RETRY.attempts);
  });

  it("when a kill's job has completed and the kill is found again, then nothing is queued", async () => {
    const { queue, prefix } = freshQueue();
    const worker = startWorker(prefix);
    try {
      await queue.add([kill(1)]);
      await worker.until(() => worker.finished.length === 1, "the kill job to complete");
      await queue.add([kill(1)]);
      const counts = await queue.counts();
      assert.equal(counts.waiting + counts.active + counts.delayed, 0);
      assert.equal(await (await queue.queue.getJob(killJobId(kill(1).id)))?.getState(), "completed");
    } finally {
      await worker.close();
    }
  });
});

describe("deliveries", () => {
  it("when a delivery is asked for again while one waits, then it is still one job, per channel", async () => {
    const { queue } = freshQueue();
    await queue.deliverSoon("C0WAIT", 60_000);
    await queue.deliverSoon("C0WAIT", 60_000);
    await queue.deliverSoon("C0OTHER", 60_000);
    const delayed = await queue.queue.getDelayed();
    assert.deepEqual(dataOf(delayed), [{ channel: "C0OTHER" }, { channel: "C0WAIT" }]);
  });

  it("when deliveries are asked for while one runs, then exactly one more runs after it, never two at once; asked for later, another", async () => {
    const { queue, prefix } = freshQueue();
    const worker = startWorker(prefix);
    try {
      await queue.deliverSoon("C0RUN", 0);
      await worker.until(() => worker.started.length === 1, "the first delivery to start");
      await queue.deliverSoon("C0RUN", 0);
      await queue.deliverSoon("C0RUN", 0);
      const meanwhile = await queue.counts();
      assert.equal(meanwhile.waiting + meanwhile.delayed, 0, "the next one waits for the running one to end");
      worker.release();
      await worker.until(() => worker.finished.length === 2, "the delivery that followed");
      assert.equal(worker.mostAtOnce(), 1);

      await queue.deliverSoon("C0RUN", 0);
      await worker.until(() => worker.finished.length === 3, "the delivery asked for later");
      const counts = await queue.counts();
      assert.equal(counts.waiting + counts.active + counts.delayed, 0, "and nothing more");
      assert.equal(worker.started.length, 3);
      assert.ok(worker.started.every((job) => job.name === "deliver" && job.data.channel === "C0RUN"));
    } finally {
      await worker.close();
    }
  });
});

describe("sweeps and quiet ends", () => {
  it("when a sweep slot or an event is asked for twice, then it is swept once; another slot or node is another sweep", async () => {
    const { queue } = freshQueue();
    await queue.sweep("k8s-node-04", "schedule", "2024-03-01T10:05");
    await queue.sweep("k8s-node-04", "schedule", "2024-03-01T10:05");
    await queue.sweep("k8s-node-04", "schedule", "2024-03-01T10:10");
    await queue.sweep("k8s-node-05", "schedule", "2024-03-01T10:05");
    await queue.sweep("k8s-node-04", "event", "ev-1:2");
    await queue.sweep("k8s-node-04", "event", "ev-1:2");
    assert.deepEqual(dataOf(await queue.queue.getWaiting()), [
      { node: "k8s-node-04", reason: "schedule" },
      { node: "k8s-node-04", reason: "schedule" },
      { node: "k8s-node-05", reason: "schedule" },
    ]);
    // An event's sweep waits for the kubelet to see the containers that died.
    const delayed = await queue.queue.getDelayed();
    assert.deepEqual(dataOf(delayed), [{ node: "k8s-node-04", reason: "event" }]);
    assert.equal(delayed[0]?.opts.delay, EVENT_SWEEP_DELAY_MS);
  });

  it("when a quiet end is planned twice, then it is one job, due at the end; one already past is due now", async () => {
    const { queue } = freshQueue();
    await queue.quietEnd("C0QUIET", T0 + 3_600_000, T0);
    await queue.quietEnd("C0QUIET", T0 + 3_600_000, T0 + 60_000);
    await queue.quietEnd("C0QUIET", T0 - 1000, T0);
    const counts = await queue.counts();
    assert.equal(counts.delayed, 1);
    assert.equal(counts.waiting, 1);
    const later = await queue.queue.getJob(quietEndJobId("C0QUIET", T0 + 3_600_000));
    assert.equal(later?.opts.delay, 3_600_000);
    assert.deepEqual(later?.data, { channel: "C0QUIET", atMs: T0 + 3_600_000 });
  });
});
