// Proposals as Slack views and messages: the modal, the proposal message in each of its states, the
// verification after a change, and the audit trail. Pure.

import {
  type AuditEntry,
  type Outcome,
  type Proposal,
  type Refusal,
  rolloutDone,
} from "../../proposals/model.js";
import type { ProposalField, ProposalProblem } from "../../proposals/rules.js";
import { manifestSnippet, patchCommand } from "../../proposals/rules.js";
import type { Messages } from "../i18n/catalog.js";
import type { FindingRecord } from "../records.js";
import { type Block, button, context, fitMessage, type SlackMessage, section } from "./blocks.js";
import { codeBlock, inert } from "./escape.js";
import { utcText } from "./report.js";

export const PROPOSAL_ACTIONS = {
  approve: "approve_proposal",
  reject: "reject_proposal",
  revert: "revert_change",
} as const;

export const PROPOSAL_MODAL = "propose_limit_modal";

/** The input blocks' ids: the modal's errors are keyed by them. */
export const FIELD_BLOCKS: Record<ProposalField, string> = {
  limit: "limit",
  request: "request",
  reason: "reason",
};
const VALUE_ACTION = "value";

function input(
  blockId: string,
  label: string,
  initial: string | null,
  options: { optional?: boolean; multiline?: boolean; placeholder?: string; hint?: string } = {},
) {
  return {
    type: "input",
    block_id: blockId,
    optional: options.optional ?? false,
    label: { type: "plain_text", text: label },
    ...(options.hint ? { hint: { type: "plain_text", text: options.hint } } : {}),
    element: {
      type: "plain_text_input",
      action_id: VALUE_ACTION,
      multiline: options.multiline ?? false,
      ...(initial ? { initial_value: initial } : {}),
      ...(options.placeholder ? { placeholder: { type: "plain_text", text: options.placeholder } } : {}),
    },
  };
}

const shown = (value: string | null, t: Messages) => value ?? t.proposals.unset;

export function proposalModal(
  finding: FindingRecord,
  current: { limit: string | null; request: string | null },
  t: Messages,
) {
  const p = t.proposals;
  const workload = inert(`${finding.workload.kind} ${finding.workload.name}`);
  return {
    type: "modal" as const,
    callback_id: PROPOSAL_MODAL,
    private_metadata: finding.id,
    title: { type: "plain_text" as const, text: p.modalTitle },
    submit: { type: "plain_text" as const, text: p.submit },
    close: { type: "plain_text" as const, text: p.cancel },
    blocks: [
      section(
        p.intro(workload, inert(finding.container), shown(current.limit, t), shown(current.request, t)),
      ),
      ...(finding.recommendedLimit
        ? [
            context(p.suggested(finding.recommendedLimit, shown(finding.recommendedRequest, t))),
            ...finding.recommendationNotes.slice(0, 2).map((note) => context(t.reason(note))),
          ]
        : []),
      input(FIELD_BLOCKS.limit, p.limitLabel, finding.recommendedLimit),
      input(FIELD_BLOCKS.request, p.requestLabel, finding.recommendedRequest, {
        optional: true,
        hint: p.requestHint,
      }),
      input(FIELD_BLOCKS.reason, p.reasonLabel, null, { multiline: true, placeholder: p.reasonPlaceholder }),
    ],
  };
}

/** The values typed into the modal, from a view_submission's state. */
export function modalValues(state: unknown): { limit: string; request: string; reason: string } {
  const values =
    ((state ?? {}) as { values?: Record<string, Record<string, { value?: string | null }>> }).values ?? {};
  const value = (block: string) => values[block]?.[VALUE_ACTION]?.value ?? "";
  return {
    limit: value(FIELD_BLOCKS.limit),
    request: value(FIELD_BLOCKS.request),
    reason: value(FIELD_BLOCKS.reason),
  };
}

/** The modal's `response_action: errors` map: one message per field, the first problem of each. */
export function modalErrors(problems: ProposalProblem[], t: Messages): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) errors[FIELD_BLOCKS[problem.field]] ??= t.proposals.problem(problem);
  return errors;
}

/** A refusal as Slack may show it: the API server's words and every name or typed value made inert. */
function inertRefusal(refusal: Refusal): Refusal {
  switch (refusal.kind) {
    case "api":
      return { ...refusal, message: inert(refusal.message) };
    case "container-missing":
      return { ...refusal, container: inert(refusal.container) };
    case "approver-not-allowed":
      return { ...refusal, approver: inert(refusal.approver) };
    case "rule":
      return refusal.problem.kind === "not-a-quantity"
        ? { ...refusal, problem: { ...refusal.problem, value: inert(refusal.problem.value) } }
        : refusal;
    default:
      return refusal;
  }
}

