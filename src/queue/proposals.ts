// The proposals queue: one job name per step of a limit change. Job ids are derived from the
// proposal, so a step is queued once however many clicks ask for it.

import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { producerQueue } from "./connection.js";

export const PROPOSALS_QUEUE = "proposals";

export type ProposalStep = "dry-run" | "apply-limit" | "rollout" | "verify" | "expire";

export interface ProposalJobData {
  proposalId: string;
  /** For rollout checks: how many were made before. */
  check?: number;
}

const PROPOSAL_ID = /^[0-9a-f]{24}$/;

export function parseProposalJob(data: unknown): ProposalJobData | null {
  const value = (data ?? {}) as Record<string, unknown>;
  if (typeof value.proposalId !== "string" || !PROPOSAL_ID.test(value.proposalId)) return null;
  const check = typeof value.check === "number" ? value.check : 0;
  return { proposalId: value.proposalId, check };
}

export class ProposalQueue {
  readonly queue: Queue<ProposalJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = producerQueue<ProposalJobData>(PROPOSALS_QUEUE, connection, prefix);
  }

  async add(step: ProposalStep, data: ProposalJobData, delayMs = 0): Promise<void> {
    const suffix = step === "rollout" ? `-${data.check ?? 0}` : "";
    await this.queue.add(step, data, {
      jobId: `${step}-${data.proposalId}${suffix}`,
      delay: delayMs,
      attempts: 3,
      backoff: { type: "exponential", delay: 5000 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
