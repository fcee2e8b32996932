// The investigation queue: what a job carries (ids and names, never secrets), how it is checked, and
// the one-per-channel-and-namespace rule (BullMQ deduplication). An investigation is reserved before
// anything is posted: the reservation is the deduplicated job itself, delayed until its root message
// is there, so a second request for the same channel and namespace finds it and posts nothing.

import { createHash, randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { isNamespaceName, isObjectName, isSlackId } from "../analysis/names.js";
import type { QueueConfig } from "../config/schema.js";
import { producerQueue, type QueueCounts, queueCounts, retrying } from "./connection.js";

export const INVESTIGATE_QUEUE = "investigate";

export interface InvestigateJobData {
  channel: string;
  namespace: string;
  pod: string | null;
  /** The Slack user who asked; "" for an investigation a live alert started. */
  user: string;
  /** The message the job updates with its progress and summary; "" until it is posted. */
  rootTs: string;
  /** The thread its replies go to: rootTs's own, unless it was started from another thread (a digest). */
  threadTs?: string;
}

const TS = /^\d+\.\d+$/;

/** The job's data, checked: a job that fails this is not worth retrying. */
export function parseInvestigateData(data: unknown): InvestigateJobData | string {
  const value = (data ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof value[key] === "string" ? (value[key] as string) : "");
  if (!isSlackId(text("channel"))) return "channel: not a Slack channel id";
  if (text("user") !== "" && !isSlackId(text("user"))) return "user: not a Slack user id";
  if (!isNamespaceName(text("namespace"))) return "namespace: not a namespace name";
  const ts = (candidate: unknown) =>
    typeof candidate === "string" && (candidate === "" || TS.test(candidate));
  if (!ts(value.rootTs)) return "rootTs: not a Slack message ts";
  const pod = value.pod ?? null;
  if (pod !== null && (typeof pod !== "string" || !isObjectName(pod))) return "pod: not a pod name";
  const thread = value.threadTs ?? text("rootTs");
  if (!ts(thread)) return "threadTs: not a Slack message ts";
  return {
    channel: text("channel"),
    namespace: text("namespace"),
    pod,
    user: text("user"),
    rootTs: text("rootTs"),
    threadTs: thread as string,
  };
}

const deduplicationId = (channel: string, namespace: string) => `${channel}:${namespace}`;

/** What asking for an investigation came to: reserved for this request, or one already running. */
export type Reserved =
  | { reserved: true; jobId: string }
  | { reserved: false; running: InvestigateJobData | null };

export type InvestigationRequest = Omit<InvestigateJobData, "rootTs">;

/**
 * How long a reserved investigation waits for its root message. Posting it takes a Slack call; if the
 * process that reserved it stops first, the job runs after this and posts its root message itself.
 */
const RESERVED_MS = 2 * 60_000;

/** A day of finished investigations, a week of failed ones: enough for `/oom status` and the logs. */
const FINISHED_KEPT = {
  removeOnComplete: { age: 86_400, count: 200 },
  removeOnFail: { age: 7 * 86_400, count: 1000 },
};

export class InvestigationQueue {
  readonly queue: Queue<InvestigateJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly retry: Pick<QueueConfig, "attempts" | "retryDelaySeconds">,
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

  /** Reserves the channel and namespace's one investigation, unless one is running: then that one. */
  async reserve(request: InvestigationRequest): Promise<Reserved> {
    const jobId = randomUUID();
    const job = await this.queue.add(
      INVESTIGATE_QUEUE,
      { ...request, rootTs: "" },
      {
        jobId,
        delay: RESERVED_MS,
        deduplication: { id: deduplicationId(request.channel, request.namespace) },
        ...retrying(this.retry),
        ...FINISHED_KEPT,
      },
    );
    if (job.id === jobId) return { reserved: true, jobId };
    return { reserved: false, running: await this.running(request.channel, request.namespace) };
  }

  /**
   * An investigation of one pod in a live alert's thread, once per alert (`key`): it does not take the
   * channel and namespace's one slot, so `/oom` stays free while alerts come in.
   */
  async forAlert(request: {
    channel: string;
    namespace: string;
    pod: string;
    threadTs: string;
    key: string;
  }) {
    const jobId = `alert-${createHash("sha256").update(`${request.threadTs}\n${request.key}`).digest("hex").slice(0, 32)}`;
    await this.queue.add(
      INVESTIGATE_QUEUE,
      {
        channel: request.channel,
        namespace: request.namespace,
        pod: request.pod,
        user: "",
        rootTs: "",
        threadTs: request.threadTs,
      },
      { jobId, ...retrying(this.retry), ...FINISHED_KEPT },
    );
  }

  /** Starts a reserved investigation, now that its root message is posted. */
  async begin(jobId: string, rootTs: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (!job) throw new Error(`investigation ${jobId} is no longer queued`);
    await job.updateData({ ...job.data, rootTs, threadTs: job.data.threadTs ?? rootTs });
    await job.promote();
  }

  /** Gives a reservation up (its root message could not be posted): the next request may start one. */
  async cancel(jobId: string): Promise<void> {
    await this.queue.remove(jobId);
  }

  counts(): Promise<QueueCounts> {
    return queueCounts(this.queue);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
