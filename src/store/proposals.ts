// Limit-change proposals in Redis: the signed records (src/proposals/repository.ts signs and checks
// them), the audit trail (a Redis Stream) and the count of recent changes per workload (the leak
// guard). Every write of a record is one Lua script: compare the stored record with the one the
// change was computed from, set the new one, and append its audit entry, atomically. A write that
// lost a race is refused and made again on the winner's record, never over it.

import type { Redis } from "ioredis";
import type { AuditEntry } from "../proposals/model.js";
import type { ProposalStorage } from "../proposals/ports.js";

const PROPOSAL_TTL_SECONDS = 90 * 86_400;
const AUDIT_MAX = 10_000;
const WEEK_MS = 7 * 86_400_000;

// KEYS[1] the record, KEYS[2] the audit stream. ARGV[1] "1" if a record is expected, ARGV[2] the
// expected record, ARGV[3] the new one, ARGV[4] its TTL in seconds, ARGV[5] the stream's MAXLEN,
// ARGV[6...] the audit entry's fields and values (none: no entry). Returns 1 if written, 0 if not.
const SWAP_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
if #ARGV > 5 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 6))
end
return 1
`;

const SWAP_COMMAND = "oomDoctorProposalSwap";

type SwapClient = Redis & {
  [SWAP_COMMAND](record: string, audit: string, ...args: Array<string | number>): Promise<number>;
};

function auditFields(entry: AuditEntry): string[] {
  return Object.entries(entry).flat();
}

export class ProposalStore implements ProposalStorage {
  private readonly redis: SwapClient;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    // On the connection it is given (no connection of its own); ioredis sends EVALSHA, and EVAL when
    // Redis does not know the script (after a restart).
    redis.defineCommand(SWAP_COMMAND, { numberOfKeys: 2, lua: SWAP_SCRIPT });
    this.redis = redis as SwapClient;
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  read(id: string): Promise<string | null> {
    return this.redis.get(this.key("proposal", id));
  }

  async swap(id: string, expected: string | null, next: string, audit: AuditEntry | null): Promise<boolean> {
    const written = await this.redis[SWAP_COMMAND](
      this.key("proposal", id),
      this.key("audit"),
      expected === null ? "0" : "1",
      expected ?? "",
      next,
      PROPOSAL_TTL_SECONDS,
      AUDIT_MAX,
      ...(audit === null ? [] : auditFields(audit)),
    );
    return written === 1;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key("audit"), "MAXLEN", "~", AUDIT_MAX, "*", ...auditFields(entry));
  }

  /** The latest audit entries, newest first, optionally of one namespace. */
  async auditTrail(namespace: string | null, count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key("audit"), "+", "-", "COUNT", 1000);
    const entries = rows.map(([, fields]) => {
      const entry: Record<string, string> = {};
      for (let index = 0; index + 1 < fields.length; index += 2)
        entry[fields[index] ?? ""] = fields[index + 1] ?? "";
      return entry as unknown as AuditEntry;
    });
    return entries.filter((entry) => namespace === null || entry.namespace === namespace).slice(0, count);
  }

  /** Records an applied change; only the last 7 days count, so older ones are dropped, and the key lapses. */
  async recordBump(workloadKey: string, atMs: number, proposalId: string): Promise<void> {
    const key = this.key("bumps", workloadKey);
    await this.redis
      .multi()
      .zadd(key, atMs, proposalId)
      .zremrangebyscore(key, "-inf", atMs - WEEK_MS)
      .pexpire(key, WEEK_MS)
      .exec();
  }

  async recentBumps(workloadKey: string, nowMs: number): Promise<number> {
    return this.redis.zcount(this.key("bumps", workloadKey), nowMs - WEEK_MS, "+inf");
  }
}
