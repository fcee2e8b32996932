// Where live alerts keep their state in Redis, and the Lua steps their stores share. Every key is under
// `<prefix>:alert:`; the alerts queue's own keys are under `<prefix>:alerts:` (BullMQ's), kept apart so
// that cleaning the queue can never touch a subscription.

import type { Redis } from "ioredis";

export function alertKey(prefix: string, ...parts: string[]): string {
  return [prefix, "alert", ...parts].join(":");
}

/** The cluster's watcher lease: `<token>:<holder>`, with the lease's TTL. */
export const leaseKey = (prefix: string, cluster: string): string => alertKey(prefix, "lease", cluster);

/** The counter tokens are drawn from; never expires, or a token could be handed out twice. */
export const leaseTokenKey = (prefix: string, cluster: string): string =>
  alertKey(prefix, "lease-token", cluster);

/** The value a lease key holds while `holder` has it under `token`. */
export const leaseValue = (token: number, holder: string): string => `${token}:${holder}`;

/**
 * A Lua function for scripts that may write only while the lease is held under a token:
 * `fenced(leaseKey, token)` is true when the lease key holds that token (the token as a string).
 * Tokens grow with every new holder, so the token alone names the holder.
 */
export const FENCED_LUA = `
local function fenced(leaseKey, token)
  local value = redis.call("GET", leaseKey)
  return value ~= false and string.match(value, "^(%d+):") == token
end
`;

/** Sets KEYS[1] to lapse in ARGV[2] ms if it still holds ARGV[1]; 1 if it did. */
export const EXTEND_IF_HOLDS = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
`;

/** Deletes KEYS[1] if it still holds ARGV[1]; 1 if it did. */
export const DELETE_IF_HOLDS = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1])
return 1
`;

export type Script = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script as a command of the connection it is given (no connection of its own): ioredis sends
 * EVALSHA, and EVAL when Redis does not know the script (after a restart).
 */
export function defineScript(redis: Redis, name: string, lua: string): Script {
  redis.defineCommand(name, { lua });
  const commands = redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>;
  return (keys, args) => {
    const command = commands[name];
    if (command === undefined) throw new Error(`script ${name} is not defined`);
    return command.call(redis, keys.length, ...keys, ...args);
  };
}

/** The JSON a record was stored as, or null: a value Redis gave back is never trusted to parse. */
export function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
