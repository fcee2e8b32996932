// The limit proposal: its record, the states it passes through and which moves between them are
// allowed, its audit entries, and what each lifecycle step answers. Pure.

import { isHexId } from "../analysis/names.js";
import type { ProposalProblem } from "./rules.js";

/** The workload kinds whose pod template oom-doctor can patch. */
export const PATCHABLE_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;
export type PatchableKind = (typeof PATCHABLE_KINDS)[number];

export function isPatchable(kind: string): kind is PatchableKind {
  return (PATCHABLE_KINDS as readonly string[]).includes(kind);
}

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

/**
 * Every allowed move. A state absent on the right is final. Fields that do not change the state (the
 * message ts, rollout progress, the verification) are amended without a move.
 */
export const TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  checking: ["ready", "refused", "gitops", "expired"],
  ready: ["approved", "rejected", "expired"],
  // Apply re-checks everything: the resources moved (stale), a rule or the API refused (failed), or a
  // GitOps tool took the workload over since the dry run (gitops).
  approved: ["applied", "stale", "failed", "gitops"],
  applied: [],
  refused: [],
  gitops: [],
  stale: [],
  failed: [],
  rejected: [],
  expired: [],
};

export function canMove(from: ProposalStatus, to: ProposalStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface Resources {
  limit: string | null;
  request: string | null;
}

/** Why a proposal was refused by its dry run or could not be applied. */
export type Refusal =
  /** The API server's own words (quota, LimitRange, admission, RBAC, not found). */
  | { kind: "api"; message: string }
  /** A guard rail, checked against the live workload. */
  | { kind: "rule"; problem: ProposalProblem }
  | { kind: "container-missing"; container: string }
  /** Deleted and created again under the same name since the dry run. */
  | { kind: "workload-replaced" }
  | { kind: "expired-before-apply" }
  | { kind: "approver-not-allowed"; approver: string };

/** How far the rollout of an applied change has come, and how many times it was looked at. */
export interface RolloutProgress {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updated: number;
  ready: number;
  checks: number;
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
  refusal: Refusal | null;
  gitOps: string | null;
  approver: string | null;
  approvedAt: string | null;
  appliedAt: string | null;
  rollout: RolloutProgress | null;
  /** The check for new OOM kills after the change, once made. */
  verification: { at: string; recurredAt: string | null } | null;
  /** Set on a proposal that undoes an applied one. */
  revertOf: string | null;
  /** The proposal's message in the thread, once posted. */
  messageTs: string | null;
}

/** The fields a move or an amendment may change; the identity and the request never change. */
export type ProposalChange = Partial<
  Pick<
    Proposal,
    | "cluster"
    | "workload"
    | "seen"
    | "from"
    | "refusal"
    | "gitOps"
    | "approver"
    | "approvedAt"
    | "appliedAt"
    | "rollout"
    | "verification"
    | "messageTs"
  >
>;

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
  | "verified"
  | "tampered";

export interface AuditEntry {
  at: string;
  event: AuditEvent;
  proposal: string;
  namespace: string;
  workload: string;
  user: string;
  detail: string;
}

/** The user recorded for what oom-doctor did on its own. */
export const BOT_USER = "oom-doctor";

/** What a proposal is made of when it is proposed; everything else is learnt on its way. */
export type ProposalRequest = Pick<
  Proposal,
  | "findingId"
  | "channel"
  | "threadTs"
  | "namespace"
  | "workload"
  | "container"
  | "to"
  | "reason"
  | "proposer"
  | "revertOf"
>;

/** A new proposal, waiting for its dry run. */
export function newProposal(
  request: ProposalRequest,
  createdMs: number,
  expiresMs: number,
): Omit<Proposal, "id"> {
  return {
    ...request,
    cluster: null,
    seen: null,
    from: { limit: null, request: null },
    createdAt: new Date(createdMs).toISOString(),
    expiresAt: new Date(expiresMs).toISOString(),
    status: "checking",
    refusal: null,
    gitOps: null,
    approver: null,
    approvedAt: null,
    appliedAt: null,
    rollout: null,
    verification: null,
    messageTs: null,
  };
}

/** Enough of a proposal to say what an entry is about. */
interface Subject {
  namespace: string;
  workload: { kind: string; name: string };
}

export function auditEntry(
  event: AuditEvent,
  proposal: Subject & { id: string },
  user: string,
  detail: string,
  atMs: number,
): AuditEntry {
  return {
    at: new Date(atMs).toISOString(),
    event,
    proposal: proposal.id,
    namespace: proposal.namespace,
    workload: `${proposal.workload.kind} ${proposal.workload.name}`,
    user,
    detail,
  };
}

/** A proposal id is this many random bytes, in hex. */
export const PROPOSAL_ID_BYTES = 12;

/** Whether a button's or a job's value can be a proposal id at all. */
export function isProposalId(value: string): boolean {
  return isHexId(value, PROPOSAL_ID_BYTES);
}

/** The controller has seen the new template and every replica is updated and ready. */
export function rolloutDone(rollout: RolloutProgress): boolean {
  return (
    rollout.observedGeneration >= rollout.generation &&
    rollout.updated >= rollout.replicas &&
    rollout.ready >= rollout.replicas
  );
}

/** The job names of the lifecycle's background steps. */
export type ProposalStep = "dry-run" | "apply-limit" | "rollout" | "verify" | "expire";

/** What a lifecycle step answers: the Slack side turns it into words, the jobs into retry or not. */
export type Outcome =
  /** The step made its move (or its amendment). */
  | { kind: "moved"; proposal: Proposal }
  /** The proposal was already past this step: what was left of the state it is in was finished. */
  | { kind: "resumed"; proposal: Proposal }
  | { kind: "unknown" }
  /** The stored record's signature does not match: nothing in it is acted on. */
  | { kind: "tampered" }
  | { kind: "expired" }
  | { kind: "not-approver"; namespace: string }
  | { kind: "self-approval" }
  | { kind: "not-allowed-to-reject" }
  | { kind: "not-revertible"; status: ProposalStatus }
  /** A transient failure (API unreachable, a conflicting write): run the step again later. */
  | { kind: "retry"; reason: string }
  /** The cluster cannot be reached with this configuration at all. */
  | { kind: "unavailable"; reason: string };
