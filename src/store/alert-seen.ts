// What the watcher remembers per container (the last termination it has seen), and when watching
// began. Entries are written only by the lease's holder: the write and the check that the lease still
// holds the writer's token are one Lua script, so a watcher that lost the lease writes nothing.

import type { Redis } from "ioredis";
import type { SeenContainer } from "../alerts/model.js";
import type { SeenStore } from "../alerts/ports.js";
import { isIsoTime } from "../queue/alerts.js";
import { alertKey, defineScript, FENCED_LUA, leaseKey, parseJson, type Script } from "./alert-redis.js";

/** A container unchanged this long is forgotten; each write starts the time again. */
const SEEN_MS = 30 * 86_400_000;
/** Entries per script call: a relist of a big cluster is many short scripts, each fenced. */
const CHUNK = 500;
const MAX_FINISHED_AT = 64;

// KEYS[1] the lease, KEYS[2...] the entries' keys. ARGV[1] the writer's token, ARGV[2] the TTL in ms,
// ARGV[3...] the entries' values. 1 if written, 0 (nothing written) when the lease is not the token's.
const RECORD = `${FENCED_LUA}
if not fenced(KEYS[1], ARGV[1]) then return 0 end
for i = 2, #KEYS do
  redis.call("SET", KEYS[i], ARGV[i + 1], "PX", ARGV[2])
end
return 1
`;

// KEYS[1] when watching began (one small key per cluster, never lapsing: it is set once). ARGV[1] now. What it holds, set to now if it held nothing.
const SINCE = `
local since = redis.call("GET", KEYS[1])
if since then return since end
redis.call("SET", KEYS[1], ARGV[1])
return ARGV[1]
`;

function parseSeen(key: string, value: unknown): SeenContainer | null {
  if (typeof value !== "object" || value === null) return null;
  const { finishedAt, restartCount } = value as Record<string, unknown>;
  if (typeof finishedAt !== "string" || finishedAt.length > MAX_FINISHED_AT) return null;
  if (!Number.isSafeInteger(restartCount) || (restartCount as number) < 0) return null;
  return { key, finishedAt, restartCount: restartCount as number };
}

export class RedisSeen implements SeenStore {
  private readonly recordScript: Script;
  private readonly sinceScript: Script;
  private readonly lease: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cluster: string,
  ) {
    this.lease = leaseKey(prefix, cluster);
    this.recordScript = defineScript(redis, "oomDoctorAlertSeenRecord", RECORD);
    this.sinceScript = defineScript(redis, "oomDoctorAlertSince", SINCE);
  }

  private key(container: string): string {
    return alertKey(this.prefix, "seen", this.cluster, container);
  }

  /** The entries of `keys` that are remembered; unreadable ones count as never seen. */
  async seen(keys: string[]): Promise<Map<string, SeenContainer>> {
    const found = new Map<string, SeenContainer>();
    for (let start = 0; start < keys.length; start += CHUNK) {
      const chunk = keys.slice(start, start + CHUNK);
      const values = await this.redis.mget(...chunk.map((key) => this.key(key)));
      chunk.forEach((key, index) => {
        const entry = parseSeen(key, parseJson(values[index]));
        if (entry !== null) found.set(key, entry);
      });
    }
    return found;
  }

  /**
   * Writes the entries while the lease holds `token`. A big batch is written in chunks, each checked
   * on its own: if the lease is lost midway, the chunks after it are not written, and the answer is false.
   */
  async record(token: number, entries: SeenContainer[]): Promise<boolean> {
    const chunks: SeenContainer[][] = [];
    for (let start = 0; start < entries.length; start += CHUNK)
      chunks.push(entries.slice(start, start + CHUNK));
    for (const chunk of chunks.length === 0 ? [[]] : chunks) {
      const written = await this.recordScript(
        [this.lease, ...chunk.map((entry) => this.key(entry.key))],
        [
          String(token),
          SEEN_MS,
          ...chunk.map((entry) =>
            JSON.stringify({ finishedAt: entry.finishedAt, restartCount: entry.restartCount }),
          ),
        ],
      );
      if (written !== 1) return false;
    }
    return true;
  }

  /** When watching began: `nowIso` the first time, what was stored then ever after. */
  async since(nowIso: string): Promise<string> {
    const key = alertKey(this.prefix, "since", this.cluster);
    const stored = await this.sinceScript([key], [nowIso]);
    if (typeof stored === "string" && isIsoTime(stored)) return stored;
    // Not a time: not written by oom-doctor. Watching begins now.
    await this.redis.set(key, nowIso);
    return nowIso;
  }
}
