// The proposal records as the lifecycle sees them: signed on every write and checked on every read,
// and changed only by compare-and-set against the exact record read, so a write that lost a race is
// made again on top of the winner's record instead of undoing it.

import { randomBytes } from "node:crypto";
import {
  type AuditEntry,
  canMove,
  isProposalId,
  PROPOSAL_ID_BYTES,
  type Proposal,
  type ProposalChange,
  type ProposalStatus,
} from "./model.js";
import type { Loaded, ProposalRepository, ProposalStorage, Written } from "./ports.js";
import { signatureMatches, signRecord } from "./signing.js";

/** Concurrent writes one change gives way to before it gives up (and its step is retried). */
const MAX_ATTEMPTS = 10;

function claimed(record: Record<string, unknown>): Extract<Loaded, { kind: "tampered" }>["claimed"] {
  const workload = record.workload as Proposal["workload"] | undefined;
  return typeof record.namespace === "string" &&
    typeof workload?.kind === "string" &&
    typeof workload.name === "string"
    ? { namespace: record.namespace, workload }
    : null;
}

export class SignedProposals implements ProposalRepository {
  /** `key` null: proposals are not enabled; nothing can be written and nothing stored is trusted. */
  constructor(
    private readonly storage: ProposalStorage,
    private readonly key: string | null,
    private readonly newId: () => string = () => randomBytes(PROPOSAL_ID_BYTES).toString("hex"),
  ) {}

  private encode(proposal: Proposal): string {
    if (this.key === null) throw new Error("proposals.signingKey is not set: proposals cannot be stored");
    return JSON.stringify({ ...proposal, signature: signRecord(proposal, this.key) });
  }

  private decode(id: string, text: string): Loaded {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { kind: "tampered", claimed: null };
    }
    const { signature, ...fields } = record;
    if (this.key === null || fields.id !== id || !signatureMatches(fields, signature, this.key))
      return { kind: "tampered", claimed: claimed(fields) };
    return { kind: "found", proposal: fields as unknown as Proposal };
  }

  async create(proposal: Omit<Proposal, "id">, audit: (proposal: Proposal) => AuditEntry): Promise<Proposal> {
    const created: Proposal = { ...proposal, id: this.newId() };
    if (!(await this.storage.swap(created.id, null, this.encode(created), audit(created))))
      throw new Error(`proposal ${created.id} exists already`);
    return created;
  }

  async load(id: string): Promise<Loaded> {
    if (!isProposalId(id)) return { kind: "missing" };
    const text = await this.storage.read(id);
    return text === null ? { kind: "missing" } : this.decode(id, text);
  }

  private async write(
    id: string,
    accepts: (current: Proposal) => boolean,
    next: (current: Proposal) => Proposal,
    audit: AuditEntry | null,
  ): Promise<Written> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const text = isProposalId(id) ? await this.storage.read(id) : null;
      if (text === null) return { kind: "missing" };
      const loaded = this.decode(id, text);
      if (loaded.kind !== "found") return loaded;
      if (!accepts(loaded.proposal)) return { kind: "elsewhere", proposal: loaded.proposal };
      const proposal = next(loaded.proposal);
      if (await this.storage.swap(id, text, this.encode(proposal), audit))
        return { kind: "written", proposal };
    }
    throw new Error(`proposal ${id}: ${MAX_ATTEMPTS} concurrent writes in a row; try again`);
  }

  async move(
    id: string,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    change: ProposalChange,
    audit: AuditEntry,
  ): Promise<Written> {
    const illegal = from.filter((status) => !canMove(status, to));
    if (illegal.length > 0) throw new Error(`no move from ${illegal.join(", ")} to ${to}`);
    return this.write(
      id,
      (current) => from.includes(current.status),
      (current) => ({ ...current, ...change, status: to }),
      audit,
    );
  }

  amend(
    id: string,
    status: ProposalStatus | null,
    change: ProposalChange,
    audit: AuditEntry | null,
  ): Promise<Written> {
    return this.write(
      id,
      (current) => status === null || current.status === status,
      (current) => ({ ...current, ...change }),
      audit,
    );
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.storage.appendAudit(entry);
  }

  recordBump(workloadKey: string, atMs: number, proposalId: string): Promise<void> {
    return this.storage.recordBump(workloadKey, atMs, proposalId);
  }

  recentBumps(workloadKey: string, nowMs: number): Promise<number> {
    return this.storage.recentBumps(workloadKey, nowMs);
  }
}
