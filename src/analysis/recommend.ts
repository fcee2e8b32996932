// What to change, with reasons: a new limit sized from the kernel's evidence, a request that stops
// overcommitting the node, and the runtime's own memory knob when the runtime is recognisable.

import type { Diagnosis } from "./diagnose.js";
import { percent } from "./format.js";
import type { OomEvent } from "./oom-event.js";
import type { ContainerCase } from "./pod.js";
import { formatBytes, formatQuantity } from "./quantity.js";

const MI = 2 ** 20;
const GI = 2 ** 30;

export interface RecommendationPolicy {
  /** Headroom above the resident memory seen at the kill. */
  headroomFraction: number;
  /** The smallest raise worth proposing. */
  minStepBytes: number;
  /** A request below this fraction of the limit is flagged as overcommit. */
  overcommitRequestFraction: number;
  /** The configured ceiling for any proposal. */
  maxLimitBytes: number | null;
}

export const DEFAULT_POLICY: RecommendationPolicy = {
  headroomFraction: 0.25,
  minStepBytes: 256 * MI,
  overcommitRequestFraction: 0.5,
  maxLimitBytes: 64 * GI,
};

/** Ceilings known from the cluster; absent ones are not checked. */
export interface LimitCaps {
  nodeAllocatableBytes?: number | null;
  limitRangeMaxBytes?: number | null;
  quotaRoomBytes?: number | null;
}

export interface Recommendation {
  memoryLimit: string | null;
  memoryLimitBytes: number | null;
  memoryRequest: string | null;
  memoryRequestBytes: number | null;
  reasons: string[];
}

/** Rounds up to a step a person would choose: 64Mi under 512Mi, 256Mi under 2Gi, 512Mi under 8Gi, then 1Gi. */
export function roundUpHuman(bytes: number): number {
  const step = bytes <= 512 * MI ? 64 * MI : bytes <= 2 * GI ? 256 * MI : bytes <= 8 * GI ? 512 * MI : GI;
  return Math.ceil(bytes / step) * step;
}

function capLimit(
  wanted: number,
  policy: RecommendationPolicy,
  caps: LimitCaps,
): { bytes: number; cappedBy: string | null } {
  const ceilings: Array<[string, number | null | undefined]> = [
    ["the configured maximum", policy.maxLimitBytes],
    ["the node's allocatable memory", caps.nodeAllocatableBytes],
    ["the namespace's LimitRange max", caps.limitRangeMaxBytes],
    ["the namespace's ResourceQuota room", caps.quotaRoomBytes],
  ];
  let bytes = wanted;
  let cappedBy: string | null = null;
  for (const [name, ceiling] of ceilings) {
    if (ceiling != null && ceiling < bytes) {
      bytes = ceiling;
      cappedBy = `${name} (${formatQuantity(ceiling)})`;
    }
  }
  return { bytes, cappedBy };
}

function runtimeHint(container: ContainerCase, event: OomEvent | null, limitBytes: number): string | null {
  const comm = event?.victim?.comm ?? "";
  const haystack = `${container.image ?? ""} ${container.commandLine} ${comm}`.toLowerCase();
  const env = new Set(container.envNames);
  const limitMi = Math.floor(limitBytes / MI);
  if (
    /\bjava\b|jre|jdk|openjdk|temurin|corretto/.test(haystack) ||
    env.has("JAVA_OPTS") ||
    env.has("JAVA_TOOL_OPTIONS")
  ) {
    return "JVM: size the heap from the limit with -XX:MaxRAMPercentage=75 (JDK 10+, 8u191+); a fixed -Xmx near or above the limit leaves no room for metaspace, threads and direct buffers.";
  }
  if (/\bnode\b|nodejs/.test(haystack) || env.has("NODE_OPTIONS")) {
    return `Node.js: cap the V8 heap below the limit, e.g. NODE_OPTIONS=--max-old-space-size=${Math.floor(limitMi * 0.75)}.`;
  }
  if (env.has("GOMEMLIMIT") || /golang|\bgo\b/.test(haystack) || event?.invokerStackInGoHeap) {
    const why = event?.invokerStackInGoHeap
      ? " (the process's stack pointer lies in Go's heap arena at 0xc000000000, so this is a Go program)"
      : "";
    return `Go${why}: set GOMEMLIMIT to about 90% of the limit (${Math.floor(limitMi * 0.9)}MiB, Go 1.19+) so the garbage collector works harder before the cgroup limit is reached.`;
  }
  return null;
}

