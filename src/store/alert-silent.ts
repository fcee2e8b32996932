// Child-process kills, the ones no restart shows, kept eight days for `/oom` reports and digests: one
// bounded bag per cluster, read by namespace.

import type { Redis } from "ioredis";
import type { Kill } from "../alerts/model.js";
import type { SilentKillLog } from "../alerts/ports.js";
import { type KillBag, KillBags, killBag } from "./kill-bags.js";

const KEEP_MS = 8 * 86_400_000;
/** Past this many in eight days, the oldest go: more than a thousand a day is a pattern already. */
const MAX_KILLS = 10_000;

export class RedisSilentKills implements SilentKillLog {
  private readonly bags: KillBags;
  private readonly bag: KillBag;

  constructor(
    redis: Redis,
    prefix: string,
    cluster: string,
    /** The clock that says which kills are past keeping. */
    private readonly now: () => number = Date.now,
  ) {
    this.bags = new KillBags(redis);
    this.bag = killBag(prefix, "silent", cluster);
  }

  async record(kill: Kill): Promise<void> {
    await this.bags.add(this.bag, [kill], { cap: MAX_KILLS, ttlMs: KEEP_MS, oldestMs: this.now() - KEEP_MS });
  }

  async since(namespace: string | null, sinceMs: number): Promise<Kill[]> {
    const kills = await this.bags.since(this.bag, sinceMs);
    return namespace === null ? kills : kills.filter((kill) => kill.namespace === namespace);
  }
}
