// What the bot remembers between a message and a click, in Redis under its own key prefix: the
// findings buttons refer to, snoozed workloads, which messages a job has already posted, and the
// latest runs. Button values are opaque ids looked up here; nothing in a payload is trusted.

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { isHexId } from "../analysis/names.js";
import type { FindingRecord, RunRecord, Snooze } from "../slack/records.js";

const FINDING_TTL_SECONDS = 30 * 86_400;
const POSTED_TTL_SECONDS = 7 * 86_400;
const RUNS_KEPT = 10;
const FINDING_ID_BYTES = 16;

export class BotStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  async saveFinding(record: Omit<FindingRecord, "id">): Promise<string> {
    const id = randomBytes(FINDING_ID_BYTES).toString("hex");
    await this.redis.set(
      this.key("finding", id),
      JSON.stringify({ ...record, id }),
      "EX",
      FINDING_TTL_SECONDS,
    );
    return id;
  }

  /** The finding a button carries, or null for an id never issued, expired or malformed. */
  async finding(id: string): Promise<FindingRecord | null> {
    if (!isHexId(id, FINDING_ID_BYTES)) return null;
    const text = await this.redis.get(this.key("finding", id));
    return text === null ? null : (JSON.parse(text) as FindingRecord);
  }

  // Snoozes belong to a channel: one team hiding a workload does not hide it from another.
  async snooze(channel: string, workloadKey: string, snooze: Snooze, seconds: number): Promise<void> {
    await this.redis.set(this.key("snooze", channel, workloadKey), JSON.stringify(snooze), "EX", seconds);
  }

  async unsnooze(channel: string, workloadKey: string): Promise<boolean> {
    return (await this.redis.del(this.key("snooze", channel, workloadKey))) > 0;
  }

  /** The workload keys among `keys` that the channel has snoozed now. */
  async snoozed(channel: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const values = await this.redis.mget(...keys.map((key) => this.key("snooze", channel, key)));
    return new Set(keys.filter((_, index) => values[index] !== null));
  }

  /** The ts of what a job posted for a step, if it did. */
  async posted(jobId: string, step: string): Promise<string | null> {
    return this.redis.hget(this.key("posted", jobId), step);
  }

  async recordPosted(jobId: string, step: string, ts: string): Promise<void> {
    const key = this.key("posted", jobId);
    await this.redis.multi().hset(key, step, ts).expire(key, POSTED_TTL_SECONDS).exec();
  }

  /** Claims `key` of `kind` for `seconds`: true the first time, false while an earlier claim holds. */
  async claim(kind: string, key: string, seconds: number): Promise<boolean> {
    return (await this.redis.set(this.key("claim", kind, key), "1", "EX", seconds, "NX")) === "OK";
  }

  async recordRun(run: RunRecord): Promise<void> {
    const key = this.key("runs");
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(run))
      .ltrim(key, 0, RUNS_KEPT - 1)
      .exec();
  }

  async runs(): Promise<RunRecord[]> {
    const items = await this.redis.lrange(this.key("runs"), 0, RUNS_KEPT - 1);
    return items.map((item) => JSON.parse(item) as RunRecord);
  }
}
