// The limit-change proposal, on the Slack side: "Propose limit" opens the modal, its submission is
// checked and queued for a dry run, and "Approve and apply" / "Reject" / "Revert" decide it. Who may
// approve is checked here; the approval itself is one atomic state change, so it happens once.

import type { App, BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import { formatQuantity } from "../analysis/quantity.js";
import type { ProposalsConfig } from "../config/schema.js";
import type { Log } from "../ops/log.js";
import { PATCHABLE_KINDS, type PatchableKind } from "../ports.js";
import { checkProposal, patchCommand } from "../proposals/rules.js";
import type { ProposalQueue } from "../queue/proposals.js";
import type { BotStore, FindingRecord } from "../store/bot-store.js";
import type { AuditEvent, Proposal, ProposalStore } from "../store/proposals.js";
import type { Messages } from "./i18n/catalog.js";
import { codeBlock, inert } from "./render/escape.js";
import {
  modalErrors,
  modalValues,
  PROPOSAL_ACTIONS,
  PROPOSAL_MODAL,
  proposalMessage,
  proposalModal,
} from "./render/proposals.js";
import { ACTIONS } from "./render/report.js";

export interface ProposalDeps {
  store: BotStore;
  proposals: ProposalStore;
  queue: ProposalQueue;
  config: ProposalsConfig;
  t: Messages;
  now: () => number;
  log: Log;
}

type Client = App["client"];
type ButtonArgs = {
  ack: () => Promise<void>;
  body: BlockAction;
  action: ButtonAction;
  client: Client;
  respond: RespondFn;
};

const HOUR_MS = 3_600_000;

const isPatchable = (kind: string): kind is PatchableKind =>
  (PATCHABLE_KINDS as readonly string[]).includes(kind);

/** The namespace's approvers; null when proposals are not enabled there. */
function approversOf(config: ProposalsConfig, namespace: string): string[] | null {
  return config.approvers[namespace] ?? config.approvers["*"] ?? null;
}

/** Whether the user is listed, or is in a listed user group. */
async function mayApprove(client: Client, approvers: string[], user: string): Promise<boolean> {
  if (approvers.includes(user)) return true;
  for (const group of approvers.filter((id) => id.startsWith("S"))) {
    const members = await client.usergroups.users.list({ usergroup: group }).catch(() => null);
    if (members?.users?.includes(user)) return true;
  }
  return false;
}

async function recordAudit(
  deps: ProposalDeps,
  event: AuditEvent,
  proposal: Proposal,
  user: string,
  detail = "",
): Promise<void> {
  const entry = await deps.proposals.record(event, proposal, user, detail, deps.now());
  deps.log("info", `proposal ${event}`, { ...entry });
}

const ephemeral = (text: string) => ({ response_type: "ephemeral" as const, replace_original: false, text });

export function registerProposalActions(app: App, deps: ProposalDeps): void {
  const { t } = deps;
  const p = t.proposals;

  /** Stores a new proposal, records it, and queues its dry run and its expiry. */
  const open = async (
    fields: Pick<
      Proposal,
      | "findingId"
      | "channel"
      | "threadTs"
      | "namespace"
      | "workload"
      | "container"
      | "to"
      | "reason"
      | "proposer"
      | "revertOf"
    >,
    detail: string,
  ) => {
    const nowMs = deps.now();
    const expiryMs = deps.config.expiryHours * HOUR_MS;
    const proposal = await deps.proposals.create({
      findingId: fields.findingId,
      channel: fields.channel,
      threadTs: fields.threadTs,
      namespace: fields.namespace,
      workload: fields.workload,
      container: fields.container,
      to: fields.to,
      reason: fields.reason,
      proposer: fields.proposer,
      revertOf: fields.revertOf,
      cluster: null,
      seen: null,
      from: { limit: null, request: null },
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + expiryMs).toISOString(),
      status: "checking",
      refusal: null,
      gitOps: null,
      approver: null,
      appliedAt: null,
      messageTs: null,
    });
    await recordAudit(deps, "proposed", proposal, fields.proposer, detail);
    await deps.queue.add("dry-run", { proposalId: proposal.id });
    await deps.queue.add("expire", { proposalId: proposal.id }, expiryMs);
  };

  app.action<BlockAction<ButtonAction>>(
    ACTIONS.propose,
    async ({ ack, body, action, client, respond }: ButtonArgs) => {
      await ack();
      const finding = await deps.store.finding(action.value ?? "");
      if (!finding) {
        await respond(ephemeral(t.actions.unknownFinding));
        return;
      }
      if (!isPatchable(finding.workload.kind)) {
        await respond(ephemeral(p.notPatchable(inert(finding.workload.kind))));
        return;
      }
      if (approversOf(deps.config, finding.namespace) === null) {
        const change = { ...changeOf(finding), limit: finding.recommendedLimit ?? "?" };
        await respond(
          ephemeral(`${p.notEnabled(inert(finding.namespace))}\n${codeBlock([patchCommand(change)])}`),
        );
        return;
      }
      const current = {
        limit: finding.memoryLimitBytes === null ? null : formatQuantity(finding.memoryLimitBytes),
        request: finding.memoryRequestBytes === null ? null : formatQuantity(finding.memoryRequestBytes),
      };
      await client.views.open({ trigger_id: body.trigger_id, view: proposalModal(finding, current, t) });
    },
  );

  app.view(PROPOSAL_MODAL, async ({ ack, body, view }) => {
    const finding = await deps.store.finding(view.private_metadata);
    if (!finding || !isPatchable(finding.workload.kind)) {
      await ack({ response_action: "errors", errors: { limit: t.actions.unknownFinding } });
      return;
    }
    const nowMs = deps.now();
    const checked = checkProposal(modalValues(view.state), {
      currentLimitBytes: finding.memoryLimitBytes,
      currentRequestBytes: finding.memoryRequestBytes,
      residentBytes: finding.residentBytes,
      maxLimitBytes: deps.config.maxLimitBytes,
      nodeAllocatableBytes: finding.nodeAllocatableBytes,
      limitRangeMaxBytes: finding.limitRangeMaxBytes,
      maxStepFactor: deps.config.maxStepFactor,
      recentBumps: await deps.proposals.recentBumps(finding.workloadKey, nowMs),
      leakAfterBumps: deps.config.leakAfterBumps,
    });
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: modalErrors(checked.problems, t) });
      return;
    }
    await ack();
    await open(
      {
        findingId: finding.id,
        channel: finding.channel,
        threadTs: finding.threadTs,
        namespace: finding.namespace,
        workload: { kind: finding.workload.kind, name: finding.workload.name, uid: null },
        container: finding.container,
        to: { limit: checked.value.limit, request: checked.value.request },
        reason: checked.value.reason,
        proposer: body.user.id,
        revertOf: null,
      },
      `${checked.value.limit}: ${checked.value.reason}`,
    );
  });

  const updateMessage = async (client: Client, proposal: Proposal) => {
    if (proposal.messageTs === null) return;
    const message = proposalMessage(proposal, t);
    await client.chat.update({
      channel: proposal.channel,
      ts: proposal.messageTs,
      text: message.text,
      blocks: message.blocks,
    });
  };

  /** Loads the proposal a button names and checks it can still be decided. */
  const decidable = async (
    id: string,
    client: Client,
    respond: RespondFn,
    user: string,
  ): Promise<Proposal | null> => {
    const proposal = await deps.proposals.get(id);
    if (!proposal) {
      await respond(ephemeral(p.unknown));
      return null;
    }
    if (proposal.status === "ready" && deps.now() > Date.parse(proposal.expiresAt)) {
      // Past its time but not yet closed by the expire job: close it now.
      const expired = await deps.proposals.transition(proposal.id, ["ready"], { status: "expired" });
      if (expired) {
        await recordAudit(deps, "expired", expired, user, "approval attempted after expiry");
        await updateMessage(client, expired);
      }
      await respond(ephemeral(p.expiredNow));
      return null;
    }
    if (proposal.status !== "ready") {
      await respond(
        ephemeral(proposal.status === "expired" ? p.expiredNow : p.decided(p.statusName[proposal.status])),
      );
      return null;
    }
    return proposal;
  };

  /** A button that decides a proposal still waiting for approval. */
  const onDecision = (
    actionId: string,
    decide: (
      proposal: Proposal,
      user: string,
      isApprover: boolean,
      client: Client,
      respond: RespondFn,
    ) => Promise<void>,
  ) =>
    app.action<BlockAction<ButtonAction>>(
      actionId,
      async ({ ack, body, action, client, respond }: ButtonArgs) => {
        await ack();
        const user = body.user.id;
        const proposal = await decidable(action.value ?? "", client, respond, user);
        if (!proposal) return;
        const approvers = approversOf(deps.config, proposal.namespace) ?? [];
        await decide(proposal, user, await mayApprove(client, approvers, user), client, respond);
      },
    );

  onDecision(PROPOSAL_ACTIONS.approve, async (proposal, user, isApprover, client, respond) => {
    if (!isApprover) {
      await recordAudit(deps, "refused", proposal, user, "not an approver");
      await respond(ephemeral(p.notApprover(proposal.namespace)));
      return;
    }
    if (user === proposal.proposer && !deps.config.allowSelfApproval) {
      await recordAudit(deps, "refused", proposal, user, "self-approval");
      await respond(ephemeral(p.selfApproval));
      return;
    }
    const approved = await deps.proposals.transition(proposal.id, ["ready"], {
      status: "approved",
      approver: user,
    });
    if (!approved) {
      const now = await deps.proposals.get(proposal.id);
      await respond(ephemeral(p.decided(p.statusName[now?.status ?? "approved"])));
      return;
    }
    await recordAudit(deps, "approved", approved, user);
    await deps.queue.add("apply-limit", { proposalId: approved.id });
    await updateMessage(client, approved);
  });

  onDecision(PROPOSAL_ACTIONS.reject, async (proposal, user, isApprover, client, respond) => {
    if (user !== proposal.proposer && !isApprover) {
      await recordAudit(deps, "refused", proposal, user, "reject by someone not allowed");
      await respond(ephemeral(p.notAllowedToReject));
      return;
    }
    const rejected = await deps.proposals.transition(proposal.id, ["ready"], {
      status: "rejected",
      approver: user,
    });
    if (!rejected) return;
    await recordAudit(deps, "rejected", rejected, user);
    await updateMessage(client, rejected);
  });

  app.action<BlockAction<ButtonAction>>(
    PROPOSAL_ACTIONS.revert,
    async ({ ack, body, action, respond }: ButtonArgs) => {
      await ack();
      const applied = await deps.proposals.get(action.value ?? "");
      if (applied?.status !== "applied" || applied.from.limit === null) {
        await respond(ephemeral(applied ? p.decided(p.statusName[applied.status]) : p.unknown));
        return;
      }
      // The revert is a proposal like any other: dry run, then the same approval rules.
      await open(
        {
          ...applied,
          to: { limit: applied.from.limit, request: applied.from.request },
          reason: `revert of ${applied.to.limit}`,
          proposer: body.user.id,
          revertOf: applied.id,
        },
        `revert to ${applied.from.limit}`,
      );
    },
  );
}

function changeOf(finding: FindingRecord) {
  return {
    namespace: finding.namespace,
    kind: finding.workload.kind,
    name: finding.workload.name,
    container: finding.container,
    request: finding.recommendedRequest,
  };
}
