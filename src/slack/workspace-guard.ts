// oom-doctor serves the one workspace its bot token belongs to. Slack signs requests from every
// workspace the app is installed in, so a command or a click from another one is refused here, before
// any listener looks up a proposal, a finding or a namespace.

import type { AnyMiddlewareArgs, App, Middleware } from "@slack/bolt";
import type { Log } from "../ops/log.js";
import type { Messages } from "./i18n/catalog.js";

/** The team a request comes from, where Slack says it: commands, interactions, views. */
function requestTeam(body: Record<string, unknown>): string | null {
  if (typeof body.team_id === "string") return body.team_id;
  const team = body.team as { id?: unknown } | null | undefined;
  if (team && typeof team.id === "string") return team.id;
  return null;
}

export function workspaceGuard(app: App, t: Messages, log: Log): Middleware<AnyMiddlewareArgs> {
  // The bot's own team, asked once; until Slack answers, requests wait for it.
  let own: Promise<string | null> | null = null;
  const ownTeam = () => {
    own ??= app.client.auth.test().then(
      (answer) => answer.team_id ?? null,
      () => {
        own = null; // ask again next time
        return null;
      },
    );
    return own;
  };
  void ownTeam();
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const team = requestTeam(body);
    const expected = team === null ? null : await ownTeam();
    // Unknown on either side (an org-wide payload, Slack not answering auth.test): the request is
    // still signed by Slack, and refusing would stop the bot whenever auth.test fails.
    if (team === null || expected === null || team === expected) {
      await args.next();
      return;
    }
    log("warn", "request from another workspace refused", { team, expected });
    const refusal = { response_type: "ephemeral" as const, text: t.otherWorkspace };
    // The shapes differ by kind of request: a command's ack carries the answer; an interaction's
    // cannot, so it goes to its response_url; an event needs neither.
    const { ack, respond } = args as {
      ack?: (answer?: unknown) => Promise<void>;
      respond?: (answer: unknown) => Promise<unknown>;
    };
    if ("command" in args) {
      await ack?.(refusal);
      return;
    }
    await ack?.();
    await respond?.(refusal);
  };
}
