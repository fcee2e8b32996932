// The alerts queue: a found kill ("kill"), a channel's next delivery ("deliver"), a node's journal
// sweep ("sweep") and the end of a channel's quiet hours ("quiet-end"). Job ids are derived from what
// the job is about, so a kill found twice, a sweep slot asked for by two workers, or a quiet end planned
// twice is queued once. What a job carries is checked before it is used: a kill read back from a job or
// from Redis is parsed, field by field, like anything else from outside.

import { createHash } from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Kill, KilledProcess, KillKind } from "../alerts/model.js";
import type { KillSink } from "../alerts/ports.js";
import {
  isContainerName,
  isNamespaceName,
  isObjectName,
  isObjectUid,
  isSlackChannelId,
} from "../analysis/names.js";
import type { QueueConfig } from "../config/schema.js";
import { producerQueue, type QueueCounts, queueCounts, retrying } from "./connection.js";

export const ALERTS_QUEUE = "alerts";

export interface KillJobData {
  kill: Kill;
}

export interface DeliverJobData {
  channel: string;
}

export type SweepReason = "schedule" | "event";

export interface SweepJobData {
  node: string;
  reason: SweepReason;
}

export interface QuietEndJobData {
  channel: string;
  /** When the quiet hours ended, epoch ms. */
  atMs: number;
}

export type AlertJob =
  | { name: "kill"; data: KillJobData }
  | { name: "deliver"; data: DeliverJobData }
  | { name: "sweep"; data: SweepJobData }
  | { name: "quiet-end"; data: QuietEndJobData };

export type AlertJobData = AlertJob["data"];

/** How each kind's id begins (see Kill.id). */
const KILL_ID_PREFIXES: Record<KillKind, string> = {
  "oom-killed": "oom/",
  evicted: "evicted/",
  "system-oom": "system-oom/",
  "child-process": "child/",
};
export const MAX_KILL_ID = 1024;
/** Longer messages are cut by whoever finds the kill; a longer one here was not written by oom-doctor. */
export const MAX_KILL_MESSAGE = 16_384;
const MAX_PROCESS_NAME = 256;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
// `Kind/name`, as analysis/workload-key spells it.
const WORKLOAD = /^([A-Z][A-Za-z]*)\/(.+)$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isKillKind = (value: unknown): value is KillKind =>
  typeof value === "string" && Object.hasOwn(KILL_ID_PREFIXES, value);

/** A cluster's name as keys and messages carry it: printable, no spaces. */
export const isClusterName = (name: string): boolean => /^[\x21-\x7e]{1,253}$/.test(name);

export const isIsoTime = (value: string): boolean =>
  ISO_TIME.test(value) && Number.isFinite(Date.parse(value));

const isWorkload = (value: string): boolean => {
  const name = WORKLOAD.exec(value)?.[2];
  return name !== undefined && isObjectName(name);
};

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

const isBytes = (value: unknown): value is number | null =>
  value === null || (typeof value === "number" && Number.isFinite(value) && value >= 0);

/** `value` when it is null (or absent) or a string of that shape; undefined when it is neither. */
function optionalText(value: unknown, shape: (text: string) => boolean): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === "string" && shape(value) ? value : undefined;
}

function parseProcess(value: unknown): KilledProcess | null | undefined {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) return undefined;
  const { name, pid, residentBytes, limitBytes } = value;
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_PROCESS_NAME) return undefined;
  if (!isCount(pid) || !isBytes(residentBytes) || !isBytes(limitBytes)) return undefined;
  return { name, pid, residentBytes, limitBytes };
}

/** A kill as a job or a store gave it back, checked field by field; null when anything is off. */
export function parseKill(value: unknown): Kill | null {
  if (!isRecord(value)) return null;
  const { id, kind, cluster, at } = value;
  if (!isKillKind(kind) || typeof id !== "string") return null;
  if (id.length > MAX_KILL_ID || !id.startsWith(KILL_ID_PREFIXES[kind])) return null;
  if (typeof cluster !== "string" || !isClusterName(cluster)) return null;
  if (typeof at !== "string" || !isIsoTime(at)) return null;
  const namespace = optionalText(value.namespace, isNamespaceName);
  const pod = optionalText(value.pod, isObjectName);
  const podUid = optionalText(value.podUid, isObjectUid);
  const container = optionalText(value.container, isContainerName);
  const node = optionalText(value.node, isObjectName);
  const workload = optionalText(value.workload, isWorkload);
  const message = optionalText(value.message, (text) => text.length <= MAX_KILL_MESSAGE);
  const killed = parseProcess(value.process);
  if (
    namespace === undefined ||
    pod === undefined ||
    podUid === undefined ||
    container === undefined ||
    node === undefined ||
    workload === undefined ||
    message === undefined ||
    killed === undefined
  )
    return null;
  return {
    id,
    kind,
    cluster,
    namespace,
    pod,
    podUid,
    container,
    node,
    workload,
    at,
    message,
    process: killed,
  };
}

