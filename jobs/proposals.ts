// The proposals' worker steps. dry-run: read the workload, refuse GitOps-managed ones (unless allowed),
// ask the API server to check the patch, and post the proposal with its buttons. apply: re-read the
// workload, refuse if the container's resources changed since the dry run, patch, report the rollout.
// rollout: follow it until done. verify: was the container OOM-killed again? expire: close the
// proposal nobody decided. Every state change is audited and the proposal's one message updated.

import type { WebClient } from "@slack/web-api";
import { type Job, UnrecoverableError } from "bullmq";
import { readPods } from "../src/analysis/pod.js";
import type { ProposalsConfig } from "../src/config/schema.js";
import type { Result } from "../src/errors.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import type { WorkloadSnapshot, WorkloadWriter } from "../src/ports.js";
import { gitOpsManager } from "../src/proposals/rules.js";
import { type ProposalQueue, parseProposalJob } from "../src/queue/proposals.js";
import type { Messages } from "../src/slack/i18n/catalog.js";
import { ThreadPoster } from "../src/slack/poster.js";
import { proposalMessage, rolloutDone, verifyMessage } from "../src/slack/render/proposals.js";
import type { BotStore } from "../src/store/bot-store.js";
import type { AuditEvent, Proposal, ProposalStore } from "../src/store/proposals.js";

export interface ProposalJobDeps {
  client: WebClient;
  store: BotStore;
  proposals: ProposalStore;
  queue: ProposalQueue;
  metrics: Metrics;
  t: Messages;
  config: ProposalsConfig;
  now: () => number;
  log: Log;
  /** The cluster client for one step. */
  workloads: () => Result<WorkloadWriter>;
}

const PROPOSAL_ANNOTATION = "oom-doctor.io/proposal";
const ROLLOUT_CHECK_MS = 15_000;
const ROLLOUT_CHECKS = 40;

