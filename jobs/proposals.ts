// The proposals queue's processor: each job name is one lifecycle step (src/proposals/lifecycle.ts).
// A transient failure is thrown for BullMQ to retry the step; a job that can never succeed (bad data,
// a proposal unknown or tampered with, no cluster client) fails for good.

import { type Job, UnrecoverableError } from "bullmq";
import type { ProposalLifecycle } from "../src/proposals/lifecycle.js";
import type { Outcome } from "../src/proposals/model.js";
import { parseProposalJob } from "../src/queue/proposals.js";

export function proposalProcessor(lifecycle: ProposalLifecycle) {
  const steps: Record<string, (id: string, check: number) => Promise<Outcome>> = {
    "dry-run": (id) => lifecycle.dryRun(id),
    "apply-limit": (id) => lifecycle.apply(id),
    rollout: (id, check) => lifecycle.followRollout(id, check),
    verify: (id) => lifecycle.verify(id),
    expire: (id) => lifecycle.expire(id),
  };

  return async (job: Job<unknown>): Promise<void> => {
    const data = parseProposalJob(job.data);
    if (data === null) throw new UnrecoverableError("invalid job data: proposalId");
    const step = steps[job.name];
    if (step === undefined) throw new UnrecoverableError(`unknown step ${job.name}`);
    const outcome = await step(data.proposalId, data.check ?? 0);
    switch (outcome.kind) {
      case "retry":
        throw new Error(outcome.reason);
      case "unavailable":
        throw new UnrecoverableError(outcome.reason);
      case "unknown":
        throw new UnrecoverableError(`unknown proposal ${data.proposalId}`);
      case "tampered":
        throw new UnrecoverableError(
          `proposal ${data.proposalId}: the stored record's signature does not match`,
        );
      default:
        return;
    }
  };
}
