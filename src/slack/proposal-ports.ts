// The proposal lifecycle's Slack adapters: the notifier, the only code that posts or updates a
// proposal's messages, and the approver directory (configured user ids, and user groups' members).

import type { WebClient } from "@slack/web-api";
import type { ProposalsConfig } from "../config/schema.js";
import type { Metrics } from "../ops/metrics.js";
import type { Proposal } from "../proposals/model.js";
import type { ApproverDirectory, Membership, ProposalNotifier } from "../proposals/ports.js";
import type { BotStore } from "../store/bot-store.js";
import type { Messages } from "./i18n/catalog.js";
import { ThreadPoster } from "./poster.js";
import { proposalMessage, verifyMessage } from "./render/proposals.js";

export class SlackProposalNotifier implements ProposalNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly store: BotStore,
    private readonly metrics: Metrics,
    private readonly t: Messages,
  ) {}

  /** Each proposal's messages are remembered under its own id, whichever process posts them. */
  private poster(proposal: Proposal): ThreadPoster {
    return new ThreadPoster(
      this.client,
      this.store,
      this.metrics,
      `proposal-${proposal.id}`,
      proposal.channel,
      proposal.threadTs,
    );
  }

  show(proposal: Proposal): Promise<string> {
    return this.poster(proposal).reply("proposal", proposalMessage(proposal, this.t));
  }

  async verified(proposal: Proposal): Promise<void> {
    if (proposal.verification === null) return;
    await this.poster(proposal).reply(
      "verify",
      verifyMessage(proposal, proposal.verification.recurredAt, this.t),
    );
  }
}

export class SlackApproverDirectory implements ApproverDirectory {
  constructor(
    private readonly client: WebClient,
    private readonly config: ProposalsConfig,
  ) {}

  /** The namespace's approvers; null when proposals are not enabled there. */
  private approvers(namespace: string): string[] | null {
    return this.config.approvers[namespace] ?? this.config.approvers["*"] ?? null;
  }

  enabled(namespace: string): boolean {
    return this.approvers(namespace) !== null;
  }

  async isApprover(namespace: string, user: string): Promise<Membership> {
    const approvers = this.approvers(namespace) ?? [];
    if (approvers.includes(user)) return "yes";
    let unknown = false;
    for (const group of approvers.filter((id) => id.startsWith("S"))) {
      const members = await this.client.usergroups.users.list({ usergroup: group }).catch(() => null);
      if (members === null) unknown = true;
      else if (members.users?.includes(user)) return "yes";
    }
    return unknown ? "unknown" : "no";
  }
}
