// Digest subscriptions and restart history in Redis: what each snapshot saw per container, and the
// restart events between snapshots (kept eight days: seven for the chart, one for "the day before").

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { RestartEvent, Seen } from "../digest/accounting.js";

/** What a digest's Investigate button stands for. */
export interface InvestigateTarget {
  channel: string;
  /** The digest job: the thread is its message, found by what the job posted. */
  job: string;
  namespace: string;
  workload: string;
}

const BUTTON_TTL_SECONDS = 14 * 86_400;
const BUTTON_ID = /^[0-9a-f]{24}$/;

export interface Subscription {
  id: string;
  channel: string;
  /** A namespace, or "all" for the whole cluster. */
  scope: string;
  /** HH:MM in `tz`. */
  at: string;
  tz: string;
  createdBy: string;
  createdAt: string;
}

const KEEP_MS = 8 * 86_400_000;
const LOCK_MS = 5 * 60_000;

export class DigestStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, "digest", ...parts].join(":");
  }

  async subscribe(subscription: Omit<Subscription, "id">): Promise<Subscription> {
    const created = { ...subscription, id: randomBytes(4).toString("hex") };
    await this.redis.hset(this.key("subscriptions"), created.id, JSON.stringify(created));
    return created;
  }

  /** Removes the channel's subscription `id`; null when there is none, or it is another channel's. */
  async unsubscribe(id: string, channel: string): Promise<Subscription | null> {
    const found = await this.subscription(id);
    if (found?.channel !== channel) return null;
    await this.redis.hdel(this.key("subscriptions"), id);
    return found;
  }

  async subscription(id: string): Promise<Subscription | null> {
    const text = await this.redis.hget(this.key("subscriptions"), id);
    return text === null ? null : (JSON.parse(text) as Subscription);
  }

  async subscriptions(): Promise<Subscription[]> {
    const all = await this.redis.hvals(this.key("subscriptions"));
    return all
      .map((text) => JSON.parse(text) as Subscription)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Takes the scope's snapshot lock; false when another snapshot of it is running. */
  async lock(scope: string, token: string): Promise<boolean> {
    return (await this.redis.set(this.key("lock", scope), token, "PX", LOCK_MS, "NX")) === "OK";
  }

  async unlock(scope: string, token: string): Promise<void> {
    if ((await this.redis.get(this.key("lock", scope))) === token)
      await this.redis.del(this.key("lock", scope));
  }

  async lastSnapshot(scope: string): Promise<{ atMs: number | null; seen: Map<string, Seen> }> {
    const [at, seen] = await Promise.all([
      this.redis.get(this.key("snapshot-at", scope)),
      this.redis.hgetall(this.key("seen", scope)),
    ]);
    return {
      atMs: at === null ? null : Number(at),
      seen: new Map(Object.entries(seen).map(([container, text]) => [container, JSON.parse(text) as Seen])),
    };
  }

  /** Replaces the scope's snapshot and appends its events, in one transaction. */
  async saveSnapshot(
    scope: string,
    atMs: number,
    seen: Map<string, Seen>,
    events: RestartEvent[],
  ): Promise<void> {
    const seenKey = this.key("seen", scope);
    const eventsKey = this.key("events", scope);
    const multi = this.redis.multi().del(seenKey);
    const entries = [...seen.entries()];
    for (let start = 0; start < entries.length; start += 1000) {
      const chunk = entries
        .slice(start, start + 1000)
        .flatMap(([container, value]) => [container, JSON.stringify(value)]);
      multi.hset(seenKey, ...chunk);
    }
    events.forEach((event, index) => {
      multi.zadd(eventsKey, event.atMs, JSON.stringify({ ...event, n: index }));
    });
    multi
      .zremrangebyscore(eventsKey, "-inf", atMs - KEEP_MS)
      .set(this.key("snapshot-at", scope), String(atMs));
    await multi.exec();
  }

  async saveButton(target: InvestigateTarget): Promise<string> {
    const id = randomBytes(12).toString("hex");
    await this.redis.set(this.key("button", id), JSON.stringify(target), "EX", BUTTON_TTL_SECONDS);
    return id;
  }

  async button(id: string): Promise<InvestigateTarget | null> {
    if (!BUTTON_ID.test(id)) return null;
    const text = await this.redis.get(this.key("button", id));
    return text === null ? null : (JSON.parse(text) as InvestigateTarget);
  }

  async events(scope: string, sinceMs: number, untilMs: number): Promise<RestartEvent[]> {
    const items = await this.redis.zrangebyscore(this.key("events", scope), sinceMs, untilMs);
    return items.map((item) => JSON.parse(item) as RestartEvent);
  }
}
