// Why a recommendation says what it says, as typed notes: the analysis decides, renderers word it.
// The English wording is here (the CLI's reports and the JSON `reasons`); the Slack catalogs word the
// same notes in their languages.

import { percent, plural } from "./format.js";
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
  | { kind: "likely-leak" }
  // From the memory history (Prometheus), next to the kernel's figures.
  | {
      kind: "sized-from-history";
      residentBytes: number | null;
      /** The working set's 99th percentile over the history's `historyDays`. */
      workingSetP99Bytes: number | null;
      historyDays: number;
      headroomPercent: number;
      withHeadroomBytes: number;
      minStepBytes: number;
      limitBytes: number;
    }
  | { kind: "request-from-history"; requestBytes: number; workingSetP90Bytes: number; historyDays: number }
  | { kind: "request-kept"; requestBytes: number; workingSetP90Bytes: number; historyDays: number }
  | {
      kind: "leak-first";
      slopeBytesPerHour: number;
      rSquared: number;
      /** The raised limit that only buys time; null when no ceiling leaves room for one. */
      stopgapLimitBytes: number | null;
      /** How much longer the stopgap lets the leak run between kills; null without a stopgap or current limit. */
      hoursGained: number | null;
    }
  | { kind: "spike-before-kill"; jumpBytes: number; windowMinutes: number }
  | { kind: "flat-at-limit"; nearLimitShare: number; withinPercent: number };

const CEILING_NAMES: Record<Ceiling, string> = {
  "configured-maximum": "the configured maximum",
  "node-allocatable": "the node's allocatable memory",
  "limit-range": "the namespace's LimitRange max",
  "quota-room": "the namespace's ResourceQuota room",
};

const ceilingText = (ceiling: Ceiling, bytes: number) =>
  `${CEILING_NAMES[ceiling]} (${formatQuantity(bytes)})`;

/** Growth as people read it: `+38.0 MiB/h`. */
export const perHour = (bytes: number) => `${bytes < 0 ? "-" : "+"}${formatBytes(Math.abs(bytes))}/h`;

function historyBasis(note: Extract<RecommendationNote, { kind: "sized-from-history" }>): string {
  const resident =
    note.residentBytes === null ? null : `resident memory at the kill was ${formatBytes(note.residentBytes)}`;
  const p99 =
    note.workingSetP99Bytes === null
      ? null
      : `the working set's 99th percentile over ${plural(note.historyDays, "day")} was ${formatBytes(note.workingSetP99Bytes)}`;
  const figures = [resident, p99].filter((part) => part !== null).join(" and ");
  const which = resident !== null && p99 !== null ? "the larger" : "that";
  return `${figures.charAt(0).toUpperCase()}${figures.slice(1)}; ${which}, with ${note.headroomPercent}% headroom, is ${formatBytes(note.withHeadroomBytes)}`;
}

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
    case "sized-from-history":
      return `${historyBasis(note)}, and a raise should be at least ${formatQuantity(note.minStepBytes)}: ${formatQuantity(note.limitBytes)}.`;
    case "request-from-history":
      return `Set the memory request to ${formatQuantity(note.requestBytes)}: the working set's 90th percentile over ${plural(note.historyDays, "day")} was ${formatBytes(note.workingSetP90Bytes)}, what the container holds on an ordinary day, so the scheduler reserves that.`;
    case "request-kept":
      return `Keep the memory request at ${formatQuantity(note.requestBytes)}, above the working set's 90th percentile over ${plural(note.historyDays, "day")} (${formatBytes(note.workingSetP90Bytes)}): a pod using less than its request is evicted last under node pressure, and a kill is no reason to lower it.`;
    case "leak-first": {
      const gained =
        note.hoursGained === null
          ? ""
          : ` that only adds about ${note.hoursGained.toFixed(1)} h between kills`;
      const stopgap =
        note.stopgapLimitBytes === null
          ? ""
          : `; ${formatQuantity(note.stopgapLimitBytes)} is a stopgap${gained}`;
      return `Memory grew steadily at ${perHour(note.slopeBytesPerHour)} (R² ${note.rSquared.toFixed(2)}) until the kill: a leak. Fix the leak first (heap profiles a few hours apart show what grows)${stopgap}.`;
    }
    case "spike-before-kill":
      return `Memory rose by ${formatBytes(note.jumpBytes)} within ${plural(note.windowMinutes, "minute")} before the kill: a spike. Size for the peak, which the kill cut short and may be higher still, and find what sets it off (a large request or batch, a cache filled at once).`;
    case "flat-at-limit":
      return `The working set stayed within ${note.withinPercent}% of the limit for ${percent(note.nearLimitShare, 1)} of the run: the container needs more than its limit on an ordinary day, so raising the limit is the fix.`;
  }
}
