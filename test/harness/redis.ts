// The shared test Redis on 127.0.0.1:6379: each test keeps its keys under a random prefix of its
// own and deletes them afterwards. Light to import: a unit of the store needs nothing else.

import { randomBytes } from "node:crypto";
import { after } from "node:test";
import { Redis } from "ioredis";

export const REDIS_URL = "redis://127.0.0.1:6379";

export function uniquePrefix(): string {
  return `oomdoctor-test-${randomBytes(4).toString("hex")}`;
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * The file's connection to the shared Redis, under a prefix of its own: it connects at its first
 * command, and after the file's tests it is closed and every key under the prefix deleted.
 */
export function testRedis(): { prefix: string; redis: Redis } {
  const prefix = uniquePrefix();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  after(async () => {
    redis.disconnect();
    await dropPrefix(prefix);
  });
  return { prefix, redis };
}
