// Where each node's journal sweep stopped: a journald cursor per node, moved only by compare-and-set,
// so two sweeps of one node that raced cannot move it backwards. A node not swept for 30 days (gone
// from the cluster, say) is forgotten.

import type { Redis } from "ioredis";
import type { CursorStore } from "../alerts/ports.js";
import { isJournalCursor } from "../analysis/names.js";
import { alertKey, DELETE_IF_HOLDS, defineScript, type Script } from "./alert-redis.js";

const CURSOR_MS = 30 * 86_400_000;

// KEYS[1] the node's cursor. ARGV[1] "1" if a cursor is expected, ARGV[2] that cursor, ARGV[3] the
// next, ARGV[4] the TTL in ms. 1 if moved, 0 if it was not where expected.
const ADVANCE = `
local current = redis.call("GET", KEYS[1])
if ARGV[1] == "1" then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
redis.call("SET", KEYS[1], ARGV[3], "PX", ARGV[4])
return 1
`;

export class RedisCursors implements CursorStore {
  private readonly advanceScript: Script;
  private readonly dropScript: Script;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cluster: string,
  ) {
    this.advanceScript = defineScript(redis, "oomDoctorAlertCursorAdvance", ADVANCE);
    this.dropScript = defineScript(redis, "oomDoctorDeleteIfHolds", DELETE_IF_HOLDS);
  }

  private key(node: string): string {
    return alertKey(this.prefix, "cursor", this.cluster, node);
  }

  /** The node's cursor; null for a node never swept, or one whose stored cursor is not a cursor. */
  async cursor(node: string): Promise<string | null> {
    const stored = await this.redis.get(this.key(node));
    if (stored === null || isJournalCursor(stored)) return stored;
    // Dropped (unless it changed meanwhile), so that the next advance from null can write.
    await this.dropScript([this.key(node)], [stored]);
    return null;
  }

  async advance(node: string, previous: string | null, next: string): Promise<boolean> {
    const moved = await this.advanceScript(
      [this.key(node)],
      [previous === null ? "0" : "1", previous ?? "", next, CURSOR_MS],
    );
    return moved === 1;
  }
}