function requestAdvice(
  container: ContainerCase,
  newLimitBytes: number,
  resident: number | null,
  policy: RecommendationPolicy,
): { bytes: number | null; reason: string | null } {
  const request = container.memoryRequestBytes;
  const limit = container.memoryLimitBytes ?? newLimitBytes;
  if (request === null || request >= limit * policy.overcommitRequestFraction)
    return { bytes: null, reason: null };
  const suggested = roundUpHuman(Math.max(request, newLimitBytes / 2));
  const usage = resident !== null ? ` while the container used ${formatBytes(resident)} at the kill` : "";
  return {
    bytes: suggested,
    reason: `The request (${container.memoryRequest}) is ${percent(request, limit)} of the ${formatQuantity(limit)} limit: the scheduler reserves ${container.memoryRequest}${usage}, so the node is overcommitted and this pod is among the first killed under node pressure. Raise the request to ${formatQuantity(suggested)} (half the new limit) or nearer the real usage.`,
  };
}

export function recommend(
  container: ContainerCase,
  diagnosis: Diagnosis,
  event: OomEvent | null,
  policy: RecommendationPolicy = DEFAULT_POLICY,
  caps: LimitCaps = {},
): Recommendation | null {
  const current = container.memoryLimitBytes;
  const resident = diagnosis.residentBytes;
  const reasons: string[] = [];
  const leak = diagnosis.regularKills
    ? "The kills are regular, so a leak is likely: a higher limit only spaces them out. Take a heap profile before and after a few hours of traffic."
    : null;

  switch (diagnosis.verdict) {
    case "killed-not-oom":
      return null;
    case "node-pressure":
    case "evicted": {
      const usage = diagnosis.verdict === "evicted" ? (container.eviction?.usageBytes ?? null) : resident;
      const request = container.memoryRequestBytes;
      const wanted = usage !== null && (request === null || request < usage) ? roundUpHuman(usage) : null;
      reasons.push("The node ran short, not the container: a higher limit would not help.");
      if (wanted !== null) {
        reasons.push(
          `Set the memory request to ${formatQuantity(wanted)}, near the ${formatBytes(usage ?? 0)} the container really used, so the scheduler stops overcommitting the node.`,
        );
      }
      reasons.push(
        "For critical workloads set requests equal to limits (Guaranteed QoS, oom_score_adj -997) so they are killed last.",
      );
      return {
        memoryLimit: null,
        memoryLimitBytes: null,
        memoryRequest: wanted === null ? null : formatQuantity(wanted),
        memoryRequestBytes: wanted,
        reasons,
      };
    }
    default:
      break;
  }

  // The limit was hit (or the container was OOMKilled with no report left): raise it.
  const basis = resident ?? event?.memcg?.usageBytes ?? current;
  if (basis === null) return null;
  const fromEvidence = basis * (1 + policy.headroomFraction);
  const fromStep = (current ?? 0) + policy.minStepBytes;
  const wanted = roundUpHuman(Math.max(fromEvidence, fromStep));
  const { bytes, cappedBy } = capLimit(wanted, policy, caps);
  if (resident !== null) {
    reasons.push(
      `Resident memory at the kill was ${formatBytes(resident)}; with ${Math.round(policy.headroomFraction * 100)}% headroom that is ${formatBytes(fromEvidence)}, and a raise should be at least ${formatQuantity(policy.minStepBytes)}: ${formatQuantity(wanted)}.`,
    );
  } else {
    reasons.push(
      `No kernel figures were available, so this is the current limit plus the minimum step of ${formatQuantity(policy.minStepBytes)}: confirm with the node's journal.`,
    );
  }
  if (cappedBy !== null) {
    if (current !== null && bytes <= current) {
      reasons.push(
        `It cannot be raised: ${cappedBy} is not above the current limit. Reduce the memory use instead.`,
      );
      if (leak) reasons.push(leak);
      return {
        memoryLimit: null,
        memoryLimitBytes: null,
        memoryRequest: null,
        memoryRequestBytes: null,
        reasons,
      };
    }
    reasons.push(`Capped at ${formatQuantity(bytes)} by ${cappedBy}.`);
  }
  const request = requestAdvice(container, bytes, resident, policy);
  if (request.reason) reasons.push(request.reason);
  const hint = runtimeHint(container, event, bytes);
  if (hint) reasons.push(hint);
  if (leak) reasons.push(leak);
  return {
    memoryLimit: formatQuantity(bytes),
    memoryLimitBytes: bytes,
    memoryRequest: request.bytes === null ? null : formatQuantity(request.bytes),
    memoryRequestBytes: request.bytes,
    reasons,
  };
}
