// What the investigation needs from the outside world, as small interfaces. The Kubernetes and SSH
// adapters implement them; tests may too. Nothing here knows a client library.

import type { OwnerRef } from "./analysis/owner.js";
import type { JournalWindow } from "./analysis/windows.js";
import type { Result } from "./errors.js";

export interface NodeInfo {
  name: string;
  addresses: Array<{ type: string; address: string }>;
  allocatableMemoryBytes: number | null;
  kernelVersion: string | null;
  containerRuntime: string | null;
  osImage: string | null;
}

export type { OwnerRef } from "./analysis/owner.js";

export interface LimitCapsInfo {
  /** The LimitRange's max memory for a container. */
  limitRangeMaxBytes: number | null;
  /** ResourceQuota `limits.memory` still free in the namespace. */
  quotaRoomBytes: number | null;
}

export interface ClusterReader {
  /** Every pod of the namespace as the API returns it, page by page. */
  listPods(namespace: string, pageSize: number): Promise<Result<unknown[]>>;
  /**
   * Every pod of the namespace (of the cluster when null), page by page, handed to `onPage` as the API
   * returns it so that large clusters are never held in memory at once; resolves with the count.
   */
  eachPodPage(
    namespace: string | null,
    pageSize: number,
    onPage: (pods: unknown[]) => void,
  ): Promise<Result<number>>;
  /** Whether the namespace exists; null when that cannot be told (no permission to read namespaces). */
  namespaceExists(namespace: string): Promise<boolean | null>;
  readNode(name: string): Promise<Result<NodeInfo>>;
  /** The controller owning an object (a ReplicaSet's Deployment, a Job's CronJob), or null. */
  readOwner(namespace: string, owner: OwnerRef): Promise<Result<OwnerRef | null>>;
  /** Events about the namespace's pods, as the API returns them. */
  listEvents(namespace: string): Promise<Result<unknown[]>>;
  limitCaps(namespace: string): Promise<Result<LimitCapsInfo>>;
}

export interface FetchedWindow {
  window: JournalWindow;
  /** `journalctl -o json` lines. */
  bytes: Uint8Array;
  /** Cut by the byte cap or the time limit: later entries of the window are missing. */
  truncated: boolean;
}

export interface NodeJournalFetch {
  windows: FetchedWindow[];
  /** When no window held a kernel line: the journal's oldest entry, to tell rotation from quiet. */
  oldestEntryMs: number | null;
}

export interface NodeTarget {
  node: string;
  host: string;
  port: number;
  journalCommand: string;
}

export interface NodeJournalSource {
  fetch(target: NodeTarget, windows: JournalWindow[]): Promise<Result<NodeJournalFetch>>;
  close(): Promise<void>;
}

/** The workload kinds whose pod template oom-doctor can patch. */
export const PATCHABLE_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;
export type PatchableKind = (typeof PATCHABLE_KINDS)[number];

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
