// What to change, with reasons: a new limit sized from the kernel's evidence, a request that stops
// overcommitting the node, and the runtime's own memory knob when the runtime is recognisable.

import type { Diagnosis } from "./diagnose.js";
import type { OomEvent } from "./oom-event.js";
import type { ContainerCase } from "./pod.js";
import { formatQuantity } from "./quantity.js";
import { type Ceiling, noteText, type RecommendationNote } from "./recommendation-notes.js";

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
  /** Why, as typed notes (for renderers in other languages). */
  notes: RecommendationNote[];
  /** Why, in English: the notes worded. */
  reasons: string[];
}

/** Rounds up to a step a person would choose: 64Mi under 512Mi, 256Mi under 2Gi, 512Mi under 8Gi, then 1Gi. */
export function roundUpHuman(bytes: number): number {
  const step = bytes <= 512 * MI ? 64 * MI : bytes <= 2 * GI ? 256 * MI : bytes <= 8 * GI ? 512 * MI : GI;
  return Math.ceil(bytes / step) * step;
}

/** The wanted limit, brought down to the lowest ceiling it exceeds, and which one that was. */
export function capLimit(
  wanted: number,
  maxLimitBytes: number | null,
  caps: LimitCaps,
): { bytes: number; cappedBy: { ceiling: Ceiling; ceilingBytes: number } | null } {
  const ceilings: Array<[Ceiling, number | null | undefined]> = [
    ["configured-maximum", maxLimitBytes],
    ["node-allocatable", caps.nodeAllocatableBytes],
    ["limit-range", caps.limitRangeMaxBytes],
    ["quota-room", caps.quotaRoomBytes],
  ];
  let bytes = wanted;
  let cappedBy: { ceiling: Ceiling; ceilingBytes: number } | null = null;
  for (const [ceiling, ceilingBytes] of ceilings) {
    if (ceilingBytes != null && ceilingBytes < bytes) {
      bytes = ceilingBytes;
      cappedBy = { ceiling, ceilingBytes };
    }
  }
  return { bytes, cappedBy };
}

function runtimeHint(
  container: ContainerCase,
  event: OomEvent | null,
  limitBytes: number,
): RecommendationNote | null {
  const comm = event?.victim?.comm ?? "";
  const haystack = `${container.image ?? ""} ${container.commandLine} ${comm}`.toLowerCase();
  const env = new Set(container.envNames);
  const limitMi = Math.floor(limitBytes / MI);
  if (
    /\bjava\b|jre|jdk|openjdk|temurin|corretto/.test(haystack) ||
    env.has("JAVA_OPTS") ||
    env.has("JAVA_TOOL_OPTIONS")
  ) {
    return { kind: "jvm-heap" };
  }
  if (/\bnode\b|nodejs/.test(haystack) || env.has("NODE_OPTIONS")) {
    return { kind: "node-heap", maxOldSpaceMi: Math.floor(limitMi * 0.75) };
  }
  if (env.has("GOMEMLIMIT") || /golang|\bgo\b/.test(haystack) || event?.invokerStackInGoHeap) {
    return {
      kind: "go-memlimit",
      goMemLimitMi: Math.floor(limitMi * 0.9),
      fromStackPointer: event?.invokerStackInGoHeap === true,
    };
  }
  return null;
}

function requestAdvice(
  container: ContainerCase,
  newLimitBytes: number,
  resident: number | null,
  policy: RecommendationPolicy,
): { bytes: number | null; note: RecommendationNote | null } {
  const request = container.memoryRequestBytes;
  const limit = container.memoryLimitBytes ?? newLimitBytes;
  if (request === null || request >= limit * policy.overcommitRequestFraction)
    return { bytes: null, note: null };
  const suggested = roundUpHuman(Math.max(request, newLimitBytes / 2));
  return {
    bytes: suggested,
    note: {
      kind: "request-overcommitted",
      request: container.memoryRequest ?? formatQuantity(request),
      requestBytes: request,
      limitBytes: limit,
      usageBytes: resident,
      suggestedBytes: suggested,
    },
  };
}

