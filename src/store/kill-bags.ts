// A bounded set of kills in Redis: a hash id -> kill and a sorted set of the ids by when the kill
// happened, both with the bag's TTL. Adding drops what is too old and, past the cap, the oldest kills,
// in the same Lua script. Kills read back are parsed; one that does not parse is dropped from the bag
// (unless it changed meanwhile), so it cannot stay at the head for ever.

import type { Redis } from "ioredis";
import type { Kill } from "../alerts/model.js";
import { parseKill } from "../queue/alerts.js";
import { alertKey, defineScript, parseJson, type Script } from "./alert-redis.js";

export interface KillBag {
  /** id -> the kill's JSON. */
  kills: string;
  /** The ids, scored by the kill's time (epoch ms). */
  order: string;
}

export function killBag(prefix: string, name: string, ...parts: string[]): KillBag {
  return { kills: alertKey(prefix, name, ...parts), order: alertKey(prefix, `${name}-order`, ...parts) };
}

export interface BagLimits {
  /** The most kills it holds: past it, the oldest go. */
  cap: number;
  /** Kept this long after the last add. */
  ttlMs: number;
  /** Kills before this (epoch ms) are dropped; null keeps any age. */
  oldestMs?: number | null;
  /** A sorted set of ids to leave out (kills already delivered, say). */
  skip?: string;
}

// KEYS[1] the kills, KEYS[2] their order, KEYS[3] (optional) a sorted set of ids to leave out.
// ARGV[1] the cap, ARGV[2] the TTL in ms, ARGV[3] the oldest score kept ("-inf" for any), ARGV[4...]
// id, score, kill, for each kill. Returns how many kills were dropped.
const ADD = `
for i = 4, #ARGV, 3 do
  if not (KEYS[3] and redis.call("ZSCORE", KEYS[3], ARGV[i])) then
    redis.call("HSET", KEYS[1], ARGV[i], ARGV[i + 2])
    redis.call("ZADD", KEYS[2], ARGV[i + 1], ARGV[i])
  end
end
local dropped = {}
if ARGV[3] ~= "-inf" then
  dropped = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", "(" .. ARGV[3])
end
local excess = redis.call("ZCARD", KEYS[2]) - #dropped - tonumber(ARGV[1])
if excess > 0 then
  for _, id in ipairs(redis.call("ZRANGE", KEYS[2], #dropped, #dropped + excess - 1)) do
    dropped[#dropped + 1] = id
  end
end
for _, id in ipairs(dropped) do
  redis.call("HDEL", KEYS[1], id)
  redis.call("ZREM", KEYS[2], id)
end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
redis.call("PEXPIRE", KEYS[2], ARGV[2])
return #dropped
`;

// KEYS[1] the kills, KEYS[2] their order. ARGV id, text pairs: each id is dropped if it still holds that
// text ("" for none).
const DROP_UNREADABLE = `
for i = 1, #ARGV, 2 do
  if (redis.call("HGET", KEYS[1], ARGV[i]) or "") == ARGV[i + 1] then
    redis.call("HDEL", KEYS[1], ARGV[i])
    redis.call("ZREM", KEYS[2], ARGV[i])
  end
end
return 0
`;

/** Kills per script call: a big relist is many short scripts, not one long one. */
const CHUNK = 500;

const killTimeMs = (kill: Kill): number => Date.parse(kill.at);

export class KillBags {
  private readonly addScript: Script;
  private readonly dropScript: Script;

  constructor(private readonly redis: Redis) {
    this.addScript = defineScript(redis, "oomDoctorKillBagAdd", ADD);
    this.dropScript = defineScript(redis, "oomDoctorKillBagDrop", DROP_UNREADABLE);
  }

  async add(bag: KillBag, kills: Kill[], limits: BagLimits): Promise<void> {
    const keys = [bag.kills, bag.order, ...(limits.skip === undefined ? [] : [limits.skip])];
    for (let start = 0; start < kills.length; start += CHUNK) {
      const entries = kills
        .slice(start, start + CHUNK)
        .flatMap((kill) => [kill.id, killTimeMs(kill), JSON.stringify(kill)]);
      await this.addScript(keys, [limits.cap, limits.ttlMs, limits.oldestMs ?? "-inf", ...entries]);
    }
  }

  /** The `max` oldest kills. */
  async oldest(bag: KillBag, max: number): Promise<Kill[]> {
    if (max <= 0) return [];
    return this.read(bag, await this.redis.zrange(bag.order, "0", String(max - 1)));
  }

  /** The kills at or after `sinceMs`, oldest first. */
  async since(bag: KillBag, sinceMs: number): Promise<Kill[]> {
    return this.read(bag, await this.redis.zrangebyscore(bag.order, sinceMs, "+inf"));
  }

  async remove(bag: KillBag, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis
      .multi()
      .hdel(bag.kills, ...ids)
      .zrem(bag.order, ...ids)
      .exec();
  }

  private async read(bag: KillBag, ids: string[]): Promise<Kill[]> {
    if (ids.length === 0) return [];
    const texts = await this.redis.hmget(bag.kills, ...ids);
    const kills: Kill[] = [];
    const unreadable: string[] = [];
    ids.forEach((id, index) => {
      const text = texts[index] ?? null;
      const kill = parseKill(parseJson(text));
      if (kill?.id === id) kills.push(kill);
      else unreadable.push(id, text ?? "");
    });
    if (unreadable.length > 0) await this.dropScript([bag.kills, bag.order], unreadable);
    return kills;
  }
}
