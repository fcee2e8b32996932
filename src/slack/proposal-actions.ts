// The limit-change proposal, on the Slack side: "Propose limit" opens the modal, its submission is
// checked and proposed, and "Approve and apply" / "Reject" / "Revert" are lifecycle steps. This file
// only maps payloads to steps and outcomes to words; the lifecycle decides (src/proposals/).

import type { App, BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import { formatQuantity } from "../analysis/quantity.js";
import type { ProposalLifecycle, ProposalSubject } from "../proposals/lifecycle.js";
import { isPatchable, type Outcome } from "../proposals/model.js";
import type { ApproverDirectory } from "../proposals/ports.js";
import { patchCommand } from "../proposals/rules.js";
import type { BotStore } from "../store/bot-store.js";
import type { Messages } from "./i18n/catalog.js";
import type { FindingRecord } from "./records.js";
import { codeBlock, inert } from "./render/escape.js";
import {
  modalErrors,
  modalValues,
  outcomeText,
  PROPOSAL_ACTIONS,
  PROPOSAL_MODAL,
  proposalModal,
} from "./render/proposals.js";
import { ACTIONS } from "./render/report.js";

export interface ProposalDeps {
  store: BotStore;
  lifecycle: ProposalLifecycle;
  approvers: ApproverDirectory;
  t: Messages;
}

type ButtonArgs = {
  ack: () => Promise<void>;
  body: BlockAction;
  action: ButtonAction;
  client: App["client"];
  respond: RespondFn;
};

const ephemeral = (text: string) => ({ response_type: "ephemeral" as const, replace_original: false, text });

/** The finding behind a Propose button, as the lifecycle takes it; null for a kind it cannot patch. */
function subjectOf(finding: FindingRecord): ProposalSubject | null {
  const { kind, name } = finding.workload;
  if (!isPatchable(kind)) return null;
  return {
    findingId: finding.id,
    channel: finding.channel,
    threadTs: finding.threadTs,
    namespace: finding.namespace,
    workload: { kind, name },
    container: finding.container,
    currentLimitBytes: finding.memoryLimitBytes,
    currentRequestBytes: finding.memoryRequestBytes,
    residentBytes: finding.residentBytes,
    nodeAllocatableBytes: finding.nodeAllocatableBytes,
    limitRangeMaxBytes: finding.limitRangeMaxBytes,
  };
}

export function registerProposalActions(app: App, deps: ProposalDeps): void {
  const { t, lifecycle } = deps;
  const p = t.proposals;

  app.action<BlockAction<ButtonAction>>(
    ACTIONS.propose,
    async ({ ack, body, action, client, respond }: ButtonArgs) => {
      await ack();
      const finding = await deps.store.finding(action.value ?? "");
      if (!finding) {
        await respond(ephemeral(t.actions.unknownFinding));
        return;
      }
      if (subjectOf(finding) === null) {
        await respond(ephemeral(p.notPatchable(inert(finding.workload.kind))));
        return;
      }
      if (!deps.approvers.enabled(finding.namespace)) {
        const change = {
          namespace: finding.namespace,
          kind: finding.workload.kind,
          name: finding.workload.name,
          container: finding.container,
          limit: finding.recommendedLimit ?? "?",
          request: finding.recommendedRequest,
        };
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
    const subject = finding && subjectOf(finding);
    if (!subject) {
      await ack({ response_action: "errors", errors: { limit: t.actions.unknownFinding } });
      return;
    }
    const checked = await lifecycle.check(subject, modalValues(view.state));
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: modalErrors(checked.problems, t) });
      return;
    }
    await ack();
    await lifecycle.propose(subject, checked.value, body.user.id);
  });

  /** A button whose value is a proposal id: one lifecycle step, its outcome told to the clicker. */
  const onStep = (actionId: string, step: (id: string, user: string) => Promise<Outcome>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }: ButtonArgs) => {
      await ack();
      const text = outcomeText(await step(action.value ?? "", body.user.id), t);
      if (text !== null) await respond(ephemeral(text));
    });

  onStep(PROPOSAL_ACTIONS.approve, (id, user) => lifecycle.approve(id, user));
  onStep(PROPOSAL_ACTIONS.reject, (id, user) => lifecycle.reject(id, user));
  onStep(PROPOSAL_ACTIONS.revert, (id, user) => lifecycle.revert(id, user));
}
