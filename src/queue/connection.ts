// Redis connections for the queue. Producers (the Slack side) give up on a command after one
// reconnection attempt, and the command handler checks the connection first, so a user is told
// at once when Redis is down rather than kept waiting; workers wait and retry forever, as BullMQ
// requires.

import { Redis } from "ioredis";

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

/** Resolves once the connection is up, or rejects after `timeoutMs`. */
export async function connected(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}
