// Which channel may do what, checked for every request before any listener runs. A command from a
// channel `slack.channels` does not cover is refused. A button, a menu or a modal names a record (a
// finding, a proposal, a digest's target); the record's channel and namespace are checked against the
// map as it stands now, so a button posted before the map was narrowed does nothing, and a record is
// only acted on from its own channel. Every button, menu and modal oom-doctor offers declares how its
// record is found (interactionScopes); one that does not is refused, so none can slip past the check.

import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { Log } from "../ops/log.js";
import type { ProposalRepository } from "../proposals/ports.js";
import { type ChannelMap, channelNamespaces, namespaceAllowed } from "./channels.js";
import type { Messages } from "./i18n/catalog.js";
import { DIGEST_ACTIONS } from "./render/digest.js";
import { inert } from "./render/escape.js";
import { PROPOSAL_ACTIONS, PROPOSAL_MODAL } from "./render/proposals.js";
import { ACTIONS } from "./render/report.js";

/** Where a record lives: the channel it was posted in, the namespace it is about. */
export interface Scope {
  channel: string;
  namespace: string;
}

/** The record behind a button's value or a modal's private_metadata; null if unknown. */
export type ScopeLookup = (id: string) => Promise<Scope | null>;

export interface ChannelGuardDeps {
  channels: ChannelMap;
  t: Messages;
  log: Log;
  /** Action id (buttons) or callback id (modals) -> how to find the record it names. */
  scopes: Record<string, ScopeLookup>;
}

/** Every interaction oom-doctor offers, with the record each one names. */
export function interactionScopes(records: {
  finding: ScopeLookup;
  proposal: ScopeLookup;
  digestTarget: ScopeLookup;
}): Record<string, ScopeLookup> {
  return {
    [ACTIONS.propose]: records.finding,
    [ACTIONS.kernelLog]: records.finding,
    [ACTIONS.snooze]: records.finding,
    [ACTIONS.unsnooze]: records.finding,
    [ACTIONS.showActions]: records.finding,
    [PROPOSAL_MODAL]: records.finding,
    [PROPOSAL_ACTIONS.approve]: records.proposal,
    [PROPOSAL_ACTIONS.reject]: records.proposal,
    [PROPOSAL_ACTIONS.revert]: records.proposal,
    [DIGEST_ACTIONS.investigate]: records.digestTarget,
  };
}

/**
 * A proposal's scope, read through the repository that checks its signature. A record that fails the
 * check names no scope it can be trusted for: the listener's step refuses it in its own words.
 */
export function proposalScope(proposals: Pick<ProposalRepository, "load">): ScopeLookup {
  return async (id) => {
    const loaded = await proposals.load(id);
    return loaded.kind === "found" ? loaded.proposal : null;
  };
}

type Json = Record<string, unknown>;

/** What an interaction is: its listener's id, the id it carries, the channel it was clicked in. */
function interaction(body: Json): { listener: string; id: string; channel: string | null } | null {
  if (body.type === "block_actions") {
    const action = ((body.actions as Json[] | undefined) ?? [])[0] ?? {};
    const channel = (body.channel as { id?: unknown } | undefined)?.id;
    // A button carries its id as its value; a menu, as the value of the option picked.
    const picked = (action.selected_option as { value?: unknown } | undefined)?.value;
    return {
      listener: String(action.action_id ?? ""),
      id: String((action.type === "static_select" ? picked : action.value) ?? ""),
      channel: typeof channel === "string" ? channel : null,
    };
  }
  if (body.type === "view_submission") {
    const view = (body.view ?? {}) as Json;
    return {
      listener: String(view.callback_id ?? ""),
      id: String(view.private_metadata ?? ""),
      channel: null,
    };
  }
  return null;
}

export function channelGuard(deps: ChannelGuardDeps): Middleware<AnyMiddlewareArgs> {
  const { t, log } = deps;
  return async (args) => {
    const body = args.body as unknown as Json;
    const { ack, respond } = args as {
      ack?: (answer?: unknown) => Promise<void>;
      respond?: (answer: unknown) => Promise<unknown>;
    };
    if ("command" in args) {
      const channel = String(body.channel_id ?? "");
      if (channelNamespaces(deps.channels, channel) !== null) return args.next();
      log("info", "command from a channel slack.channels does not list refused", { channel });
      await ack?.({ response_type: "ephemeral", text: t.channelNotListed(inert(channel)) });
      return;
    }
    const used = interaction(body);
    if (used === null) return args.next();
    const refuse = async (text: string) => {
      if (body.type === "view_submission") {
        // A modal shows errors next to an input: the first one it has.
        const state = ((body.view as Json).state ?? {}) as { values?: Json };
        const block = Object.keys(state.values ?? {})[0];
        await ack?.(
          block === undefined ? undefined : { response_action: "errors", errors: { [block]: text } },
        );
        return;
      }
      await ack?.();
      await respond?.({ response_type: "ephemeral", replace_original: false, text });
    };
    const lookup = deps.scopes[used.listener];
    if (!lookup) {
      log("warn", "interaction without a channel scope refused", { listener: used.listener });
      await refuse(t.actions.unknownFinding);
      return;
    }
    let scope: Scope | null;
    try {
      scope = await lookup(used.id);
    } catch (error) {
      log("warn", "the record behind an interaction could not be read", {
        listener: used.listener,
        error: error instanceof Error ? error.message : String(error),
      });
      await refuse(t.queueUnavailable);
      return;
    }
    // An id never issued or expired: the listener says so in its own words.
    if (scope === null) return args.next();
    const elsewhere = used.channel !== null && used.channel !== scope.channel;
    if (!elsewhere && namespaceAllowed(deps.channels, scope.channel, scope.namespace).allowed)
      return args.next();
    log("info", "interaction outside its channel's namespaces refused", {
      listener: used.listener,
      channel: scope.channel,
      from: used.channel,
      namespace: scope.namespace,
    });
    await refuse(t.actions.notAllowedHere(inert(scope.namespace)));
  };
}
