// The proposals queue: one job name per step of a limit change. Job ids are derived from the
// proposal, so a step is queued once however many clicks, retries or resumed steps ask for it.

import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { isProposalId, type ProposalStep } from "../proposals/model.js";
import type { ProposalScheduler } from "../proposals/ports.js";
import { producerQueue } from "./connection.js";

export const PROPOSALS_QUEUE = "proposals";

export interface ProposalJobData {
  proposalId: string;
  /** For rollout checks: which check this is. */
  check?: number;
}

export function parseProposalJob(data: unknown): ProposalJobData | null {
  const value = (data ?? {}) as Record<string, unknown>;
  if (typeof value.proposalId !== "string" || !isProposalId(value.proposalId)) return null;
  const check = typeof value.check === "number" ? value.check : 0;
  return { proposalId: value.proposalId, check };
}

export class ProposalQueue implements ProposalScheduler {
  readonly queue: Queue<ProposalJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = producerQueue<ProposalJobData>(PROPOSALS_QUEUE, connection, prefix);
  }

  async schedule(step: ProposalStep, proposalId: string, delayMs: number, check?: number): Promise<void> {
    const suffix = step === "rollout" ? `-${check ?? 0}` : "";
    const job = await this.queue.add(step, check === undefined ? { proposalId } : { proposalId, check }, {
      jobId: `${step}-${proposalId}${suffix}`,
      delay: delayMs,
      attempts: 3,
      backoff: { type: "exponential", delay: 5000 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    });
    // A step that failed for good is kept (under its id) for the record: asking for it again, as a
    // resumed step does, runs it again rather than nothing.
    if ((await job.getState()) === "failed") await job.retry();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
