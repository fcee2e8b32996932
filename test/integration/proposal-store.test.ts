// Proposal records on the real Redis: every write is the compare-and-set Lua script, so a write made
// from a record read before someone else's approval is refused and made again on top of it, never
// over it; racing approvals approve once; and the script runs on the connection it was given.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { auditEntry, newProposal, type Proposal } from "../../src/proposals/model.js";
import type { ProposalStorage } from "../../src/proposals/ports.js";
import { SignedProposals } from "../../src/proposals/repository.js";
import { ProposalStore } from "../../src/store/proposals.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../harness/redis.js";

const KEY = "integration-signing-key-0123456789abcdef";
const prefix = uniquePrefix();
const connections: Redis[] = [];

function connect(): Redis {
  const redis = new Redis(REDIS_URL);
  connections.push(redis);
  return redis;
}

/** The store, with a moment of someone else's between its next read-for-write and its write. */
class Interleaved implements ProposalStorage {
  private reads = 0;

  constructor(
    private readonly inner: ProposalStore,
    private readonly between: () => Promise<void>,
  ) {}

  read(id: string) {
    return this.inner.read(id);
  }

  async swap(...args: Parameters<ProposalStorage["swap"]>) {
    this.reads += 1;
    if (this.reads === 1) await this.between();
    return this.inner.swap(...args);
  }

  appendAudit(...args: Parameters<ProposalStorage["appendAudit"]>) {
    return this.inner.appendAudit(...args);
  }

  recordBump(...args: Parameters<ProposalStorage["recordBump"]>) {
    return this.inner.recordBump(...args);
  }

  recentBumps(...args: Parameters<ProposalStorage["recentBumps"]>) {
    return this.inner.recentBumps(...args);
  }
}

function readyRecord(): Omit<Proposal, "id"> {
  const created = Date.parse("2021-07-12T04:10:20Z");
  const proposal = newProposal(
    {
      findingId: "f".repeat(32),
      channel: "C0OPS",
      threadTs: "1626063020.000100",
      namespace: "production",
      workload: { kind: "Deployment", name: "api", uid: "uid-1" },
      container: "app",
      to: { limit: "1280Mi", request: "768Mi" },
      reason: "daily kills",
      proposer: "U0ALICE",
      revertOf: null,
    },
    created,
    created + 86_400_000,
  );
  return { ...proposal, status: "ready", from: { limit: "1000Mi", request: "100Mi" } };
}

const at = Date.parse("2021-07-12T05:00:00Z");
const approval = (proposal: Proposal, user: string) => auditEntry("approved", proposal, user, "", at);

let redis: Redis;

before(() => {
  redis = connect();
});

after(async () => {
  for (const connection of connections) connection.disconnect();
  await dropPrefix(prefix);
});

describe("proposal records in Redis", () => {
  it("when an approval lands between remembering the message's ts and writing it, then the approval is not undone", async () => {
    const other = new SignedProposals(new ProposalStore(connect(), prefix), KEY);
    const created = await other.create(readyRecord(), (proposal) =>
      auditEntry("proposed", proposal, "U0ALICE", "", at),
    );
    const slow = new SignedProposals(
      new Interleaved(new ProposalStore(redis, prefix), async () => {
        const approved = await other.move(
          created.id,
          ["ready"],
          "approved",
          { approver: "U0BOB", approvedAt: new Date(at).toISOString() },
          approval(created, "U0BOB"),
        );
        assert.equal(approved.kind, "written");
      }),
      KEY,
    );
    const written = await slow.amend(created.id, null, { messageTs: "1626063025.000200" }, null);
    assert.equal(written.kind, "written");
    const loaded = await other.load(created.id);
    assert.equal(loaded.kind, "found");
    const proposal = loaded.kind === "found" ? loaded.proposal : null;
    assert.equal(proposal?.status, "approved");
    assert.equal(proposal?.approver, "U0BOB");
    assert.equal(proposal?.messageTs, "1626063025.000200");
  });

  it("when ten approvals race on five connections, then one is written, with one audit entry", async () => {
    const repositories = Array.from(
      { length: 5 },
      () => new SignedProposals(new ProposalStore(connect(), prefix), KEY),
    );
    const first = repositories[0] as SignedProposals;
    const created = await first.create(readyRecord(), (proposal) =>
      auditEntry("proposed", proposal, "U0ALICE", "", at),
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => {
        const user = `U0APPROVER${index}`;
        return (repositories[index % 5] as SignedProposals).move(
          created.id,
          ["ready"],
          "approved",
          { approver: user },
          approval(created, user),
        );
      }),
    );
    assert.equal(results.filter((result) => result.kind === "written").length, 1);
    assert.equal(results.filter((result) => result.kind === "elsewhere").length, 9);
    const trail = await new ProposalStore(redis, prefix).auditTrail(null, 100);
    const entries = trail.filter((entry) => entry.proposal === created.id);
    assert.deepEqual(
      entries.map((entry) => entry.event),
      ["approved", "proposed"],
    );
  });

  it("when records are written, then the script runs on the given connection, opening none of its own", async () => {
    const connection = connect();
    let duplicated = 0;
    const duplicate = connection.duplicate.bind(connection);
    connection.duplicate = (...args: Parameters<Redis["duplicate"]>) => {
      duplicated += 1;
      return duplicate(...args);
    };
    const repository = new SignedProposals(new ProposalStore(connection, prefix), KEY);
    const created = await repository.create(readyRecord(), (proposal) =>
      auditEntry("proposed", proposal, "U0ALICE", "", at),
    );
    for (let index = 0; index < 20; index++)
      await repository.amend(created.id, null, { messageTs: `1626063025.${index}` }, null);
    assert.equal(duplicated, 0);
  });

  it("when a record is created under an id already taken, then nothing is overwritten", async () => {
    const store = new ProposalStore(redis, prefix);
    const id = "a".repeat(24);
    assert.equal(await store.swap(id, null, '{"first":true}', null), true);
    assert.equal(await store.swap(id, null, '{"second":true}', null), false);
    assert.equal(await store.read(id), '{"first":true}');
  });
});