function statusBlocks(proposal: Proposal, t: Messages): Block[] {
  const p = t.proposals;
  const line = p.statusLine[proposal.status];
  const change = {
    namespace: proposal.namespace,
    kind: proposal.workload.kind,
    name: proposal.workload.name,
    container: proposal.container,
    limit: proposal.to.limit,
    request: proposal.to.request,
  };
  switch (proposal.status) {
    case "refused":
    case "failed":
      return [section(`${line}\n> ${proposal.refusal ? p.refusal(inertRefusal(proposal.refusal)) : ""}`)];
    case "gitops":
      return [
        section(`${line} ${p.gitOpsAdvice(inert(proposal.gitOps ?? "GitOps"))}`),
        section(codeBlock([manifestSnippet(change)])),
        section(codeBlock([patchCommand(change)])),
      ];
    case "approved":
    case "applied":
    case "rejected":
      return [section(`${line} <@${proposal.approver ?? "?"}>`)];
    default:
      return [section(line)];
  }
}

/** The proposal's message in the thread; its buttons go once it is decided. */
export function proposalMessage(proposal: Proposal, t: Messages): SlackMessage {
  const p = t.proposals;
  const name = inert(`${proposal.workload.kind} ${proposal.workload.name}`);
  const changes = [
    p.limitsLine(shown(proposal.from.limit, t), proposal.to.limit),
    ...(proposal.to.request === null
      ? []
      : [p.requestLine(shown(proposal.from.request, t), proposal.to.request)]),
  ];
  const blocks: Block[] = [
    section(
      `${p.header(proposal.proposer, name, inert(proposal.container))}\n${changes.map((c) => `• ${c}`).join("\n")}`,
    ),
    context(p.reason(inert(proposal.reason)), ...(proposal.revertOf ? [p.revertOf] : [])),
    ...statusBlocks(proposal, t),
  ];
  const { rollout } = proposal;
  if (rollout && proposal.status === "applied") {
    const progress = p.rollout(
      rollout.observedGeneration,
      rollout.generation,
      rollout.updated,
      rollout.ready,
      rollout.replicas,
    );
    blocks.push(context(rolloutDone(rollout) ? `${progress} ${p.rolloutDone}` : progress));
  }
  if (proposal.status === "ready") {
    blocks.push({
      type: "actions",
      elements: [
        button(PROPOSAL_ACTIONS.approve, p.approve, proposal.id, "primary"),
        button(PROPOSAL_ACTIONS.reject, p.reject, proposal.id),
      ],
    });
  }
  return fitMessage({ text: `${name}: ${p.statusName[proposal.status]}`, blocks }, t.moreBlocks);
}

export function verifyMessage(proposal: Proposal, recurredAt: string | null, t: Messages): SlackMessage {
  const p = t.proposals;
  const since = utcText(proposal.appliedAt ?? proposal.createdAt);
  const text =
    recurredAt === null
      ? p.verifyClean(since, inert(proposal.container))
      : p.verifyRecurred(since, inert(proposal.container), utcText(recurredAt));
  return fitMessage(
    {
      text,
      blocks: [
        section(text),
        { type: "actions", elements: [button(PROPOSAL_ACTIONS.revert, p.revert, proposal.id)] },
      ],
    },
    t.moreBlocks,
  );
}

export function auditMessage(namespace: string | null, entries: AuditEntry[], t: Messages): SlackMessage {
  const a = t.audit;
  const lines =
    entries.length === 0
      ? [a.empty]
      : entries.map((entry) =>
          a.line(
            utcText(entry.at),
            a.event[entry.event],
            inert(entry.workload),
            entry.user,
            inert(entry.detail),
          ),
        );
  const title = a.title(namespace === null ? null : inert(namespace));
  return fitMessage({ text: title, blocks: [section([title, ...lines].join("\n"))] }, t.moreBlocks);
}

/** What the clicker is told about a step's outcome; null when the thread shows it all. */
export function outcomeText(outcome: Outcome, t: Messages): string | null {
  const p = t.proposals;
  switch (outcome.kind) {
    case "moved":
      return null;
    case "resumed":
      return p.decided(p.statusName[outcome.proposal.status]);
    case "not-revertible":
      return p.decided(p.statusName[outcome.status]);
    case "unknown":
      return p.unknown;
    case "tampered":
      return p.tampered;
    case "expired":
      return p.expiredNow;
    case "not-approver":
      return p.notApprover(inert(outcome.namespace));
    case "self-approval":
      return p.selfApproval;
    case "not-allowed-to-reject":
      return p.notAllowedToReject;
    case "retry":
    case "unavailable":
      // Outcomes of the background steps only: the jobs retry or log them.
      return null;
  }
}
