// Digest subscriptions and restart history in Redis: what each snapshot saw per container, and the
// restart events between snapshots (kept eight days: seven for the chart, one for "the day before").
// A scope's history goes with its last subscription, and lapses eight days after its last snapshot
// (`digest now` on a scope nobody subscribed to leaves nothing behind for good).

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { isHexId } from "../analysis/names.js";
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
const BUTTON_ID_BYTES = 12;

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

// Adds the subscription unless there are ARGV[3] already: the count and the add are one step.
const SUBSCRIBE_WITHIN_CAP = `
if redis.call("HLEN", KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1`;

// Removes the subscription; when no other one has its scope (ARGV[2]), the scope's history too.
const UNSUBSCRIBE = `
if redis.call("HDEL", KEYS[1], ARGV[1]) == 0 then return 0 end
for _, other in ipairs(redis.call("HVALS", KEYS[1])) do
  if cjson.decode(other).scope == ARGV[2] then return 1 end
end
redis.call("DEL", KEYS[2], KEYS[3], KEYS[4])
return 1`;

export class DigestStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, "digest", ...parts].join(":");
  }

  /** Stores the subscription; null when there are `max` already. */
  async subscribe(subscription: Omit<Subscription, "id">, max: number): Promise<Subscription | null> {
    const created = { ...subscription, id: randomBytes(4).toString("hex") };
    const added = await this.redis.eval(
      SUBSCRIBE_WITHIN_CAP,
      1,
      this.key("subscriptions"),
      created.id,
      JSON.stringify(created),
      String(max),
    );
    return added === 1 ? created : null;
  }

  /**
   * Removes the channel's subscription `id`, and its scope's history if no other subscription has that
   * scope; null when there is none, or it is another channel's.
   */
  async unsubscribe(id: string, channel: string): Promise<Subscription | null> {
    const found = await this.subscription(id);
    if (found?.channel !== channel) return null;
    const removed = await this.redis.eval(
      UNSUBSCRIBE,
      4,
      this.key("subscriptions"),
      ...this.historyKeys(found.scope),
      id,
      found.scope,
    );
    return removed === 1 ? found : null;
  }

  /** Where a scope's history lives: what the last snapshot saw, the restart events, and when. */
  private historyKeys(scope: string): [seen: string, events: string, at: string] {
    return [this.key("seen", scope), this.key("events", scope), this.key("snapshot-at", scope)];
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
    const [seenKey, eventsKey, atKey] = this.historyKeys(scope);
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
      .set(atKey, String(atMs), "PX", KEEP_MS)
      .pexpire(seenKey, KEEP_MS)
      .pexpire(eventsKey, KEEP_MS);
    await multi.exec();
  }

  async saveButton(target: InvestigateTarget): Promise<string> {
    const id = randomBytes(BUTTON_ID_BYTES).toString("hex");
    await this.redis.set(this.key("button", id), JSON.stringify(target), "EX", BUTTON_TTL_SECONDS);
    return id;
  }

  async button(id: string): Promise<InvestigateTarget | null> {
    if (!isHexId(id, BUTTON_ID_BYTES)) return null;
    const text = await this.redis.get(this.key("button", id));
    return text === null ? null : (JSON.parse(text) as InvestigateTarget);
  }

  async events(scope: string, sinceMs: number, untilMs: number): Promise<RestartEvent[]> {
    const items = await this.redis.zrangebyscore(this.key("events", scope), sinceMs, untilMs);
    return items.map((item) => JSON.parse(item) as RestartEvent);
  }
}