/** A job of the alerts queue, checked; a string saying what is wrong when it is not worth running. */
export function parseAlertJob(name: string, data: unknown): AlertJob | string {
  const value = isRecord(data) ? data : {};
  const channel = () =>
    typeof value.channel === "string" && isSlackChannelId(value.channel) ? value.channel : null;
  switch (name) {
    case "kill": {
      const kill = parseKill(value.kill);
      return kill === null ? "kill: not a kill" : { name, data: { kill } };
    }
    case "deliver": {
      const id = channel();
      return id === null ? "channel: not a Slack channel id" : { name, data: { channel: id } };
    }
    case "sweep": {
      const { node, reason } = value;
      if (typeof node !== "string" || !isObjectName(node)) return "node: not a node name";
      if (reason !== "schedule" && reason !== "event") return "reason: neither schedule nor event";
      return { name, data: { node, reason } };
    }
    case "quiet-end": {
      const id = channel();
      if (id === null) return "channel: not a Slack channel id";
      return isCount(value.atMs) ? { name, data: { channel: id, atMs: value.atMs } } : "atMs: not a time";
    }
    default:
      return `unknown job ${name}`;
  }
}

// BullMQ's custom job ids may not contain ':', and kill ids and sweep keys may: their digest stands in.
const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** The job of a kill: the same whoever finds it and however often. */
export const killJobId = (killId: string): string => `kill-${digest(killId)}`;

export const sweepJobId = (node: string, reason: SweepReason, key: string): string =>
  `sweep-${reason}-${node}-${digest(key)}`;

export const quietEndJobId = (channel: string, atMs: number): string => `quiet-end-${channel}-${atMs}`;

/**
 * Finished kill jobs stay two days under their ids, so a kill found again within them (a relist, a
 * takeover, a second sweep) is not queued again; the count bounds what a storm leaves behind.
 */
const KILLS_KEPT = { age: 2 * 86_400, count: 20_000 };

/** How long after a SystemOOM event its node is swept. */
export const EVENT_SWEEP_DELAY_MS = 5_000;

export class AlertQueue implements KillSink {
  readonly queue: Queue<AlertJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly retry: Pick<QueueConfig, "attempts" | "retryDelaySeconds">,
  ) {
    this.queue = producerQueue<AlertJobData>(ALERTS_QUEUE, connection, prefix);
  }

  async add(kills: Kill[]): Promise<void> {
    if (kills.length === 0) return;
    await this.queue.addBulk(
      kills.map((kill) => ({
        name: "kill",
        data: { kill } satisfies KillJobData,
        opts: { jobId: killJobId(kill.id), ...retrying(this.retry), removeOnComplete: KILLS_KEPT },
      })),
    );
  }

  /**
   * The channel's next delivery, in `delayMs` (kills found meanwhile go with it). While one waits, asking
   * again adds nothing; while one runs, asking again adds one more, started when it finishes, so kills
   * pended after it took the channel's pending ones are delivered too, and never two at once.
   */
  async deliverSoon(channel: string, delayMs: number): Promise<void> {
    await this.queue.add("deliver", { channel } satisfies DeliverJobData, {
      delay: delayMs,
      deduplication: { id: `deliver-${channel}`, keepLastIfActive: true },
      ...retrying(this.retry),
    });
  }

  /** A sweep of the node's journal; one per `key` (the schedule's slot, or the event that asked). */
  async sweep(node: string, reason: SweepReason, key: string): Promise<void> {
    await this.queue.add("sweep", { node, reason } satisfies SweepJobData, {
      jobId: sweepJobId(node, reason, key),
      // After a SystemOOM event, the kubelet needs a moment to see a container whose main process
      // died: swept at once, its kill would look like one that left the container running.
      delay: reason === "event" ? EVENT_SWEEP_DELAY_MS : 0,
      ...retrying(this.retry),
    });
  }

  /** The summary of what the channel's quiet hours held, when they end at `atMs`; one per end. */
  async quietEnd(channel: string, atMs: number, nowMs: number): Promise<void> {
    await this.queue.add("quiet-end", { channel, atMs } satisfies QuietEndJobData, {
      jobId: quietEndJobId(channel, atMs),
      delay: Math.max(0, atMs - nowMs),
      ...retrying(this.retry),
    });
  }

  counts(): Promise<QueueCounts> {
    return queueCounts(this.queue);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
