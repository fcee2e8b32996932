// Limit-change proposals in Redis: the record, its state changes (the one that matters, approval,
// is taken atomically, so a double click or two approvers at once approve once), the audit trail
// (a Redis Stream) and the count of recent changes per workload (the leak guard).

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { PatchableKind } from "../ports.js";

export type ProposalStatus =
  | "checking"
  | "ready"
  | "refused"
  | "gitops"
  | "approved"
  | "applied"
  | "stale"
  | "failed"
  | "rejected"
  | "expired";

export interface Resources {
  limit: string | null;
  request: string | null;
}

export interface Proposal {
  id: string;
  /** The cluster the dry run read, as the kubeconfig names it (null until then). */
  cluster: string | null;
  findingId: string;
  channel: string;
  threadTs: string;
  namespace: string;
  workload: { kind: PatchableKind; name: string; uid: string | null };
  /** What the dry run read: a change since then makes the apply refuse. */
  seen: { generation: number; resourceVersion: string } | null;
  container: string;
  from: Resources;
  to: { limit: string; request: string | null };
  reason: string;
  proposer: string;
  createdAt: string;
  expiresAt: string;
  status: ProposalStatus;
  /** The dry run's or the apply's refusal, in the API server's words. */
  refusal: string | null;
  gitOps: string | null;
  approver: string | null;
  appliedAt: string | null;
  /** Set on a proposal that undoes an applied one. */
  revertOf: string | null;
  /** The proposal's message in the thread, once posted. */
  messageTs: string | null;
}

export type AuditEvent =
  | "proposed"
  | "dry-run"
  | "approved"
  | "refused"
  | "rejected"
  | "applied"
  | "failed"
  | "expired"
  | "reverted"
  | "verified";

export interface AuditEntry {
  at: string;
  event: AuditEvent;
  proposal: string;
  namespace: string;
  workload: string;
  user: string;
  detail: string;
}

const PROPOSAL_TTL_SECONDS = 90 * 86_400;
const AUDIT_MAX = 10_000;
const WEEK_MS = 7 * 86_400_000;
const PROPOSAL_ID = /^[0-9a-f]{24}$/;

export class ProposalStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  async create(proposal: Omit<Proposal, "id">): Promise<Proposal> {
    const created = { ...proposal, id: randomBytes(12).toString("hex") };
    await this.save(created);
    return created;
  }

  async save(proposal: Proposal): Promise<void> {
    await this.redis.set(
      this.key("proposal", proposal.id),
      JSON.stringify(proposal),
      "EX",
      PROPOSAL_TTL_SECONDS,
    );
  }

  /** The proposal a button names, or null for an id never issued, expired or malformed. */
  async get(id: string): Promise<Proposal | null> {
    if (!PROPOSAL_ID.test(id)) return null;
    const text = await this.redis.get(this.key("proposal", id));
    return text === null ? null : (JSON.parse(text) as Proposal);
  }

  /**
   * Applies `change` to the proposal only if it is still in one of the `from` states and no one else
   * moved it first (optimistic locking with WATCH): null when it was not, or lost the race.
   */
  async transition(
    id: string,
    from: ProposalStatus[],
    change: Partial<Omit<Proposal, "id">>,
  ): Promise<Proposal | null> {
    const key = this.key("proposal", id);
    const client = this.redis.duplicate();
    try {
      await client.watch(key);
      const text = await client.get(key);
      const current = text === null ? null : (JSON.parse(text) as Proposal);
      if (!current || !from.includes(current.status)) {
        await client.unwatch();
        return null;
      }
      const next = { ...current, ...change };
      const done = await client.multi().set(key, JSON.stringify(next), "EX", PROPOSAL_TTL_SECONDS).exec();
      return done === null ? null : next;
    } finally {
      client.disconnect();
    }
  }

  /** Appends a state change to the audit stream; returns the entry, for the log. */
  async record(
    event: AuditEvent,
    proposal: Proposal,
    user: string,
    detail: string,
    atMs: number,
  ): Promise<AuditEntry> {
    const entry: AuditEntry = {
      at: new Date(atMs).toISOString(),
      event,
      proposal: proposal.id,
      namespace: proposal.namespace,
      workload: `${proposal.workload.kind} ${proposal.workload.name}`,
      user,
      detail,
    };
    await this.redis.xadd(this.key("audit"), "MAXLEN", "~", AUDIT_MAX, "*", ...Object.entries(entry).flat());
    return entry;
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

  /** Changes applied to the workload in the 7 days before `nowMs`. */
  async recentBumps(workloadKey: string, nowMs: number): Promise<number> {
    return this.redis.zcount(this.key("bumps", workloadKey), nowMs - WEEK_MS, "+inf");
  }
}
