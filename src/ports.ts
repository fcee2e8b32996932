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
  /** Every pod scheduled on the node, of every namespace, page by page. */
  listPodsOnNode(node: string, pageSize: number): Promise<Result<unknown[]>>;
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
}

export interface NodeJournalSource {
  fetch(target: NodeTarget, windows: JournalWindow[]): Promise<Result<NodeJournalFetch>>;
  close(): Promise<void>;
}
