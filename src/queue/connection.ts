// Redis connections for the queue. Producers (the Slack side) give up on a command after one
// reconnection attempt, and the command handler checks the connection first, so a user is told
// at once when Redis is down rather than kept waiting; workers wait and retry forever, as BullMQ
// requires.

import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Log } from "../ops/log.js";

export function producerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Keep reconnecting in the background, at most every 2 s: the next command may find Redis back.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

export function workerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** Logs when the connection is lost and when it is back, once each, not at every reconnection attempt. */
export function watchConnection(redis: Redis, log: Log, name: string): void {
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log("warn", `Redis unreachable (${name}): retrying`, { error: error.message });
  });
  redis.on("ready", () => {
    if (down) log("info", `Redis reachable again (${name})`);
    down = false;
  });
}

/** Whether Redis answers now: connected, and PONG within `timeoutMs` (a probe must never hang). */
export async function answers(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const pong = redis.ping().then(
    (answer) => answer === "PONG",
    () => false,
  );
  const result = await Promise.race([pong, late]);
  clearTimeout(timer);
  return result;
}

/** Waits until the connection is up, at most `timeoutMs`; says whether it is. Never throws. */
export async function settle(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === "ready") return true;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once("ready", onReady);
  });
}

/**
 * A producer-side queue on a shared connection. That connection's watcher logs an outage once; without
 * a listener of its own, BullMQ would print every reconnection attempt of every queue to stderr.
 */
export function producerQueue<T>(name: string, connection: Redis, prefix: string): Queue<T> {
  const queue = new Queue<T>(name, { connection, prefix, skipWaitingForReady: true });
  queue.on("error", () => undefined);
  return queue;
}
