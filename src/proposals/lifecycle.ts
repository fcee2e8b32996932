// The limit proposal's lifecycle, in one place: propose, dry run, approve, reject, apply, follow the
// rollout, verify, revert, expire. Each step loads the signed record, makes its one move by
// compare-and-set (with its audit entry), then settles: it finishes whatever the state the proposal
// is now in calls for (the message shown, the next step queued). A step that finds the proposal past
// its own move settles that state instead, so a step that failed half-way is finished by its retry,
// by the next click or by any later step.

import { readPods } from "../analysis/pod.js";
import { workloadKey } from "../analysis/workload-key.js";
import type { ProposalsConfig } from "../config/schema.js";
import { isTransient, type Result } from "../errors.js";
import type { Log } from "../ops/log.js";
import {
  type AuditEntry,
  type AuditEvent,
  auditEntry,
  BOT_USER,
  newProposal,
  type Outcome,
  type PatchableKind,
  type Proposal,
  type ProposalChange,
  type ProposalStatus,
  type Refusal,
  type RolloutProgress,
  rolloutDone,
} from "./model.js";
import type {
  ApproverDirectory,
  ProposalNotifier,
  ProposalRepository,
  ProposalScheduler,
  WorkloadSnapshot,
  WorkloadWriter,
  Written,
} from "./ports.js";
import {
  checkAgainstLive,
  checkProposal,
  gitOpsManager,
  type ProposalInput,
  type ProposalProblem,
  type ValidProposal,
} from "./rules.js";

export interface LifecycleDeps {
  repository: ProposalRepository;
  scheduler: ProposalScheduler;
  notifier: ProposalNotifier;
  approvers: ApproverDirectory;
  /** The cluster client, opened when a step needs it (the Slack side never does). */
  workloads: () => Result<WorkloadWriter>;
  config: ProposalsConfig;
  now: () => number;
  log: Log;
}

/** What the finding behind a Propose button says about the container. */
export interface ProposalSubject {
  findingId: string;
  channel: string;
  threadTs: string;
  namespace: string;
  workload: { kind: PatchableKind; name: string };
  container: string;
  currentLimitBytes: number | null;
  currentRequestBytes: number | null;
  residentBytes: number | null;
  nodeAllocatableBytes: number | null;
  limitRangeMaxBytes: number | null;
}

export const PROPOSAL_ANNOTATION = "oom-doctor.io/proposal";
const HOUR_MS = 3_600_000;
const ROLLOUT_CHECK_MS = 15_000;
const ROLLOUT_CHECKS = 40;

function progress(workload: WorkloadSnapshot, checks: number): RolloutProgress {
  return { generation: workload.generation, ...workload.rollout, checks };
}

/** The refusal in a line, for the audit trail and the log (Slack shows it through the catalog). */
function refusalDetail(refusal: Refusal): string {
  switch (refusal.kind) {
    case "api":
      return refusal.message;
    case "rule":
      return `guard rail: ${refusal.problem.kind}`;
    case "container-missing":
      return `container ${refusal.container} is not in the workload`;
    case "workload-replaced":
      return "the workload was replaced (another uid) since the dry run";
    case "expired-before-apply":
      return "expired before it was applied";
    case "approver-not-allowed":
      return `approver ${refusal.approver || "(none)"} may not approve it`;
  }
}

const rule = (problem: ProposalProblem): Refusal => ({ kind: "rule", problem });

