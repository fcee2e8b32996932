// What a user does to get a limit change applied, as signed requests to the bot: investigate a
// namespace, click a reply's buttons, fill in the Propose modal, and wait for the proposal's message.

import assert from "node:assert/strict";
import { buttons, type FakeSlack, type StoredMessage } from "./fake-slack.js";
import { investigationIn } from "./investigation.js";
import { buttonClick, viewSubmission } from "./slack-requests.js";

type Json = Record<string, unknown>;

export const ALICE = "U0ALICE";
export const BOB = "U0BOB";

/** The values the Propose modal suggests for the seed's workload. */
export const SUGGESTED = { limit: "1280Mi", request: "768Mi", reason: "OOM-killed daily at the limit" };

export interface Thread {
  channel: string;
  root: StoredMessage;
  reply: StoredMessage;
}

export class ProposalFlow {
  constructor(
    private readonly slack: FakeSlack,
    readonly url: string,
  ) {}

  /** Investigates production in a channel of its own and returns the workload's reply. */
  async investigate(channel: string): Promise<Thread> {
    const root = await investigationIn(this.slack, this.url, channel);
    assert.match(root.text, /OOM investigation of/);
    const reply = this.slack.replies(channel, root.ts).find((m) => /systembusiness-deployment/.test(m.text));
    assert.ok(reply);
    return { channel, root, reply };
  }

  /** Clicks a button of `message`; `triggerId` repeats an earlier click's request, as a replay would. */
  async click(
    thread: Thread,
    message: StoredMessage,
    actionId: string,
    user: string,
    value?: string,
    triggerId?: string,
  ) {
    const target = buttons(message).find((b) => b.action_id === actionId);
    return buttonClick(this.url, {
      actionId,
      value: value ?? target?.value ?? "",
      user,
      channel: thread.channel,
      messageTs: message.ts,
      threadTs: thread.root.ts,
      responseUrl: this.slack.responseUrl(`${thread.channel}-${actionId}-${user}`),
      ...(triggerId === undefined ? {} : { triggerId }),
    });
  }

  /** Clicks Propose, waits for the modal, submits it; returns the ack's body. */
  async submit(thread: Thread, values: Record<string, string>, user = ALICE): Promise<Json | null> {
    const opened = this.slack.views.length;
    await this.click(thread, thread.reply, "propose_limit", user);
    const view = await this.slack.until(() => this.slack.views[opened], "the modal");
    const answer = await viewSubmission(this.url, {
      callbackId: String(view.callback_id),
      privateMetadata: String(view.private_metadata),
      values,
      user,
    });
    assert.equal(answer.status, 200);
    return answer.body;
  }

  proposalIn(thread: Thread, status: RegExp): Promise<StoredMessage> {
    return this.slack.until(
      () =>
        this.slack
          .replies(thread.channel, thread.root.ts)
          .find((m) => /proposes a memory change/.test(JSON.stringify(m.blocks)) && status.test(m.text)),
      `a proposal message matching ${status}`,
    );
  }

  /** Proposes the suggested change in a fresh thread and waits for its dry run's verdict. */
  async ready(channel: string): Promise<{ thread: Thread; proposal: StoredMessage }> {
    const thread = await this.investigate(channel);
    await this.submit(thread, SUGGESTED);
    return { thread, proposal: await this.proposalIn(thread, /waiting for approval/) };
  }
}
