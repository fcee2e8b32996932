// What the proposal lifecycle needs from the outside world. Adapters implement these (Redis, BullMQ,
// the Kubernetes client, Slack); the unit tests implement them in memory.

import type { Result } from "../errors.js";
import type {
  AuditEntry,
  PatchableKind,
  Proposal,
  ProposalChange,
  ProposalStatus,
  ProposalStep,
} from "./model.js";

export interface ContainerResources {
  name: string;
  /** As the spec writes them (`1000Mi`), and in bytes. */
  limit: string | null;
  request: string | null;
  limitBytes: number | null;
  requestBytes: number | null;
}

export interface WorkloadSnapshot {
  kind: PatchableKind;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The field managers in metadata.managedFields (kubectl, argocd-controller, helm, ...). */
  managers: string[];
  containers: ContainerResources[];
  /** The pod selector's matchLabels. */
  selector: Record<string, string>;
  rollout: { observedGeneration: number; replicas: number; updated: number; ready: number };
}

export interface ResourcesPatch {
  container: string;
  limit: string;
  request: string | null;
  annotations: Record<string, string>;
  /** Sent as metadata.resourceVersion: the API server refuses (409) if the object changed since. */
  resourceVersion: string | null;
}

/** What the proposals need from the cluster: read a workload, patch its memory, list its pods. */
export interface WorkloadWriter {
  /** The cluster it talks to, as the kubeconfig names it (its context). */
  readonly cluster: string;
  read(namespace: string, kind: PatchableKind, name: string): Promise<Result<WorkloadSnapshot>>;
  /** A strategic merge patch of the container's memory; with dryRun the API server checks it and stores nothing. */
  patchMemory(
    namespace: string,
    kind: PatchableKind,
    name: string,
    patch: ResourcesPatch,
    dryRun: boolean,
  ): Promise<Result<WorkloadSnapshot>>;
  listPods(namespace: string, selector: Record<string, string>): Promise<Result<unknown[]>>;
}

/**
 * Where proposal records live, as text: the signed repository (repository.ts) reads and writes
 * through this. Every write is a compare-and-set, and a state change's audit entry is written with it.
 */
export interface ProposalStorage {
  /** The stored record, or null. */
  read(id: string): Promise<string | null>;
  /**
   * Stores `next` only if the stored record is still exactly `expected` (null: none yet), appending
   * `audit` (if any) in the same atomic step. False when another write came first.
   */
  swap(id: string, expected: string | null, next: string, audit: AuditEntry | null): Promise<boolean>;
  appendAudit(entry: AuditEntry): Promise<void>;
  recordBump(workloadKey: string, atMs: number, proposalId: string): Promise<void>;
  /** Changes applied to the workload in the 7 days before `nowMs`. */
  recentBumps(workloadKey: string, nowMs: number): Promise<number>;
}

export type Loaded =
  | { kind: "found"; proposal: Proposal }
  | { kind: "missing" }
  /** The record is there but its signature does not match; `claimed` is what it says, untrusted. */
  | { kind: "tampered"; claimed: Pick<Proposal, "namespace" | "workload"> | null };

export type Written =
  | { kind: "written"; proposal: Proposal }
  /** Not in a state the write expected: nothing was written. */
  | { kind: "elsewhere"; proposal: Proposal }
  | Exclude<Loaded, { kind: "found" }>;

/** The proposal records, signed and compared-and-set; what the lifecycle reads and writes. */
export interface ProposalRepository {
  create(proposal: Omit<Proposal, "id">, audit: (proposal: Proposal) => AuditEntry): Promise<Proposal>;
  load(id: string): Promise<Loaded>;
  /** Moves the proposal from one of `from` to `to` (an allowed move), with its audit entry. */
  move(
    id: string,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    change: ProposalChange,
    audit: AuditEntry,
  ): Promise<Written>;
  /** Changes fields of a proposal still in `status` (null: whatever its state), without moving it. */
  amend(
    id: string,
    status: ProposalStatus | null,
    change: ProposalChange,
    audit: AuditEntry | null,
  ): Promise<Written>;
  appendAudit(entry: AuditEntry): Promise<void>;
  recordBump(workloadKey: string, atMs: number, proposalId: string): Promise<void>;
  recentBumps(workloadKey: string, nowMs: number): Promise<number>;
}

/** Queues the lifecycle's background steps. */
export interface ProposalScheduler {
  /** Queues the step once: asking again for the same step (and rollout check) does nothing. */
  schedule(step: ProposalStep, proposalId: string, delayMs: number, check?: number): Promise<void>;
}

/** The one thing that touches the proposal's messages in Slack. Both calls may be repeated safely. */
export interface ProposalNotifier {
  /** Posts the proposal's message in its thread, or updates it; returns its ts. */
  show(proposal: Proposal): Promise<string>;
  /** Posts the verification's reply (once) for a proposal whose verification is recorded. */
  verified(proposal: Proposal): Promise<void>;
}

/** "unknown": membership could not be told now (a Slack API failure). */
export type Membership = "yes" | "no" | "unknown";

export interface ApproverDirectory {
  /** Whether limit changes may be proposed in the namespace at all. */
  enabled(namespace: string): boolean;
  isApprover(namespace: string, user: string): Promise<Membership>;
}
