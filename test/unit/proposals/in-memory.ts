// The proposal lifecycle's ports in memory, for unit tests that run in milliseconds: a record store
// that compares-and-sets like the Redis one, a queue that keeps one job per id, a workload that
// honours the resourceVersion precondition like the API server, a notifier that remembers what it
// showed, and an approver list. Each can be told to fail once, to test a step that fails half-way.

import { quantityBytesOrNull } from "../../../src/analysis/quantity.js";
import type { ProposalsConfig } from "../../../src/config/schema.js";
import { fail, ok, type Result } from "../../../src/errors.js";
import type { Log } from "../../../src/ops/log.js";
import { ProposalLifecycle, type ProposalSubject } from "../../../src/proposals/lifecycle.js";
import type { AuditEntry, Proposal, ProposalStep } from "../../../src/proposals/model.js";
import type {
  ApproverDirectory,
  Membership,
  ProposalNotifier,
  ProposalScheduler,
  ProposalStorage,
  ResourcesPatch,
  WorkloadSnapshot,
  WorkloadWriter,
} from "../../../src/proposals/ports.js";
import { SignedProposals } from "../../../src/proposals/repository.js";

export const SIGNING_KEY = "unit-test-signing-key-0123456789abcdef";
export const MI = 2 ** 20;

/** Throws once when armed: the failure of one call half-way through a step. */
class Fuse {
  private armed: string | null = null;

  arm(what: string): void {
    this.armed = what;
  }

  check(): void {
    if (this.armed === null) return;
    const what = this.armed;
    this.armed = null;
    throw new Error(`injected failure: ${what}`);
  }
}

export class MemoryStorage implements ProposalStorage {
  readonly records = new Map<string, string>();
  readonly audit: AuditEntry[] = [];
  readonly bumps = new Map<string, Map<string, number>>();
  /** Runs between a write's read and its compare-and-set: another writer's moment. */
  beforeSwap: (() => Promise<void>) | null = null;

  async read(id: string): Promise<string | null> {
    return this.records.get(id) ?? null;
  }

  async swap(id: string, expected: string | null, next: string, audit: AuditEntry | null): Promise<boolean> {
    const interleave = this.beforeSwap;
    this.beforeSwap = null;
    if (interleave) await interleave();
    if ((this.records.get(id) ?? null) !== expected) return false;
    this.records.set(id, next);
    if (audit) this.audit.push(audit);
    return true;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(entry);
  }

  async recordBump(workloadKey: string, atMs: number, proposalId: string): Promise<void> {
    const bumps = this.bumps.get(workloadKey) ?? new Map<string, number>();
    bumps.set(proposalId, atMs);
    this.bumps.set(workloadKey, bumps);
  }

  async recentBumps(workloadKey: string, nowMs: number): Promise<number> {
    return [...(this.bumps.get(workloadKey)?.values() ?? [])].filter((at) => at >= nowMs - 7 * 86_400_000)
      .length;
  }

  /** Rewrites a stored record as someone with write access to Redis could. */
  tamper(id: string, change: (record: Record<string, unknown>) => void): void {
    const record = JSON.parse(this.records.get(id) ?? "{}") as Record<string, unknown>;
    change(record);
    this.records.set(id, JSON.stringify(record));
  }
}

export interface ScheduledJob {
  step: ProposalStep;
  proposalId: string;
  delayMs: number;
  check: number | undefined;
}

export class MemoryScheduler implements ProposalScheduler {
  /** By job id, as BullMQ keeps them: asking twice queues once. */
  readonly jobs = new Map<string, ScheduledJob>();
  readonly fuse = new Fuse();

  async schedule(step: ProposalStep, proposalId: string, delayMs: number, check?: number): Promise<void> {
    this.fuse.check();
    const id = `${step}-${proposalId}${step === "rollout" ? `-${check ?? 0}` : ""}`;
    if (!this.jobs.has(id)) this.jobs.set(id, { step, proposalId, delayMs, check });
  }

  has(step: ProposalStep, proposalId: string, check?: number): boolean {
    return this.jobs.has(`${step}-${proposalId}${step === "rollout" ? `-${check ?? 0}` : ""}`);
  }
}

export class MemoryNotifier implements ProposalNotifier {
  /** The message of each proposal as last shown. */
  readonly messages = new Map<string, Proposal>();
  readonly verifications: Proposal[] = [];
  readonly fuse = new Fuse();
  /** Runs during a show, before it returns: a click landing while a message is being updated. */
  duringShow: (() => Promise<void>) | null = null;
  posts = 0;