export class ProposalLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  private iso(): string {
    return new Date(this.deps.now()).toISOString();
  }

  private entry(event: AuditEvent, proposal: Proposal, user: string, detail: string): AuditEntry {
    return auditEntry(event, proposal, user, detail, this.deps.now());
  }

  private logged(entry: AuditEntry): void {
    this.deps.log("info", `proposal ${entry.event}`, { ...entry });
  }

  /** Records what is not a state change: a refused click, a tampered record. */
  private async note(entry: AuditEntry): Promise<void> {
    await this.deps.repository.appendAudit(entry);
    this.logged(entry);
  }

  /** The proposal, or the outcome for a missing or tampered one (which is recorded). */
  private async load(id: string, user: string): Promise<Proposal | Outcome> {
    const loaded = await this.deps.repository.load(id);
    if (loaded.kind === "found") return loaded.proposal;
    if (loaded.kind === "missing") return { kind: "unknown" };
    const claimed = loaded.claimed ?? { namespace: "?", workload: { kind: "?", name: "?" } };
    await this.note(
      auditEntry(
        "tampered",
        { id, namespace: claimed.namespace, workload: claimed.workload },
        user,
        "the stored record's signature does not match: not acted on",
        this.deps.now(),
      ),
    );
    return { kind: "tampered" };
  }

  /** After a write: settle the state it left, or the state someone else's write left. */
  private async after(written: Written, entry: AuditEntry | null): Promise<Outcome> {
    switch (written.kind) {
      case "written":
        if (entry) this.logged(entry);
        await this.settle(written.proposal);
        return { kind: "moved", proposal: written.proposal };
      case "elsewhere":
        return this.resume(written.proposal);
      case "missing":
        return { kind: "unknown" };
      case "tampered":
        return { kind: "tampered" };
    }
  }

  private async move(
    proposal: Proposal,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    change: ProposalChange,
    entry: AuditEntry,
  ): Promise<Outcome> {
    return this.after(await this.deps.repository.move(proposal.id, from, to, change, entry), entry);
  }

  private async resume(proposal: Proposal): Promise<Outcome> {
    await this.settle(proposal);
    return proposal.status === "expired" ? { kind: "expired" } : { kind: "resumed", proposal };
  }

  /** Finishes what the proposal's state calls for. Every part may be repeated: queued steps are queued once. */
  private async settle(proposal: Proposal): Promise<void> {
    const { scheduler, repository, config } = this.deps;
    const { id } = proposal;
    if (proposal.status === "checking") {
      // Its message comes with the dry run's verdict.
      await scheduler.schedule("dry-run", id, 0);
      return;
    }
    if (proposal.status === "approved") await scheduler.schedule("apply-limit", id, 0);
    if (proposal.status === "applied" && proposal.appliedAt !== null) {
      const appliedMs = Date.parse(proposal.appliedAt);
      await repository.recordBump(workloadKey(proposal.namespace, proposal.workload), appliedMs, id);
      const { rollout } = proposal;
      if (rollout !== null && !rolloutDone(rollout) && rollout.checks < ROLLOUT_CHECKS)
        await scheduler.schedule("rollout", id, ROLLOUT_CHECK_MS, rollout.checks + 1);
      if (proposal.verification === null) {
        const dueMs = appliedMs + config.verifyAfterMinutes * 60_000;
        await scheduler.schedule("verify", id, Math.max(0, dueMs - this.deps.now()));
      }
    }
    await this.present(proposal);
    if (proposal.status === "applied" && proposal.verification !== null)
      await this.deps.notifier.verified(proposal);
  }

  /**
   * Shows the proposal's message and remembers its ts. Two steps may show at once: whichever finishes
   * last looks again and shows the newer state if it lost the race, so the message ends current.
   */
  private async present(proposal: Proposal): Promise<void> {
    let shown = proposal;
    for (let round = 0; round < 3; round++) {
      const ts = await this.deps.notifier.show(shown);
      if (shown.messageTs !== ts) await this.deps.repository.amend(shown.id, null, { messageTs: ts }, null);
      const now = await this.deps.repository.load(shown.id);
      if (now.kind !== "found" || now.proposal.status === shown.status) return;
      shown = now.proposal;
    }
  }

  /**
   * A background step's start: the proposal, if it is in `status` and this step has not been made,
   * with the cluster client; otherwise the step's outcome, the proposal's state settled.
   */
  private async start(
    id: string,
    status: ProposalStatus,
    made: (proposal: Proposal) => boolean = () => false,
  ): Promise<{ proposal: Proposal; writer: WorkloadWriter } | Outcome> {
    const proposal = await this.load(id, BOT_USER);
    if (!("id" in proposal)) return proposal;
    if (proposal.status !== status || made(proposal)) return this.resume(proposal);
    const writer = this.deps.workloads();
    if (!writer.ok) return { kind: "unavailable", reason: writer.error.message };
    return { proposal, writer: writer.value };
  }

  private readLive(writer: WorkloadWriter, proposal: Proposal): Promise<Result<WorkloadSnapshot>> {
    return writer.read(proposal.namespace, proposal.workload.kind, proposal.workload.name);
  }

  /** The change as a patch of the object read, with its resourceVersion as the precondition. */
  private patch(
    writer: WorkloadWriter,
    proposal: Proposal,
    live: WorkloadSnapshot,
    dryRun: boolean,
  ): Promise<Result<WorkloadSnapshot>> {
    const { namespace, workload, container, to } = proposal;
    return writer.patchMemory(
      namespace,
      workload.kind,
      workload.name,
      {
        container,
        limit: to.limit,
        request: to.request,
        annotations: {
          [PROPOSAL_ANNOTATION]: proposal.id,
          "oom-doctor.io/approved-by": proposal.approver ?? "",
          "oom-doctor.io/proposed-by": proposal.proposer,
        },
        resourceVersion: live.resourceVersion,
      },
      dryRun,
    );
  }

  // ---- the Slack side: propose, approve, reject, revert ----

  /** The modal's values against the rules, with the finding's figures and the workload's recent changes. */
  async check(subject: ProposalSubject, input: ProposalInput) {
    const { config, repository, now } = this.deps;
    return checkProposal(input, {
      currentLimitBytes: subject.currentLimitBytes,
      currentRequestBytes: subject.currentRequestBytes,
      residentBytes: subject.residentBytes,
      maxLimitBytes: config.maxLimitBytes,
      nodeAllocatableBytes: subject.nodeAllocatableBytes,
      limitRangeMaxBytes: subject.limitRangeMaxBytes,
      maxStepFactor: config.maxStepFactor,
      recentBumps: await repository.recentBumps(workloadKey(subject.namespace, subject.workload), now()),
      leakAfterBumps: config.leakAfterBumps,
    });
  }

  /** Stores a new proposal (recorded), and queues its dry run and its expiry. */
  async propose(
    subject: Pick<
      ProposalSubject,
      "findingId" | "channel" | "threadTs" | "namespace" | "workload" | "container"
    >,
    change: Pick<ValidProposal, "limit" | "request" | "reason">,
    proposer: string,
    revertOf: string | null = null,
  ): Promise<Outcome> {
    const nowMs = this.deps.now();
    const expiryMs = this.deps.config.expiryHours * HOUR_MS;
    const detail = revertOf ? `revert to ${change.limit}` : `${change.limit}: ${change.reason}`;
    const proposed = (created: Proposal) => auditEntry("proposed", created, proposer, detail, nowMs);
    const proposal = await this.deps.repository.create(
      newProposal(
        {
          findingId: subject.findingId,
          channel: subject.channel,
          threadTs: subject.threadTs,
          namespace: subject.namespace,
          workload: { kind: subject.workload.kind, name: subject.workload.name, uid: null },
          container: subject.container,
          to: { limit: change.limit, request: change.request },
          reason: change.reason,
          proposer,
          revertOf,
        },
        nowMs,
        nowMs + expiryMs,
      ),
      proposed,
    );
    this.logged(proposed(proposal));
    await this.deps.scheduler.schedule("dry-run", proposal.id, 0);
    await this.deps.scheduler.schedule("expire", proposal.id, expiryMs);
    return { kind: "moved", proposal };
  }

  /** A new proposal back to the values an applied one replaced: the same dry run and approval. */
  async revert(id: string, user: string): Promise<Outcome> {
    const applied = await this.load(id, user);
    if (!("id" in applied)) return applied;
    if (applied.status !== "applied" || applied.from.limit === null)
      return { kind: "not-revertible", status: applied.status };
    return this.propose(
      applied,
      {
        limit: applied.from.limit,
        request: applied.from.request,
        reason: `revert of ${applied.to.limit}`,
      },
      user,
      applied.id,
    );
  }

  async approve(id: string, user: string): Promise<Outcome> {
    const proposal = await this.load(id, user);
    if (!("id" in proposal)) return proposal;
    if (proposal.status === "ready" && this.deps.now() > Date.parse(proposal.expiresAt)) {
      // Past its time but not yet closed by the expire job: close it now.
      const closed = await this.move(
        proposal,
        ["ready"],
        "expired",
        {},
        this.entry("expired", proposal, user, "approval attempted after expiry"),
      );
      return closed.kind === "moved" ? { kind: "expired" } : closed;
    }
    if (proposal.status !== "ready") return this.resume(proposal);
    const membership = await this.deps.approvers.isApprover(proposal.namespace, user);
    if (membership !== "yes") {
      const why = membership === "no" ? "not an approver" : "approver membership could not be checked";
      await this.note(this.entry("refused", proposal, user, why));
      return { kind: "not-approver", namespace: proposal.namespace };
    }
    if (user === proposal.proposer && !this.deps.config.allowSelfApproval) {
      await this.note(this.entry("refused", proposal, user, "self-approval"));
      return { kind: "self-approval" };
    }
    return this.decide(proposal, user, "approved", { approver: user, approvedAt: this.iso() });
  }

  /** A decision on a proposal waiting for one; its audit event is named as its state. */
  private decide(
    proposal: Proposal,
    user: string,
    to: "approved" | "rejected",
    change: ProposalChange,
  ): Promise<Outcome> {
    return this.move(proposal, ["ready"], to, change, this.entry(to, proposal, user, ""));
  }

  async reject(id: string, user: string): Promise<Outcome> {
    const proposal = await this.load(id, user);
    if (!("id" in proposal)) return proposal;
    if (proposal.status !== "ready") return this.resume(proposal);
    if (
      user !== proposal.proposer &&
      (await this.deps.approvers.isApprover(proposal.namespace, user)) !== "yes"
    ) {
      await this.note(this.entry("refused", proposal, user, "reject by someone not allowed"));
      return { kind: "not-allowed-to-reject" };
    }
    return this.decide(proposal, user, "rejected", { approver: user });
  }

  // ---- the worker side: dry run, apply, rollout, verify, expire ----

  /** The change a revert undoes, if it is still the one in place. */
  private async undoing(proposal: Proposal): Promise<{ fromLimit: string | null; toLimit: string } | null> {
    if (proposal.revertOf === null) return null;
    const reverted = await this.deps.repository.load(proposal.revertOf);
    if (reverted.kind !== "found" || reverted.proposal.status !== "applied") return null;
    return { fromLimit: reverted.proposal.from.limit, toLimit: reverted.proposal.to.limit };
  }

  /** Why the live workload rules this change out now, if it does (shared by dry run and apply). */
  private async liveRefusal(proposal: Proposal, live: WorkloadSnapshot): Promise<Refusal | null> {
    const container = live.containers.find((c) => c.name === proposal.container);
    if (!container) return { kind: "container-missing", container: proposal.container };
    const problems = checkAgainstLive(proposal.to, {
      liveLimitBytes: container.limitBytes,
      maxLimitBytes: this.deps.config.maxLimitBytes,
      maxStepFactor: this.deps.config.maxStepFactor,
      undoing: await this.undoing(proposal),
    });
    return problems[0] ? rule(problems[0]) : null;
  }

  private gitOps(live: WorkloadSnapshot): string | null {
    if (this.deps.config.patchGitOpsManaged) return null;
    return gitOpsManager(live, this.deps.config.argoCdTrackingLabel);
  }

  async dryRun(id: string): Promise<Outcome> {
    const started = await this.start(id, "checking");
    if (!("writer" in started)) return started;
    const { proposal, writer } = started;
    const { workload } = proposal;
    const decide = (to: ProposalStatus, change: ProposalChange, detail: string) =>
      this.move(proposal, ["checking"], to, change, this.entry("dry-run", proposal, BOT_USER, detail));
    const read = await this.readLive(writer, proposal);
    if (!read.ok) {
      if (isTransient(read.error)) return { kind: "retry", reason: read.error.message };
      const refusal: Refusal = { kind: "api", message: read.error.message };
      return decide("refused", { refusal }, refusalDetail(refusal));
    }
    const live = read.value;
    const container = live.containers.find((c) => c.name === proposal.container);
    const seen = {
      seen: { generation: live.generation, resourceVersion: live.resourceVersion },
      from: { limit: container?.limit ?? null, request: container?.request ?? null },
      cluster: writer.cluster,
      workload: { ...workload, uid: live.uid },
    };
    const manager = this.gitOps(live);
    if (manager !== null) return decide("gitops", { ...seen, gitOps: manager }, `managed by ${manager}`);
    const refusal = await this.liveRefusal(proposal, live);
    if (refusal !== null) return decide("refused", { ...seen, refusal }, refusalDetail(refusal));
    const checked = await this.patch(writer, proposal, live, true);
    if (!checked.ok) {
      if (isTransient(checked.error)) return { kind: "retry", reason: checked.error.message };
      const refused: Refusal = { kind: "api", message: checked.error.message };
      return decide("refused", { ...seen, refusal: refused }, refusalDetail(refused));
    }
    return decide("ready", { ...seen, refusal: null }, "accepted");
  }

  /** Why a record that says "approved" must not be applied: it is not trusted for having got there. */
  private async untrusted(proposal: Proposal): Promise<Refusal | "unknown" | null> {
    if (this.deps.now() > Date.parse(proposal.expiresAt)) return { kind: "expired-before-apply" };
    const approver = proposal.approver ?? "";
    const denied: Refusal = { kind: "approver-not-allowed", approver };
    if (approver === "" || (approver === proposal.proposer && !this.deps.config.allowSelfApproval))
      return denied;
    const membership = await this.deps.approvers.isApprover(proposal.namespace, approver);
    return membership === "yes" ? null : membership === "no" ? denied : "unknown";
  }

  async apply(id: string): Promise<Outcome> {
    const started = await this.start(id, "approved");
    if (!("writer" in started)) return started;
    const { proposal, writer } = started;
    const { workload } = proposal;
    const approver = proposal.approver ?? "";
    const fail = (refusal: Refusal) =>
      this.move(
        proposal,
        ["approved"],
        "failed",
        { refusal },
        this.entry("failed", proposal, approver, refusalDetail(refusal)),
      );
    const read = await this.readLive(writer, proposal);
    if (!read.ok) {
      if (isTransient(read.error)) return { kind: "retry", reason: read.error.message };
      return fail({ kind: "api", message: read.error.message });
    }
    const live = read.value;
    // The dry run recorded the uid of the object it checked; another one is another workload.
    if (live.uid !== workload.uid) return fail({ kind: "workload-replaced" });
    // The patch carries the proposal's id: finding it means an earlier attempt patched and then died
    // (a killed worker), so this one only finishes the record. Patching again could undo a change
    // made since, and the resources no longer match `from` anyway.
    if (live.annotations[PROPOSAL_ANNOTATION] === proposal.id) return this.applied(proposal, live);
    const untrusted = await this.untrusted(proposal);
    if (untrusted === "unknown") return { kind: "retry", reason: "approver membership could not be checked" };
    if (untrusted !== null) return fail(untrusted);
    const container = live.containers.find((c) => c.name === proposal.container);
    // The dry run saw `from`; someone else's change since then makes this proposal out of date.
    if (container && (container.limit !== proposal.from.limit || container.request !== proposal.from.request))
      return this.move(
        proposal,
        ["approved"],
        "stale",
        {},
        this.entry("failed", proposal, BOT_USER, "resources changed since the proposal"),
      );
    const manager = this.gitOps(live);
    if (manager !== null)
      return this.move(
        proposal,
        ["approved"],
        "gitops",
        { gitOps: manager },
        this.entry("failed", proposal, BOT_USER, `managed by ${manager} since the dry run`),
      );
    const refusal = await this.liveRefusal(proposal, live);
    if (refusal !== null) return fail(refusal);
    const patched = await this.patch(writer, proposal, live, false);
    if (!patched.ok) {
      // A conflict: the workload changed between the read and the patch. The retry reads it again.
      if (isTransient(patched.error)) return { kind: "retry", reason: patched.error.message };
      return fail({ kind: "api", message: patched.error.message });
    }
    return this.applied(proposal, patched.value);
  }

  private applied(proposal: Proposal, workload: WorkloadSnapshot): Promise<Outcome> {
    return this.move(
      proposal,
      ["approved"],
      "applied",
      { appliedAt: this.iso(), rollout: progress(workload, 0) },
      this.entry(
        proposal.revertOf ? "reverted" : "applied",
        proposal,
        proposal.approver ?? "",
        proposal.to.limit,
      ),
    );
  }

  async followRollout(id: string, check: number): Promise<Outcome> {
    const started = await this.start(id, "applied", (made) => (made.rollout?.checks ?? 0) >= check);
    if (!("writer" in started)) return started;
    const { proposal, writer } = started;
    const read = await this.readLive(writer, proposal);
    if (!read.ok) {
      if (isTransient(read.error)) return { kind: "retry", reason: read.error.message };
      return this.resume(proposal);
    }
    return this.after(
      await this.deps.repository.amend(id, "applied", { rollout: progress(read.value, check) }, null),
      null,
    );
  }

  async verify(id: string): Promise<Outcome> {
    const started = await this.start(id, "applied", (made) => made.verification !== null);
    if (!("writer" in started)) return started;
    const { proposal, writer } = started;
    const { namespace } = proposal;
    const read = await this.readLive(writer, proposal);
    const pods = read.ok ? await writer.listPods(namespace, read.value.selector) : read;
    if (!pods.ok) {
      if (isTransient(pods.error)) return { kind: "retry", reason: pods.error.message };
      return this.resume(proposal);
    }
    const parsed = readPods(pods.value);
    const since = Date.parse(proposal.appliedAt ?? proposal.createdAt);
    const kills = (parsed.ok ? parsed.cases : [])
      .filter((c) => c.container === proposal.container && c.lastTermination?.reason === "OOMKilled")
      .map((c) => c.lastTermination?.finishedAt ?? "")
      .filter((at) => Date.parse(at) > since)
      .sort();
    const recurredAt = kills.at(-1) ?? null;
    const entry = this.entry(
      "verified",
      proposal,
      BOT_USER,
      recurredAt === null ? "no OOM kill since" : `OOM-killed again at ${recurredAt}`,
    );
    return this.after(
      await this.deps.repository.amend(
        id,
        "applied",
        { verification: { at: this.iso(), recurredAt } },
        entry,
      ),
      entry,
    );
  }

  async expire(id: string): Promise<Outcome> {
    const proposal = await this.load(id, BOT_USER);
    if (!("id" in proposal)) return proposal;
    if (proposal.status !== "checking" && proposal.status !== "ready") return this.resume(proposal);
    return this.move(
      proposal,
      ["checking", "ready"],
      "expired",
      {},
      this.entry("expired", proposal, BOT_USER, ""),
    );
  }
}
