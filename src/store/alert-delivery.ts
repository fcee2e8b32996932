// Each channel's kills on their way to Slack: the pending ones (capped, the oldest dropped past the
// cap), the ones delivered in the last two days (so a kill pended again is left out), the delivery lock,
// today's threads, the threads opened in the last ten minutes (storm control) and the kills quiet hours
// hold. Everything lapses: a channel that hears nothing more leaves nothing behind.

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { AlertThread, Kill } from "../alerts/model.js";
import type { DeliveryLock, DeliveryStore } from "../alerts/ports.js";
import { isSlackChannelId } from "../analysis/names.js";
import { isIsoTime, MAX_KILL_ID, parseKill } from "../queue/alerts.js";
import {
  alertKey,
  DELETE_IF_HOLDS,
  defineScript,
  EXTEND_IF_HOLDS,
  parseJson,
  type Script,
} from "./alert-redis.js";
import { type KillBag, KillBags, killBag } from "./kill-bags.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Pending and held kills per channel: a storm past this loses its oldest kills, not Redis's memory. */
const KILLS_PER_CHANNEL = 5000;
const PENDING_MS = 2 * DAY_MS;
const HELD_MS = 2 * DAY_MS;
const DELIVERED_MS = 2 * DAY_MS;
const DELIVERED_PER_CHANNEL = 20_000;
const THREADS_MS = 2 * DAY_MS;
/** Storm control counts the threads of the last ten minutes. */
const OPENINGS_MS = 10 * MINUTE_MS;
const OPENINGS_PER_CHANNEL = 1000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TS = /^\d+\.\d+$/;
const SUBJECT = /^(workload:.+|node:.+|summary)$/;
const MAX_SUBJECT = 512;

// KEYS[1] the delivered ids, KEYS[2] the pending kills, KEYS[3] their order. ARGV[1] now (ms),
// ARGV[2] the oldest delivery kept (ms), ARGV[3] the TTL in ms, ARGV[4] the cap, ARGV[5...] the ids.
const DELIVERED = `
for i = 5, #ARGV do
  redis.call("ZADD", KEYS[1], ARGV[1], ARGV[i])
  redis.call("HDEL", KEYS[2], ARGV[i])
  redis.call("ZREM", KEYS[3], ARGV[i])
end
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", "(" .. ARGV[2])
redis.call("ZREMRANGEBYRANK", KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 0
`;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** A stored thread, checked; null when it is not one. */
export function parseThread(value: unknown): AlertThread | null {
  if (typeof value !== "object" || value === null) return null;
  const { channel, subject, day, ts, kills, killIds, openedAt, places, shown } = value as Record<
    string,
    unknown
  >;
  if (typeof channel !== "string" || !isSlackChannelId(channel)) return null;
  if (typeof subject !== "string" || subject.length > MAX_SUBJECT || !SUBJECT.test(subject)) return null;
  if (typeof day !== "string" || !DAY.test(day) || typeof ts !== "string" || !TS.test(ts)) return null;
  if (!isCount(kills) || typeof openedAt !== "string" || !isIsoTime(openedAt)) return null;
  if (!Array.isArray(killIds)) return null;
  const ids = killIds.filter((id): id is string => typeof id === "string" && id.length <= MAX_KILL_ID);
  if (ids.length !== killIds.length) return null;
  const known = Array.isArray(places)
    ? places.filter((place): place is string => typeof place === "string")
    : [];
  return {
    channel,
    subject,
    day,
    ts,
    kills,
    places: known,
    shown: shown ? parseKill(shown) : null,
    killIds: ids,
    openedAt,
  };
}

export class RedisDelivery implements DeliveryStore {
  private readonly bags: KillBags;
  private readonly deliveredScript: Script;
  private readonly unlockScript: Script;
  private readonly extendScript: Script;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The clock deliveries are dated by (how long they are remembered). */
    private readonly now: () => number = Date.now,
  ) {
    this.bags = new KillBags(redis);
    this.deliveredScript = defineScript(redis, "oomDoctorAlertDelivered", DELIVERED);
    this.unlockScript = defineScript(redis, "oomDoctorDeleteIfHolds", DELETE_IF_HOLDS);
    this.extendScript = defineScript(redis, "oomDoctorExtendIfHolds", EXTEND_IF_HOLDS);
  }

  private key(...parts: string[]): string {
    return alertKey(this.prefix, ...parts);
  }

  private pendingBag(channel: string): KillBag {
    return killBag(this.prefix, "pending", channel);
  }

  private heldBag(channel: string): KillBag {
    return killBag(this.prefix, "held", channel);
  }

  async pend(channel: string, kills: Kill[]): Promise<void> {
    await this.bags.add(this.pendingBag(channel), kills, {
      cap: KILLS_PER_CHANNEL,
      ttlMs: PENDING_MS,
      skip: this.key("delivered", channel),
    });
  }

  pending(channel: string, max: number): Promise<Kill[]> {
    return this.bags.oldest(this.pendingBag(channel), max);
  }

  async delivered(channel: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const bag = this.pendingBag(channel);
    const now = this.now();
    await this.deliveredScript(
      [this.key("delivered", channel), bag.kills, bag.order],
      [now, now - DELIVERED_MS, DELIVERED_MS, DELIVERED_PER_CHANNEL, ...ids],
    );
  }

  async lock(channel: string, ms: number): Promise<DeliveryLock | null> {
    const key = this.key("lock", channel);
    const token = randomBytes(16).toString("hex");
    if ((await this.redis.set(key, token, "PX", ms, "NX")) !== "OK") return null;
    return {
      extend: async () => (await this.extendScript([key], [token, ms])) === 1,
      release: async () => {
        await this.unlockScript([key], [token]);
      },
    };
  }

  private threadsKey(channel: string, day: string): string {
    return this.key("threads", channel, day);
  }

  async threads(channel: string, day: string): Promise<AlertThread[]> {
    const stored = await this.redis.hvals(this.threadsKey(channel, day));
    return stored
      .map((text) => parseThread(parseJson(text)))
      .filter((thread): thread is AlertThread => thread?.channel === channel && thread.day === day)
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  async saveThread(thread: AlertThread): Promise<void> {
    const key = this.threadsKey(thread.channel, thread.day);
    await this.redis
      .multi()
      .hset(key, thread.subject, JSON.stringify(thread))
      .pexpire(key, THREADS_MS)
      .exec();
  }

  openings(channel: string, sinceMs: number): Promise<number> {
    return this.redis.zcount(this.key("openings", channel), sinceMs, "+inf");
  }

  async recordOpening(channel: string, atMs: number): Promise<void> {
    const key = this.key("openings", channel);
    // Two threads opened in the same millisecond are two openings.
    const member = `${atMs}-${randomBytes(4).toString("hex")}`;
    await this.redis
      .multi()
      .zadd(key, atMs, member)
      .zremrangebyscore(key, "-inf", `(${atMs - OPENINGS_MS}`)
      .zremrangebyrank(key, 0, -(OPENINGS_PER_CHANNEL + 1))
      .pexpire(key, OPENINGS_MS)
      .exec();
  }

  async hold(channel: string, kills: Kill[]): Promise<void> {
    await this.bags.add(this.heldBag(channel), kills, { cap: KILLS_PER_CHANNEL, ttlMs: HELD_MS });
  }

  held(channel: string): Promise<Kill[]> {
    return this.bags.oldest(this.heldBag(channel), KILLS_PER_CHANNEL);
  }

  released(channel: string, ids: string[]): Promise<void> {
    return this.bags.remove(this.heldBag(channel), ids);
  }
}