  async show(proposal: Proposal): Promise<string> {
    this.fuse.check();
    const during = this.duringShow;
    this.duringShow = null;
    if (during) await during();
    if (!this.messages.has(proposal.id)) this.posts += 1;
    this.messages.set(proposal.id, proposal);
    return `ts-${proposal.id}`;
  }

  async verified(proposal: Proposal): Promise<void> {
    if (!this.verifications.some((shown) => shown.id === proposal.id)) this.verifications.push(proposal);
  }

  statusShown(id: string): string | undefined {
    return this.messages.get(id)?.status;
  }
}

export class MemoryApprovers implements ApproverDirectory {
  constructor(
    readonly approvers: Map<string, string[]>,
    public membership: Membership | null = null,
  ) {}

  enabled(namespace: string): boolean {
    return this.approvers.has(namespace);
  }

  async isApprover(namespace: string, user: string): Promise<Membership> {
    if (this.membership !== null) return this.membership;
    return this.approvers.get(namespace)?.includes(user) ? "yes" : "no";
  }
}

export interface PatchCall {
  patch: ResourcesPatch;
  dryRun: boolean;
}

/** One Deployment, as the API server would serve and patch it. */
export class MemoryWorkload implements WorkloadWriter {
  readonly cluster = "unit";
  readonly patches: PatchCall[] = [];
  pods: unknown[] = [];
  /** Answered instead of the next read or patch. */
  readFailure: Result<never> | null = null;
  patchFailure: Result<never> | null = null;
  /** Runs when a patch arrives, before it is checked: another writer's change just before it. */
  beforePatch: (() => void) | null = null;
  /** Whether a stored patch rolls out at once. */
  instantRollout = true;

  constructor(public live: WorkloadSnapshot) {}

  static deployment(limit: string, request: string | null = "100Mi"): MemoryWorkload {
    return new MemoryWorkload({
      kind: "Deployment",
      namespace: "production",
      name: "api",
      uid: "uid-1",
      generation: 4,
      resourceVersion: "1000",
      labels: { app: "api" },
      annotations: {},
      managers: ["kubectl-client-side-apply", "kube-controller-manager"],
      containers: [
        {
          name: "app",
          limit,
          request,
          limitBytes: quantityBytesOrNull(limit),
          requestBytes: quantityBytesOrNull(request),
        },
      ],
      selector: { app: "api" },
      rollout: { observedGeneration: 4, replicas: 3, updated: 3, ready: 3 },
    });
  }

  /** Someone else's edit of the container's resources, as `kubectl edit` would make it. */
  edit(limit: string): void {
    const container = this.live.containers[0];
    if (container) Object.assign(container, { limit, limitBytes: quantityBytesOrNull(limit) });
    this.bump();
  }

  bump(): void {
    this.live.resourceVersion = String(Number(this.live.resourceVersion) + 1);
  }

  async read(): Promise<Result<WorkloadSnapshot>> {
    const failure = this.readFailure;
    this.readFailure = null;
    return failure ?? ok(structuredClone(this.live));
  }

  async patchMemory(
    _namespace: string,
    _kind: string,
    _name: string,
    patch: ResourcesPatch,
    dryRun: boolean,
  ): Promise<Result<WorkloadSnapshot>> {
    this.patches.push({ patch, dryRun });
    this.beforePatch?.();
    this.beforePatch = null;
    const failure = this.patchFailure;
    this.patchFailure = null;
    if (failure) return failure;
    if (patch.resourceVersion !== null && patch.resourceVersion !== this.live.resourceVersion)
      return fail("conflict", "Deployment api changed meanwhile: the object has been modified");
    const next = structuredClone(this.live);
    next.annotations = { ...next.annotations, ...patch.annotations };
    next.containers = next.containers.map((container) =>
      container.name !== patch.container
        ? container
        : {
            ...container,
            limit: patch.limit,
            limitBytes: quantityBytesOrNull(patch.limit),
            ...(patch.request === null
              ? {}
              : { request: patch.request, requestBytes: quantityBytesOrNull(patch.request) }),
          },
    );
    if (dryRun) return ok(next);
    next.generation += 1;
    next.resourceVersion = String(Number(next.resourceVersion) + 1);
    if (this.instantRollout) next.rollout = { ...next.rollout, observedGeneration: next.generation };
    else next.rollout = { ...next.rollout, updated: 0, ready: 2 };
    this.live = next;
    return ok(structuredClone(next));
  }

