// oom-doctor serves the one workspace its bot token belongs to. Slack signs requests from every
// workspace the app is installed in (and, in an Enterprise Grid org or a shared channel, from users of
// other workspaces), so a command or a click is let through only when its workspace, its organisation
// and its user's workspace are all the bot's own, before any listener looks up a proposal, a finding
// or a namespace. When that cannot be told (Slack did not say whose the bot is, or the request does
// not say where it comes from), it is refused too: the user is asked to try again.

import type { AnyMiddlewareArgs, App, Middleware } from "@slack/bolt";
import type { Log } from "../ops/log.js";
import type { Messages } from "./i18n/catalog.js";

/** Where a request says it comes from. */
export interface Origin {
  team: string | null;
  enterprise: string | null;
  /** The workspace of the user who typed or clicked, where the payload says it. */
  userTeam: string | null;
}

/** The bot's own workspace and organisation, as auth.test tells them. */
export interface Home {
  team: string;
  enterprise: string | null;
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;

/** The origin of a command (flat form fields), an interaction or a view (nested objects), or an event. */
export function requestOrigin(body: Record<string, unknown>): Origin {
  return {
    team: text(body.team_id) ?? text(field(body.team, "id")),
    enterprise:
      text(body.enterprise_id) ??
      text(field(body.enterprise, "id")) ??
      text(field(body.team, "enterprise_id")),
    userTeam: text(field(body.user, "team_id")),
  };
}

export type Verdict = "home" | "elsewhere" | "unknown";

export function judgeOrigin(origin: Origin, home: Home | null): Verdict {
  if (home === null || origin.team === null) return "unknown";
  if (origin.team !== home.team) return "elsewhere";
  if (origin.enterprise !== home.enterprise) return "elsewhere";
  if (origin.userTeam !== null && origin.userTeam !== home.team) return "elsewhere";
  return "home";
}

export function workspaceGuard(app: App, t: Messages, log: Log): Middleware<AnyMiddlewareArgs> {
  // The bot's own workspace, asked once; until Slack answers, requests wait for it.
  let own: Promise<Home | null> | null = null;
  const home = () => {
    own ??= app.client.auth.test().then(
      (answer) =>
        answer.team_id ? { team: answer.team_id, enterprise: answer.enterprise_id ?? null } : null,
      () => null,
    );
    // Not known yet: ask again at the next request rather than refuse every request from now on.
    void own.then((known) => {
      if (known === null) own = null;
    });
    return own;
  };
  void home();
  return async (args) => {
    const origin = requestOrigin(args.body as unknown as Record<string, unknown>);
    const expected = await home();
    const verdict = judgeOrigin(origin, expected);
    if (verdict === "home") {
      await args.next();
      return;
    }
    log(
      "warn",
      verdict === "elsewhere"
        ? "request from another workspace refused"
        : "request of unknown origin refused",
      {
        ...origin,
        expected,
      },
    );
    const refusal = {
      response_type: "ephemeral" as const,
      replace_original: false,
      text: verdict === "elsewhere" ? t.otherWorkspace : t.unknownWorkspace,
    };
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
