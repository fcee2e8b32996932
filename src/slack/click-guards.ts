// Every click gets an answer, and none runs twice. While Redis is down a click is told so at once
// (its handler could only fail later, silently); the same click delivered again (a replayed request,
// Socket Mode redelivering after a reconnection) is acknowledged and does nothing, keyed on Slack's
// trigger id, which is new at every click; and a handler that fails anyway tells the user through the
// request's response URL (app.error), whatever it was doing.

import type { AnyMiddlewareArgs, App, Middleware } from "@slack/bolt";
import type { Log } from "../ops/log.js";
import type { Messages } from "./i18n/catalog.js";
import { section } from "./render/blocks.js";

/** Longer than Slack's five minutes for a signed request's timestamp, and than any redelivery. */
const REPLAY_WINDOW_SECONDS = 15 * 60;
const ANSWER_TIMEOUT_MS = 10_000;

export interface ClickGuardDeps {
  /** Whether Redis is connected now. */
  redisReady: () => boolean;
  /** Claims a key once within `seconds` (see BotStore.claim). */
  claim: (kind: string, key: string, seconds: number) => Promise<boolean>;
  t: Messages;
  log: Log;
}

interface Payload {
  type?: string;
  trigger_id?: string;
  actions?: Array<{ action_id?: string }>;
  response_url?: string;
  response_urls?: Array<{ response_url?: string }>;
}

type Answering = {
  ack?: (answer?: unknown) => Promise<void>;
  respond?: (answer: unknown) => Promise<unknown>;
};

/** Bolt's handler with the request at hand (its last overload of app.error); Bolt does not export the type. */
type ExtendedErrorHandler = Parameters<App["error"]>[0];

const ephemeral = (text: string) => ({ response_type: "ephemeral", replace_original: false, text });

export function clickGuards(deps: ClickGuardDeps): Middleware<AnyMiddlewareArgs> {
  const { t } = deps;
  return async (args) => {
    const body = args.body as Payload;
    const { ack, respond } = args as Answering;
    if (body.type === "view_submission" && !deps.redisReady()) {
      // A modal cannot be answered through a response URL: the answer replaces the modal.
      await ack?.({
        response_action: "update",
        view: {
          type: "modal",
          title: { type: "plain_text", text: "oom-doctor" },
          blocks: [section(t.queueUnavailable)],
        },
      });
      return;
    }
    if (body.type !== "block_actions") {
      await args.next();
      return;
    }
    if (!deps.redisReady()) {
      await ack?.();
      await respond?.(ephemeral(t.queueUnavailable));
      return;
    }
    const action = body.actions?.[0]?.action_id ?? "";
    if (
      body.trigger_id &&
      !(await deps.claim("click", `${action}:${body.trigger_id}`, REPLAY_WINDOW_SECONDS))
    ) {
      deps.log("info", "a click delivered again was ignored", { action });
      await ack?.();
      return;
    }
    await args.next();
  };
}

/** Where a failed request can still be answered: a command's or a click's response URL, a view's first. */
function responseUrl(body: Payload): string | null {
  return body.response_url ?? body.response_urls?.[0]?.response_url ?? null;
}

/**
 * One handler for whatever a listener throws: logged, and the user told, so no click goes unanswered.
 * The app must be made with `extendedErrorHandler: true` (see app.ts) for the request to be at hand.
 */
export function answerFailures(app: App, deps: Omit<ClickGuardDeps, "claim">): void {
  const handler: ExtendedErrorHandler = async ({ error, body }) => {
    const payload = (body ?? {}) as Payload & { command?: string };
    deps.log("error", "a Slack request failed", {
      error: error.message,
      kind: payload.command ?? payload.type ?? "unknown",
    });
    const url = responseUrl(payload);
    if (url === null) return;
    const text = !deps.redisReady()
      ? deps.t.queueUnavailable
      : payload.command
        ? deps.t.internalError
        : deps.t.actions.failed;
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ephemeral(text)),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    }).catch((failure: Error) =>
      deps.log("warn", "the failure could not be told to the user", { error: failure.message }),
    );
  };
  app.error(handler);
}