  async listPods(): Promise<Result<unknown[]>> {
    return ok(this.pods);
  }

  realPatches(): PatchCall[] {
    return this.patches.filter((call) => !call.dryRun);
  }
}

export const ALICE = "U0ALICE";
export const BOB = "U0BOB";
export const EVE = "U0EVE";

export const T0 = Date.parse("2021-07-12T04:10:20Z");

export function proposalsConfig(overrides: Partial<ProposalsConfig> = {}): ProposalsConfig {
  return {
    approvers: { production: [ALICE, BOB] },
    allowSelfApproval: false,
    expiryHours: 24,
    verifyAfterMinutes: 60,
    maxStepFactor: 2,
    maxLimitBytes: 64 * 1024 * MI,
    leakAfterBumps: 3,
    patchGitOpsManaged: false,
    argoCdTrackingLabel: null,
    signingKey: SIGNING_KEY,
    ...overrides,
  };
}

export const SUBJECT: ProposalSubject = {
  findingId: "f".repeat(32),
  channel: "C0OPS",
  threadTs: "1626063020.000100",
  namespace: "production",
  workload: { kind: "Deployment", name: "api" },
  container: "app",
  currentLimitBytes: 1000 * MI,
  currentRequestBytes: 100 * MI,
  residentBytes: 1010 * MI,
  nodeAllocatableBytes: null,
  limitRangeMaxBytes: null,
};

/** A lifecycle over in-memory ports, with a clock the test moves. */
export class World {
  readonly storage = new MemoryStorage();
  readonly scheduler = new MemoryScheduler();
  readonly notifier = new MemoryNotifier();
  readonly approvers: MemoryApprovers;
  readonly config: ProposalsConfig;
  readonly logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  readonly lifecycle: ProposalLifecycle;
  nowMs = T0;
  private ids = 0;

  constructor(
    readonly workload: MemoryWorkload = MemoryWorkload.deployment("1000Mi"),
    overrides: Partial<ProposalsConfig> = {},
  ) {
    this.config = proposalsConfig(overrides);
    this.approvers = new MemoryApprovers(new Map(Object.entries(this.config.approvers)));
    const log: Log = (_level, message, fields = {}) => this.logs.push({ message, fields });
    this.lifecycle = new ProposalLifecycle({
      repository: this.repository(SIGNING_KEY),
      scheduler: this.scheduler,
      notifier: this.notifier,
      approvers: this.approvers,
      workloads: () => ok(this.workload),
      config: this.config,
      now: () => this.nowMs,
      log,
    });
  }

  /** A repository over the same records, e.g. another process's, or one with another key. */
  repository(key: string | null): SignedProposals {
    return new SignedProposals(this.storage, key, () => {
      this.ids += 1;
      return this.ids.toString(16).padStart(24, "0");
    });
  }

  async record(id: string): Promise<Proposal> {
    const loaded = await this.repository(SIGNING_KEY).load(id);
    if (loaded.kind !== "found") throw new Error(`proposal ${id}: ${loaded.kind}`);
    return loaded.proposal;
  }

  events(id: string): string[] {
    return this.storage.audit.filter((entry) => entry.proposal === id).map((entry) => entry.event);
  }

  /** Proposes 1280Mi (request 768Mi) as Alice; returns the id. */
  async propose(limit = "1280Mi", request: string | null = "768Mi"): Promise<string> {
    const outcome = await this.lifecycle.propose(SUBJECT, { limit, request, reason: "daily kills" }, ALICE);
    if (outcome.kind !== "moved") throw new Error(`proposing: ${outcome.kind}`);
    return outcome.proposal.id;
  }

  /** A proposal that passed its dry run. */
  async ready(limit?: string): Promise<string> {
    const id = await this.propose(limit);
    const outcome = await this.lifecycle.dryRun(id);
    if (outcome.kind !== "moved" || outcome.proposal.status !== "ready")
      throw new Error(`dry run: ${JSON.stringify(outcome)}`);
    return id;
  }

  /** A proposal approved by Bob. */
  async approved(): Promise<string> {
    const id = await this.ready();
    const outcome = await this.lifecycle.approve(id, BOB);
    if (outcome.kind !== "moved") throw new Error(`approval: ${outcome.kind}`);
    return id;
  }

  /** A proposal applied. */
  async applied(): Promise<string> {
    const id = await this.approved();
    const outcome = await this.lifecycle.apply(id);
    if (outcome.kind !== "moved") throw new Error(`apply: ${JSON.stringify(outcome)}`);
    return id;
  }
}
