// Requests as Slack sends them to the bot's /slack/events: form-encoded, signed with the signing
// secret (v0 HMAC-SHA256 over "v0:timestamp:body"), for slash commands and button clicks.

import { createHmac, randomBytes } from "node:crypto";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SignedOptions {
  /** Seconds since the epoch; default now (Bolt refuses requests older than five minutes). */
  timestamp?: number;
  secret?: string;
}

export interface BotAnswer {
  status: number;
  body: Record<string, unknown> | null;
  text: string;
}

async function post(url: string, form: Record<string, string>, options: SignedOptions): Promise<BotAnswer> {
  const body = new URLSearchParams(form).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex")}`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    },
    body,
    // Slack gives up after 3 s; a bot that never answers fails the test instead of hanging it.
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text };
}

/** The workspace the fake Slack's bot token belongs to (its auth.test answer). */
export const TEAM = "T0001";

export interface CommandInput {
  text: string;
  channel?: string;
  user?: string;
  responseUrl: string;
  /** The workspace it comes from; default the bot's own. */
  team?: string;
}

export function slashCommand(
  botUrl: string,
  input: CommandInput,
  options: SignedOptions = {},
): Promise<BotAnswer> {
  return post(
    `${botUrl}/slack/events`,
    {
      token: "legacy-verification-token",
      team_id: input.team ?? TEAM,
      team_domain: "fake",
      channel_id: input.channel ?? "C0OPS",
      channel_name: "ops",
      user_id: input.user ?? "U0ALICE",
      user_name: "alice",
      command: "/oom",
      text: input.text,
      api_app_id: "A0OOM",
      response_url: input.responseUrl,
      trigger_id: "1.2.3",
    },
    options,
  );
}

/** What every interaction payload starts with: its type, the team, the user, the app. */
function envelope(type: string, user: string, team = TEAM, userTeam = team) {
  return {
    type,
    team: { id: team, domain: "fake" },
    user: { id: user, username: user.slice(2).toLowerCase(), team_id: userTeam },
    api_app_id: "A0OOM",
    token: "legacy-verification-token",
  };
}

export interface ClickInput {
  actionId: string;
  value: string;
  channel?: string;
  user?: string;
  messageTs: string;
  threadTs: string;
  responseUrl: string;
  /** The workspace it comes from; default the bot's own. */
  team?: string;
  /** The clicking user's own workspace (a shared channel); default the same as `team`. */
  userTeam?: string;
  /** Slack's id of this one click; a new one each time unless given (a replayed request repeats it). */
  triggerId?: string;
}

/** A trigger id as Slack makes them, different for every click. */
export function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString("hex")}`;
}

/** An interaction with one element of a message: a button clicked, an option picked in a menu. */
function blockAction(
  botUrl: string,
  input: Omit<ClickInput, "value">,
  action: Record<string, unknown>,
  options: SignedOptions,
): Promise<BotAnswer> {
  const channel = input.channel ?? "C0OPS";
  const payload = {
    ...envelope("block_actions", input.user ?? "U0BOB", input.team, input.userTeam),
    container: { type: "message", message_ts: input.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: input.triggerId ?? newTriggerId(),
    channel: { id: channel, name: "ops" },
    message: { type: "message", ts: input.messageTs, thread_ts: input.threadTs, text: "" },
    response_url: input.responseUrl,
    actions: [{ action_id: input.actionId, block_id: "b1", action_ts: "1700000000.000001", ...action }],
  };
  return post(`${botUrl}/slack/events`, { payload: JSON.stringify(payload) }, options);
}

export function buttonClick(
  botUrl: string,
  input: ClickInput,
  options: SignedOptions = {},
): Promise<BotAnswer> {
  const button = { type: "button", value: input.value, text: { type: "plain_text", text: "button" } };
  return blockAction(botUrl, input, button, options);
}

/** An option picked in a static_select menu; `value` is the option's value. */
export function menuPick(botUrl: string, input: ClickInput, options: SignedOptions = {}): Promise<BotAnswer> {
  const option = { text: { type: "plain_text", text: "option" }, value: input.value };
  return blockAction(
    botUrl,
    input,
    { type: "static_select", selected_option: option, placeholder: { type: "plain_text", text: "menu" } },
    options,
  );
}

export interface SubmissionInput {
  callbackId: string;
  privateMetadata: string;
  /** block id -> the value typed into its plain_text_input (action id "value"). */
  values: Record<string, string>;
  user?: string;
}

export function viewSubmission(
  botUrl: string,
  input: SubmissionInput,
  options: SignedOptions = {},
): Promise<BotAnswer> {
  const values = Object.fromEntries(
    Object.entries(input.values).map(([block, value]) => [
      block,
      { value: { type: "plain_text_input", value } },
    ]),
  );
  const payload = {
    ...envelope("view_submission", input.user ?? "U0ALICE"),
    trigger_id: "7.8.9",
    view: {
      id: "V1",
      team_id: TEAM,
      type: "modal",
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      state: { values },
      hash: "1.abc",
      blocks: [],
    },
    response_urls: [],
  };
  return post(`${botUrl}/slack/events`, { payload: JSON.stringify(payload) }, options);
}