/**
 * How many processes the limited cgroup charged, from the task table (the pod's pause container, at
 * oom_score_adj -998, holds next to nothing and is not counted).
 */
function processesCharged(event: OomEvent | null): number {
  if (event === null || event.scope !== "memcg") return 0;
  return event.tasks.filter((row) => row.oomScoreAdj !== -998).length;
}

function withReasons(
  recommendation: Omit<Recommendation, "reasons" | "notes">,
  notes: RecommendationNote[],
): Recommendation {
  return { ...recommendation, notes, reasons: notes.map(noteText) };
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
  const notes: RecommendationNote[] = [];
  const leak: RecommendationNote | null = diagnosis.regularKills ? { kind: "likely-leak" } : null;

  switch (diagnosis.verdict) {
    case "killed-not-oom":
      return null;
    case "node-pressure":
    case "node-allocatable":
    case "evicted": {
      const usage = diagnosis.verdict === "evicted" ? (container.eviction?.usageBytes ?? null) : resident;
      const request = container.memoryRequestBytes;
      const wanted = usage !== null && (request === null || request < usage) ? roundUpHuman(usage) : null;
      notes.push({
        kind: diagnosis.verdict === "node-allocatable" ? "allocatable-exhausted" : "node-ran-short",
      });
      if (wanted !== null)
        notes.push({ kind: "request-near-usage", requestBytes: wanted, usageBytes: usage ?? 0 });
      notes.push({ kind: "guaranteed-for-critical" });
      return withReasons(
        {
          memoryLimit: null,
          memoryLimitBytes: null,
          memoryRequest: wanted === null ? null : formatQuantity(wanted),
          memoryRequestBytes: wanted,
        },
        notes,
      );
    }
    default:
      break;
  }

  // The limit was hit (or the container was OOMKilled with no report left): raise it. With several
  // processes in the cgroup, the victim's own resident memory is only part of what was charged.
  const processes = processesCharged(event);
  const usage = event?.memcg?.usageBytes ?? null;
  const fromCgroup = usage !== null && (processes > 1 || resident === null);
  const basis = fromCgroup ? usage : (resident ?? current);
  if (basis === null) return null;
  const fromEvidence = basis * (1 + policy.headroomFraction);
  const fromStep = (current ?? 0) + policy.minStepBytes;
  const wanted = roundUpHuman(Math.max(fromEvidence, fromStep));
  const { bytes, cappedBy } = capLimit(wanted, policy.maxLimitBytes, caps);
  const sizing = {
    headroomPercent: Math.round(policy.headroomFraction * 100),
    withHeadroomBytes: Math.round(fromEvidence),
    minStepBytes: policy.minStepBytes,
    limitBytes: wanted,
  };
  notes.push(
    fromCgroup && usage !== null
      ? { kind: "sized-from-cgroup", processes, victimResidentBytes: resident, usageBytes: usage, ...sizing }
      : resident !== null
        ? { kind: "sized-from-resident", residentBytes: resident, ...sizing }
        : { kind: "no-kernel-figures", minStepBytes: policy.minStepBytes },
  );
  if (cappedBy !== null) {
    if (current !== null && bytes <= current) {
      notes.push({ kind: "cannot-raise", ...cappedBy });
      if (leak) notes.push(leak);
      return withReasons(
        { memoryLimit: null, memoryLimitBytes: null, memoryRequest: null, memoryRequestBytes: null },
        notes,
      );
    }
    notes.push({ kind: "capped", limitBytes: bytes, ...cappedBy });
  }
  const request = requestAdvice(container, bytes, resident, policy);
  if (request.note) notes.push(request.note);
  const hint = runtimeHint(container, event, bytes);
  if (hint) notes.push(hint);
  if (leak) notes.push(leak);
  return withReasons(
    {
      memoryLimit: formatQuantity(bytes),
      memoryLimitBytes: bytes,
      memoryRequest: request.bytes === null ? null : formatQuantity(request.bytes),
      memoryRequestBytes: request.bytes,
    },
    notes,
  );
}
