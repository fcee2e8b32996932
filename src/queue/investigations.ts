// The investigation queue: what a job carries (ids and names, never secrets), how it is checked, and
// the one-per-channel-and-namespace rule (BullMQ deduplication).

import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { producerQueue } from "./connection.js";

export const INVESTIGATE_QUEUE = "investigate";

export interface InvestigateJobData {
  channel: string;
  namespace: string;
  pod: string | null;
  /** The Slack user who asked. */
  user: string;
  /** The message the job updates with its progress and summary. */
  rootTs: string;
  /** The thread its replies go to: rootTs's own, unless it was started from another thread (a digest). */
  threadTs?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SLACK_ID = /^[A-Z0-9]{2,}$/;
const TS = /^\d+\.\d+$/;

/** The job's data, checked: a job that fails this is not worth retrying. */
export function parseInvestigateData(data: unknown): InvestigateJobData | string {
  const value = (data ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof value[key] === "string" ? (value[key] as string) : "");
  if (!SLACK_ID.test(text("channel"))) return "channel: not a Slack channel id";
  if (!SLACK_ID.test(text("user"))) return "user: not a Slack user id";
  if (!NAME.test(text("namespace"))) return "namespace: not a namespace name";
  if (!TS.test(text("rootTs"))) return "rootTs: not a Slack message ts";
  const pod = value.pod ?? null;
  if (pod !== null && (typeof pod !== "string" || !NAME.test(pod))) return "pod: not a pod name";
  const thread = value.threadTs ?? text("rootTs");
  if (typeof thread !== "string" || !TS.test(thread)) return "threadTs: not a Slack message ts";
  return {
    channel: text("channel"),
    namespace: text("namespace"),
    pod,
    user: text("user"),
    rootTs: text("rootTs"),
    threadTs: thread,
  };
}

const deduplicationId = (channel: string, namespace: string) => `${channel}:${namespace}`;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
}

export type Enqueued =
  | { queued: true; jobId: string }
  | { queued: false; running: InvestigateJobData | null };

export class InvestigationQueue {
  readonly queue: Queue<InvestigateJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly retry: { attempts: number; retryDelaySeconds: number },
  ) {
    this.queue = producerQueue<InvestigateJobData>(INVESTIGATE_QUEUE, connection, prefix);
  }

  /** The investigation already running (or waiting) for this channel and namespace, if any. */
  async running(channel: string, namespace: string): Promise<InvestigateJobData | null> {
    const jobId = await this.queue.getDeduplicationJobId(deduplicationId(channel, namespace));
    if (!jobId) return null;
    const job = await this.queue.getJob(jobId);
    return job ? job.data : null;
  }

  async enqueue(data: InvestigateJobData): Promise<Enqueued> {
    const jobId = randomUUID();
    const job = await this.queue.add(INVESTIGATE_QUEUE, data, {
      jobId,
      deduplication: { id: deduplicationId(data.channel, data.namespace) },
      attempts: this.retry.attempts,
      backoff: { type: "exponential", delay: this.retry.retryDelaySeconds * 1000 },
      removeOnComplete: { age: 86_400, count: 200 },
      removeOnFail: { age: 7 * 86_400, count: 1000 },
    });
    if (job.id === jobId) return { queued: true, jobId };
    return { queued: false, running: await this.running(data.channel, data.namespace) };
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.queue.getJobCounts("waiting", "active", "delayed", "failed");
    return {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      workers: await this.queue.getWorkersCount(),
    };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