export function proposalProcessor(deps: ProposalJobDeps) {
  const iso = () => new Date(deps.now()).toISOString();

  const audit = async (event: AuditEvent, proposal: Proposal, user: string, detail = "") => {
    const entry = await deps.proposals.record(event, proposal, user, detail, deps.now());
    deps.log("info", `proposal ${event}`, { ...entry });
  };

  const poster = (proposal: Proposal) =>
    new ThreadPoster(
      deps.client,
      deps.store,
      deps.metrics,
      `proposal-${proposal.id}`,
      proposal.channel,
      proposal.threadTs,
    );

  /** Posts or updates the proposal's message, remembering its ts on the proposal. */
  const show = async (proposal: Proposal, workload: WorkloadSnapshot | null = null) => {
    const ts = await poster(proposal).reply("proposal", proposalMessage(proposal, deps.t, workload));
    if (proposal.messageTs !== ts) await deps.proposals.save({ ...proposal, messageTs: ts });
  };

  /** Records the state change, then shows it: once people see it, the audit trail has it. */
  const announce = async (
    proposal: Proposal,
    event: AuditEvent,
    user: string,
    detail: string,
    workload: WorkloadSnapshot | null = null,
  ) => {
    await audit(event, proposal, user, detail);
    await show(proposal, workload);
  };

  const cluster = (): WorkloadWriter => {
    const writer = deps.workloads();
    if (!writer.ok) throw new UnrecoverableError(writer.error.message);
    return writer.value;
  };

  /** A transient API failure is thrown, for BullMQ to retry the step; other results come back. */
  const settled = <T>(result: Result<T>): Result<T> => {
    if (!result.ok && (result.error.kind === "api-unreachable" || result.error.kind === "api-error"))
      throw new Error(result.error.message);
    return result;
  };

  async function dryRun(proposal: Proposal): Promise<void> {
    if (proposal.status !== "checking") return;
    const { namespace, workload } = proposal;
    const writer = cluster();
    const result = settled(await writer.read(namespace, workload.kind, workload.name));
    if (!result.ok) {
      const failed = await deps.proposals.transition(proposal.id, ["checking"], {
        status: "refused",
        refusal: result.error.message,
      });
      if (failed) {
        await announce(failed, "dry-run", "oom-doctor", result.error.message);
      }
      return;
    }
    const read = result.value;
    const container = read.containers.find((c) => c.name === proposal.container);
    const seen = { generation: read.generation, resourceVersion: read.resourceVersion };
    const from = { limit: container?.limit ?? null, request: container?.request ?? null };
    const base = { seen, from, cluster: writer.cluster, workload: { ...workload, uid: read.uid } };
    const manager = gitOpsManager(read.labels, read.annotations);
    if (manager !== null && !deps.config.patchGitOpsManaged) {
      const handed = await deps.proposals.transition(proposal.id, ["checking"], {
        ...base,
        status: "gitops",
        gitOps: manager,
      });
      if (handed) {
        await announce(handed, "dry-run", "oom-doctor", `managed by ${manager}`);
      }
      return;
    }
    const checked = settled(
      await writer.patchMemory(namespace, workload.kind, workload.name, patchOf(proposal), true),
    );
    const refusal = checked.ok ? null : checked.error.message;
    const next = await deps.proposals.transition(proposal.id, ["checking"], {
      ...base,
      status: refusal === null ? "ready" : "refused",
      refusal,
    });
    if (!next) return;
    await announce(next, "dry-run", "oom-doctor", refusal ?? "accepted");
  }

  function patchOf(proposal: Proposal) {
    return {
      container: proposal.container,
      limit: proposal.to.limit,
      request: proposal.to.request,
      annotations: {
        [PROPOSAL_ANNOTATION]: proposal.id,
        "oom-doctor.io/approved-by": proposal.approver ?? "",
        "oom-doctor.io/proposed-by": proposal.proposer,
      },
    };
  }

  async function apply(proposal: Proposal): Promise<void> {
    if (proposal.status !== "approved") return;
    const { namespace, workload } = proposal;
    const read = settled(await cluster().read(namespace, workload.kind, workload.name));
    // The patch carries the proposal's id: finding it means an earlier attempt patched and then died
    // (a killed worker), so this one only finishes the record. Patching again could undo a change
    // made since, and the resources no longer match `from` anyway.
    const patchedBefore = read.ok && read.value.annotations[PROPOSAL_ANNOTATION] === proposal.id;
    const container = read.ok ? read.value.containers.find((c) => c.name === proposal.container) : undefined;
    // The dry run saw `from`; someone else's change since then makes this proposal out of date.
    if (
      !patchedBefore &&
      (!container || container.limit !== proposal.from.limit || container.request !== proposal.from.request)
    ) {
      const stale = await deps.proposals.transition(proposal.id, ["approved"], { status: "stale" });
      if (stale) await announce(stale, "failed", "oom-doctor", "resources changed since the proposal");
      return;
    }
    const patched = patchedBefore
      ? read
      : settled(
          await cluster().patchMemory(namespace, workload.kind, workload.name, patchOf(proposal), false),
        );
    if (!patched.ok) {
      const failed = await deps.proposals.transition(proposal.id, ["approved"], {
        status: "failed",
        refusal: patched.error.message,
      });
      if (failed) await announce(failed, "failed", proposal.approver ?? "", patched.error.message);
      return;
    }
    const applied = await deps.proposals.transition(proposal.id, ["approved"], {
      status: "applied",
      appliedAt: iso(),
    });
    if (!applied) return;
    await deps.proposals.recordBump(`${namespace}/${workload.kind}/${workload.name}`, deps.now(), applied.id);
    const event = applied.revertOf ? "reverted" : "applied";
    await announce(applied, event, applied.approver ?? "", applied.to.limit, patched.value);
    if (!rolloutDone(patched.value))
      await deps.queue.add("rollout", { proposalId: applied.id, check: 1 }, ROLLOUT_CHECK_MS);
    await deps.queue.add("verify", { proposalId: applied.id }, deps.config.verifyAfterMinutes * 60_000);
  }

  async function rollout(proposal: Proposal, check: number): Promise<void> {
    const read = settled(
      await cluster().read(proposal.namespace, proposal.workload.kind, proposal.workload.name),
    );
    if (!read.ok) return;
    await show(proposal, read.value);
    if (!rolloutDone(read.value) && check < ROLLOUT_CHECKS)
      await deps.queue.add("rollout", { proposalId: proposal.id, check: check + 1 }, ROLLOUT_CHECK_MS);
  }

  async function verify(proposal: Proposal): Promise<void> {
    if (proposal.status !== "applied" || proposal.appliedAt === null) return;
    const writer = cluster();
    const read = settled(
      await writer.read(proposal.namespace, proposal.workload.kind, proposal.workload.name),
    );
    if (!read.ok) return;
    const pods = settled(await writer.listPods(proposal.namespace, read.value.selector));
    if (!pods.ok) return;
    const parsed = readPods(pods.value);
    const since = Date.parse(proposal.appliedAt);
    const kills = (parsed.ok ? parsed.cases : [])
      .filter((c) => c.container === proposal.container && c.lastTermination?.reason === "OOMKilled")
      .map((c) => c.lastTermination?.finishedAt ?? "")
      .filter((at) => Date.parse(at) > since)
      .sort();
    const recurredAt = kills.at(-1) ?? null;
    await audit(
      "verified",
      proposal,
      "oom-doctor",
      recurredAt === null ? "no OOM kill since" : `OOM-killed again at ${recurredAt}`,
    );
    await poster(proposal).reply("verify", verifyMessage(proposal, recurredAt, deps.t));
  }

  async function expire(proposal: Proposal): Promise<void> {
    const expired = await deps.proposals.transition(proposal.id, ["checking", "ready"], {
      status: "expired",
    });
    if (!expired) return;
    await announce(expired, "expired", "oom-doctor", "");
  }

  return async (job: Job<unknown>): Promise<void> => {
    const data = parseProposalJob(job.data);
    if (data === null) throw new UnrecoverableError("invalid job data: proposalId");
    const proposal = await deps.proposals.get(data.proposalId);
    if (proposal === null) throw new UnrecoverableError(`unknown proposal ${data.proposalId}`);
    switch (job.name) {
      case "dry-run":
        return dryRun(proposal);
      case "apply-limit":
        return apply(proposal);
      case "rollout":
        return rollout(proposal, data.check ?? 0);
      case "verify":
        return verify(proposal);
      case "expire":
        return expire(proposal);
      default:
        throw new UnrecoverableError(`unknown step ${job.name}`);
    }
  };
}
