// A BullMQ worker for one of the bot's queues: its lock (how soon another worker takes over a dead
// one's job: see src/queue/locks.ts), its metrics and logs. Closing it waits for active jobs up to a grace period; after that they are left to another worker.

import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { QueueConfig } from "../src/config/schema.js";
import { withinGrace } from "../src/ops/grace.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import { KEEP_FINISHED } from "../src/queue/connection.js";
import { lockTimings } from "../src/queue/locks.js";

export interface BotWorker {
  worker: Worker;
  /** Stops taking jobs and waits for active ones, at most the grace period. */
  close(): Promise<void>;
}

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

function lostConnection(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || error.message === "Connection is closed.";
}

export function startBotWorker(
  queueName: string,
  connection: Redis,
  queue: QueueConfig,
  metrics: Metrics,
  log: Log,
  processor: (job: Job<unknown>) => Promise<unknown>,
): BotWorker {
  const timings = lockTimings(queue.lockSeconds);
  const worker = new Worker(queueName, processor, {
    connection,
    prefix: queue.prefix,
    concurrency: queue.concurrency,
    lockDuration: timings.lockMs,
    lockRenewTime: timings.renewMs,
    stalledInterval: timings.stalledCheckMs,
    maxStalledCount: 2,
    // For jobs added without retention of their own (by an older version, say).
    ...KEEP_FINISHED,
  });
  log("debug", "queue worker started", { queue: queueName, ...timings });
  const about = (job: Job | undefined) => {
    const data = (job?.data ?? {}) as Record<string, unknown>;
    return {
      queue: queueName,
      step: job?.name,
      job: job?.id,
      namespace: data.namespace,
      channel: data.channel,
      attempt: job?.attemptsMade,
    };
  };
  worker.on("completed", (job) => {
    metrics.jobs.inc({ queue: queueName, outcome: "completed" });
    log("info", "job done", about(job));
  });
  // A job whose worker died (its lock lapsed), moved back to the queue by this worker's stalled check.
  worker.on("stalled", (jobId) => {
    log("warn", "job taken over from a worker that stopped", { queue: queueName, job: jobId });
  });
  worker.on("failed", (job, error) => {
    const final = error instanceof UnrecoverableError || !job || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobs.inc({ queue: queueName, outcome: final ? "failed" : "retried" });
    log(final ? "error" : "warn", final ? "job failed" : "job will be retried", {
      ...about(job),
      error: error.message,
    });
  });
  // Without a listener Node would crash. A lost connection is already logged once by the connection's
  // watcher, and BullMQ reconnects: repeating it at every attempt would bury everything else.
  worker.on("error", (error) => {
    if (!lostConnection(error)) log("warn", "queue worker error", { error: error.message });
  });
  return {
    worker,
    close: async () => {
      // Past the grace period the process exits without finishing: the jobs' locks lapse within
      // queue.lockSeconds and another worker takes them over, updating what was already posted.
      if ((await withinGrace(worker.close(), queue.shutdownGraceSeconds)) === "timeout")
        log("warn", "stopped before the active jobs finished: another worker will take them over", {
          queue: queueName,
        });
    },
  };
}
