// The one watcher per cluster: a lease in Redis that one holder at a time has, for a TTL it renews.
// Every new holder gets a bigger fencing token (a counter that only grows), and writes that only the
// watcher may make check, in the same Lua script, that the lease still holds their token: a holder that
// stalled past its TTL and woke up after another took over is refused, whatever it believes.

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { LeaderLease } from "../alerts/ports.js";
import {
  DELETE_IF_HOLDS,
  defineScript,
  EXTEND_IF_HOLDS,
  leaseKey,
  leaseTokenKey,
  leaseValue,
  type Script,
} from "../store/alert-redis.js";

// KEYS[1] the lease, KEYS[2] the token counter. ARGV[1] the holder, ARGV[2] the TTL in ms. The token,
// or -1 while another holds the lease. A value that is not `<token>:<holder>` holds nothing.
const ACQUIRE = `
local value = redis.call("GET", KEYS[1])
if value then
  local token, holder = string.match(value, "^(%d+):(.+)$")
  if holder == ARGV[1] then
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
    return tonumber(token)
  end
  if holder then return -1 end
end
local token = redis.call("INCR", KEYS[2])
redis.call("SET", KEYS[1], token .. ":" .. ARGV[1], "PX", ARGV[2])
return token
`;

export class RedisLease implements LeaderLease {
  private readonly acquireScript: Script;
  private readonly renewScript: Script;
  private readonly releaseScript: Script;
  private readonly key: string;
  private readonly tokenKey: string;

  constructor(
    redis: Redis,
    prefix: string,
    cluster: string,
    private readonly ttlMs: number,
    /** Who holds it: one per process, so that a restarted process is a new holder. */
    readonly holder: string = randomBytes(8).toString("hex"),
  ) {
    this.key = leaseKey(prefix, cluster);
    this.tokenKey = leaseTokenKey(prefix, cluster);
    this.acquireScript = defineScript(redis, "oomDoctorLeaseAcquire", ACQUIRE);
    this.renewScript = defineScript(redis, "oomDoctorExtendIfHolds", EXTEND_IF_HOLDS);
    this.releaseScript = defineScript(redis, "oomDoctorDeleteIfHolds", DELETE_IF_HOLDS);
  }

  async acquire(): Promise<number | null> {
    const token = await this.acquireScript([this.key, this.tokenKey], [this.holder, this.ttlMs]);
    return typeof token === "number" && token > 0 ? token : null;
  }

  async renew(token: number): Promise<boolean> {
    return (await this.renewScript([this.key], [leaseValue(token, this.holder), this.ttlMs])) === 1;
  }

  async release(token: number): Promise<void> {
    await this.releaseScript([this.key], [leaseValue(token, this.holder)]);
  }
}
