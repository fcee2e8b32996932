// Redis connections for the queue. Producers (the Slack side) give up on a command after one
// reconnection attempt, and the command handler checks the connection first, so a user is told
// at once when Redis is down rather than kept waiting; workers wait and retry forever, as BullMQ
// requires.

import { type JobsOptions, Queue } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { QueueConfig } from "../config/schema.js";
import type { RedisSettings } from "../config/service.js";
import { fail, ok, type Result } from "../errors.js";
import type { Log } from "../ops/log.js";

/** The credentials and TLS settings every connection shares; the rest comes from the URL. */
function access(settings: RedisSettings): RedisOptions {
  return {
    ...(settings.username === null ? {} : { username: settings.username }),
    ...(settings.password === null ? {} : { password: settings.password }),
    ...(settings.ca === null ? {} : { tls: { ca: settings.ca } }),
  };
}

export function producerConnection(settings: RedisSettings): Redis {
  return new Redis(settings.url, {
    ...access(settings),
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Keep reconnecting in the background, at most every 2 s: the next command may find Redis back.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

export function workerConnection(settings: RedisSettings): Redis {
  return new Redis(settings.url, {
    ...access(settings),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** What Redis said about itself at the last connection: a reason it must not be used, or none. */
export interface ConnectionHealth {
  problem: string | null;
}

/**
 * Logs when the connection is lost and when it is back, once each, not at every reconnection attempt;
 * at every connection, checks that Redis does not evict keys (it may have been reconfigured since).
 */
export function watchConnection(redis: Redis, log: Log, name: string): ConnectionHealth {
  const health: ConnectionHealth = { problem: null };
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log("warn", `Redis unreachable (${name}): retrying`, { error: error.message });
  });
  redis.on("ready", () => {
    if (down) log("info", `Redis reachable again (${name})`);
    down = false;
    redis.info("memory").then(
      (info) => {
        health.problem = evictionProblem(info);
        if (health.problem !== null) log("error", health.problem, { connection: name });
      },
      () => undefined,
    );
  });
  return health;
}

/**
 * Why Redis, as its INFO describes itself, cannot hold the bot's data: a maxmemory-policy other than
 * noeviction lets Redis drop queue keys under memory pressure, and BullMQ then loses or corrupts jobs.
 */
export function evictionProblem(info: string): string | null {
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? "unknown";
  if (policy === "noeviction") return null;
  return `Redis's maxmemory-policy is ${policy}: oom-doctor needs noeviction (queues, proposals and digests must never be evicted); set maxmemory-policy noeviction`;
}

// Redis's refusals of the credentials, and the TLS library's of the server's certificate.
const CREDENTIALS_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b/;
const CERTIFICATE_REFUSED = /CERT|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO/;

/**
 * The start-up check of a connection, given `timeoutMs` to come up. Redis down is no reason not to
 * start (commands say so, /readyz fails, and the connection keeps trying); credentials or a certificate
 * refused, or a Redis that evicts keys, are: they will not mend themselves.
 */
export async function checkAtStart(redis: Redis, timeoutMs: number): Promise<Result<void>> {
  let onError: (error: Error) => void = () => undefined;
  const refused = new Promise<Result<void>>((resolve) => {
    onError = (error: Error & { code?: string }) => {
      if (CREDENTIALS_REFUSED.test(error.message))
        resolve(
          fail(
            "config-invalid",
            `Redis refused the credentials: ${error.message}`,
            "check REDIS_USERNAME and REDIS_PASSWORD (or REDIS_PASSWORD_FILE), or the user and password in REDIS_URL",
          ),
        );
      else if (CERTIFICATE_REFUSED.test(`${error.code ?? ""} ${error.message}`))
        resolve(
          fail(
            "config-invalid",
            `Redis's TLS certificate was refused: ${error.message}`,
            "set REDIS_CA_FILE to the certificate authority that signed it",
          ),
        );
    };
  });
  redis.on("error", onError);
  const up = settle(redis, timeoutMs).then(async (ready): Promise<Result<void>> => {
    if (!ready) return ok(undefined);
    const info = await redis.info("memory").catch((error: Error) => error);
    if (info instanceof Error) return fail("config-invalid", `Redis refused INFO: ${info.message}`);
    const problem = evictionProblem(info);
    return problem === null ? ok(undefined) : fail("config-invalid", problem);
  });
  const result = await Promise.race([up, refused]);
  redis.off("error", onError);
  return result;
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
 * How long finished jobs stay in Redis, for `/oom status` and for looking into a failure, unless a queue
 * keeps its own (see investigations.ts, proposals.ts). Without it every digest and snapshot job, one an
 * hour per scope, would stay for good.
 */
export const KEEP_FINISHED = {
  removeOnComplete: { age: 86_400, count: 1000 },
  removeOnFail: { age: 7 * 86_400, count: 1000 },
};

/**
 * A producer-side queue on a shared connection. Jobs it adds, scheduled ones too, are kept as
 * KEEP_FINISHED says unless they say otherwise. That connection's watcher logs an outage once; without
 * a listener of its own, BullMQ would print every reconnection attempt of every queue to stderr.
 */
export function producerQueue<T>(name: string, connection: Redis, prefix: string): Queue<T> {
  const queue = new Queue<T>(name, {
    connection,
    prefix,
    skipWaitingForReady: true,
    defaultJobOptions: KEEP_FINISHED,
  });
  queue.on("error", () => undefined);
  return queue;
}

/** How a job that failed with a transient error is tried again: `attempts` in all, the delay doubling. */
export function retrying(retry: Pick<QueueConfig, "attempts" | "retryDelaySeconds">): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.retryDelaySeconds * 1000 },
  };
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
}

export async function queueCounts(queue: Queue): Promise<QueueCounts> {
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed");
  return {
    waiting: counts.waiting ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    workers: await queue.getWorkersCount(),
  };
}
