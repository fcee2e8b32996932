// Why a recommendation says what it says, as typed notes: the analysis decides, renderers word it.
// The English wording is here (the CLI's reports and the JSON `reasons`); the Slack catalogs word the
// same notes in their languages.

import { percent } from "./format.js";
import { formatBytes, formatQuantity } from "./quantity.js";

/** The ceilings a proposed limit is checked against. */
export type Ceiling = "configured-maximum" | "node-allocatable" | "limit-range" | "quota-room";

export type RecommendationNote =
  | { kind: "node-ran-short" }
  | { kind: "allocatable-exhausted" }
  | { kind: "request-near-usage"; requestBytes: number; usageBytes: number }
  | { kind: "guaranteed-for-critical" }
  | {
      kind: "sized-from-resident";
      residentBytes: number;
      headroomPercent: number;
      withHeadroomBytes: number;
      minStepBytes: number;
      limitBytes: number;
    }
  | {
      kind: "sized-from-cgroup";
      processes: number;
      victimResidentBytes: number | null;
      usageBytes: number;
      headroomPercent: number;
      withHeadroomBytes: number;
      minStepBytes: number;
      limitBytes: number;
    }
  | { kind: "no-kernel-figures"; minStepBytes: number }
  | { kind: "cannot-raise"; ceiling: Ceiling; ceilingBytes: number }
  | { kind: "capped"; limitBytes: number; ceiling: Ceiling; ceilingBytes: number }
  | {
      kind: "request-overcommitted";
      /** The request as the pod spec writes it. */
      request: string;
      requestBytes: number;
      limitBytes: number;
      usageBytes: number | null;
      suggestedBytes: number;
    }
  | { kind: "jvm-heap" }
  | { kind: "node-heap"; maxOldSpaceMi: number }
  | { kind: "go-memlimit"; goMemLimitMi: number; fromStackPointer: boolean }
  | { kind: "likely-leak" };

const CEILING_NAMES: Record<Ceiling, string> = {
  "configured-maximum": "the configured maximum",
  "node-allocatable": "the node's allocatable memory",
  "limit-range": "the namespace's LimitRange max",
  "quota-room": "the namespace's ResourceQuota room",
};

const ceilingText = (ceiling: Ceiling, bytes: number) =>
  `${CEILING_NAMES[ceiling]} (${formatQuantity(bytes)})`;

/** The note in English, one sentence or two. */
export function noteText(note: RecommendationNote): string {
  switch (note.kind) {
    case "node-ran-short":
      return "The node ran short, not the container: a higher limit would not help.";
    case "allocatable-exhausted":
      return "All pods on the node together reached its allocatable memory, not this container's limit: a higher limit would not help. Bring requests near real usage so the scheduler stops overcommitting the node, and check kube-reserved, system-reserved and the kubelet's eviction thresholds so that eviction comes before the kernel's kill.";
    case "request-near-usage":
      return `Set the memory request to ${formatQuantity(note.requestBytes)}, near the ${formatBytes(note.usageBytes)} the container really used, so the scheduler stops overcommitting the node.`;
    case "guaranteed-for-critical":
      return "For critical workloads set requests equal to limits (Guaranteed QoS, oom_score_adj -997) so they are killed last.";
    case "sized-from-resident":
      return `Resident memory at the kill was ${formatBytes(note.residentBytes)}; with ${note.headroomPercent}% headroom that is ${formatBytes(note.withHeadroomBytes)}, and a raise should be at least ${formatQuantity(note.minStepBytes)}: ${formatQuantity(note.limitBytes)}.`;
    case "sized-from-cgroup": {
      const victim =
        note.victimResidentBytes === null
          ? ""
          : ` (the victim's own ${formatBytes(note.victimResidentBytes)} is only part of it)`;
      const why =
        note.processes > 1
          ? `The cgroup held ${note.processes} processes, so this is sized`
          : "The kill line's figures did not survive, so this is sized";
      return `${why} from the cgroup's usage at the kill, ${formatBytes(note.usageBytes)}${victim}; with ${note.headroomPercent}% headroom that is ${formatBytes(note.withHeadroomBytes)}, and a raise should be at least ${formatQuantity(note.minStepBytes)}: ${formatQuantity(note.limitBytes)}.`;
    }
    case "no-kernel-figures":
      return `No kernel figures were available, so this is the current limit plus the minimum step of ${formatQuantity(note.minStepBytes)}: confirm with the node's journal.`;
    case "cannot-raise":
      return `It cannot be raised: ${ceilingText(note.ceiling, note.ceilingBytes)} is not above the current limit. Reduce the memory use instead.`;
    case "capped":
      return `Capped at ${formatQuantity(note.limitBytes)} by ${ceilingText(note.ceiling, note.ceilingBytes)}.`;
    case "request-overcommitted": {
      const usage =
        note.usageBytes !== null
          ? ` while the container used ${formatBytes(note.usageBytes)} at the kill`
          : "";
      return `The request (${note.request}) is ${percent(note.requestBytes, note.limitBytes)} of the ${formatQuantity(note.limitBytes)} limit: the scheduler reserves ${note.request}${usage}, so the node is overcommitted and this pod is among the first killed under node pressure. Raise the request to ${formatQuantity(note.suggestedBytes)} (half the new limit) or nearer the real usage.`;
    }
    case "jvm-heap":
      return "JVM: size the heap from the limit with -XX:MaxRAMPercentage=75 (JDK 10+, 8u191+); a fixed -Xmx near or above the limit leaves no room for metaspace, threads and direct buffers.";
    case "node-heap":
      return `Node.js: cap the V8 heap below the limit, e.g. NODE_OPTIONS=--max-old-space-size=${note.maxOldSpaceMi}.`;
    case "go-memlimit": {
      const why = note.fromStackPointer
        ? " (the process's stack pointer lies in Go's heap arena at 0xc000000000, so this is a Go program)"
        : "";
      return `Go${why}: set GOMEMLIMIT to about 90% of the limit (${note.goMemLimitMi}MiB, Go 1.19+) so the garbage collector works harder before the cgroup limit is reached.`;
    }
    case "likely-leak":
      return "The kills are regular, so a leak is likely: a higher limit only spaces them out. Take a heap profile before and after a few hours of traffic.";
  }
}
