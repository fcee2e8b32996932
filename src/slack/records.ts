// The records behind the bot's buttons and history: what a finding, a run and a snooze hold. The store
// keeps them in Redis; handlers and renderers read them without knowing where they live.

import type { RecommendationNote } from "../analysis/recommendation-notes.js";

export interface FindingRecord {
  id: string;
  channel: string;
  threadTs: string;
  namespace: string;
  workload: { kind: string; name: string };
  /** namespace/kind/name, the key snoozes use. */
  workloadKey: string;
  pod: string;
  container: string;
  node: string | null;
  /** The container's resources when the finding was made. */
  memoryLimitBytes: number | null;
  memoryRequestBytes: number | null;
  /** Resident memory of the victim at the kill: a new limit must not be below it. */
  residentBytes: number | null;
  nodeAllocatableBytes: number | null;
  limitRangeMaxBytes: number | null;
  recommendedLimit: string | null;
  recommendedRequest: string | null;
  /** Why that recommendation, as the analysis' typed notes. */
  recommendationNotes: RecommendationNote[];
  kernelReport: string[];
}

export interface RunRecord {
  namespace: string;
  channel: string;
  outcome: "completed" | "failed";
  finishedAt: string;
}

export interface Snooze {
  until: string;
  by: string;
}
