// Alert subscriptions made from Slack (`/oom watch`), in one Redis hash id -> record. The cap and the
// one-per-channel-and-scope rule are checked in the same Lua script as the write, so that many channels
// subscribing at once never go past either.

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { type AlertSubscription, SEVERITIES, type Severity } from "../alerts/model.js";
import type { SubscriptionStore } from "../alerts/ports.js";
import { isHexId, isNamespaceName, isSlackChannelId } from "../analysis/names.js";
import { isIsoTime } from "../queue/alerts.js";
import { alertKey, defineScript, parseJson, type Script } from "./alert-redis.js";

const ID_BYTES = 4;
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
// A namespace pattern as alerts.routes writes them: a namespace name with `*` anywhere.
const SCOPE_PATTERN = /^[a-z0-9*-]{1,63}$/;
const MAX_TEXT = 256;

// KEYS[1] the subscriptions. ARGV[1] the id, ARGV[2] the record, ARGV[3] its channel, ARGV[4] its scope,
// ARGV[5] the cap. "duplicate" when the channel has the scope already, "cap" when there are that many,
// "taken" when the id is (drawn again), else "added".
const ADD = `
for _, text in ipairs(redis.call("HVALS", KEYS[1])) do
  local ok, other = pcall(cjson.decode, text)
  if ok and type(other) == "table" and other.channel == ARGV[3] and other.scope == ARGV[4] then
    return "duplicate"
  end
end
if redis.call("HLEN", KEYS[1]) >= tonumber(ARGV[5]) then return "cap" end
if redis.call("HSETNX", KEYS[1], ARGV[1], ARGV[2]) == 0 then return "taken" end
return "added"
`;

// KEYS[1] the subscriptions. ARGV[1] the id, ARGV[2] the channel it must belong to. 1 if removed.
const REMOVE = `
local text = redis.call("HGET", KEYS[1], ARGV[1])
if not text then return 0 end
local ok, found = pcall(cjson.decode, text)
if not ok or type(found) ~= "table" or found.channel ~= ARGV[2] then return 0 end
redis.call("HDEL", KEYS[1], ARGV[1])
return 1
`;

const isText = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_TEXT;

const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity);

const isScope = (scope: string): boolean =>
  scope === "all" || isNamespaceName(scope) || SCOPE_PATTERN.test(scope);

function parseQuiet(value: unknown): AlertSubscription["quiet"] | undefined {
  if (value === null) return null;
  if (typeof value !== "object") return undefined;
  const { from, to } = value as Record<string, unknown>;
  return typeof from === "string" && typeof to === "string" && TIME_OF_DAY.test(from) && TIME_OF_DAY.test(to)
    ? { from, to }
    : undefined;
}

/** A stored subscription, checked; null when it is not one. */
export function parseSubscription(value: unknown): AlertSubscription | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  const { id, channel, scope, minSeverity, tz, createdBy, createdAt } = record;
  const quiet = parseQuiet(record.quiet ?? null);
  if (typeof id !== "string" || !isHexId(id, ID_BYTES)) return null;
  if (typeof channel !== "string" || !isSlackChannelId(channel)) return null;
  if (typeof scope !== "string" || !isScope(scope) || !isSeverity(minSeverity) || quiet === undefined)
    return null;
  if (!isText(tz) || !isText(createdBy) || typeof createdAt !== "string" || !isIsoTime(createdAt))
    return null;
  return { id, channel, scope, minSeverity, quiet, tz, createdBy, createdAt };
}

export class RedisSubscriptions implements SubscriptionStore {
  private readonly addScript: Script;
  private readonly removeScript: Script;
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = alertKey(prefix, "subscriptions");
    this.addScript = defineScript(redis, "oomDoctorAlertSubscribe", ADD);
    this.removeScript = defineScript(redis, "oomDoctorAlertUnsubscribe", REMOVE);
  }

  async add(
    subscription: Omit<AlertSubscription, "id">,
    cap: number,
  ): Promise<AlertSubscription | "duplicate" | "cap"> {
    // An id drawn twice (one in four billion) is drawn again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const created: AlertSubscription = { ...subscription, id: randomBytes(ID_BYTES).toString("hex") };
      const outcome = await this.addScript(
        [this.key],
        [created.id, JSON.stringify(created), created.channel, created.scope, cap],
      );
      if (outcome === "added") return created;
      if (outcome === "duplicate" || outcome === "cap") return outcome;
    }
    throw new Error("no free subscription id in three draws");
  }

  /** The channel's subscriptions (every channel's without one), oldest first; unreadable ones left out. */
  async list(channel?: string): Promise<AlertSubscription[]> {
    const all = (await this.redis.hvals(this.key))
      .map((text) => parseSubscription(parseJson(text)))
      .filter((found): found is AlertSubscription => found !== null);
    return all
      .filter((found) => channel === undefined || found.channel === channel)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Removes the channel's subscription `id`; false when there is none, or it is another channel's. */
  async remove(channel: string, id: string): Promise<boolean> {
    if (!isHexId(id, ID_BYTES)) return false;
    return (await this.removeScript([this.key], [id, channel])) === 1;
  }
}
