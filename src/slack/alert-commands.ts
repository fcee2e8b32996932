// `/oom watch ...`: subscribe a channel to live alerts for a namespace (or all), list its
// subscriptions (its own and those alerts.routes sends it), or stop one. The answer goes only to the
// person who asked; the channel map decides what a channel may watch, as it does for `/oom`.

import type { App, RespondFn } from "@slack/bolt";
import type { AlertSubscription } from "../alerts/model.js";
import type { SubscriptionStore } from "../alerts/ports.js";
import type { SlackConfig } from "../config/schema.js";
import { scopeAllowed } from "./channels.js";
import type { WatchCommand } from "./command-text.js";
import type { Messages } from "./i18n/catalog.js";
import { watchDetails, watchListMessage } from "./render/alerts.js";
import { inert } from "./render/escape.js";
import { userZone } from "./user-zone.js";

export interface AlertCommandDeps {
  subscriptions: SubscriptionStore;
  /** alerts.routes, as subscriptions. */
  routes: AlertSubscription[];
  maxSubscriptions: number;
  t: Messages;
  slack: SlackConfig;
  now: () => number;
}

export async function answerWatch(
  command: WatchCommand,
  request: { channel: string; user: string },
  deps: AlertCommandDeps,
  client: App["client"],
  respond: RespondFn,
): Promise<void> {
  const a = deps.t.alerts;
  const say = (text: string) => respond({ response_type: "ephemeral", text });
  const configured = deps.routes.filter((route) => route.channel === request.channel);
  switch (command.kind) {
    case "watch-list": {
      const own = await deps.subscriptions.list(request.channel);
      await respond({ response_type: "ephemeral", ...watchListMessage([...configured, ...own], deps.t) });
      return;
    }
    case "unwatch": {
      if (configured.some((route) => route.id === command.id)) {
        await say(a.fromConfig(inert(command.id)));
        return;
      }
      const own = await deps.subscriptions.list(request.channel);
      const found = own.find((subscription) => subscription.id === command.id);
      // A channel stops its own subscriptions only; another channel's id is as good as unknown.
      if (!found || !(await deps.subscriptions.remove(request.channel, command.id))) {
        await say(a.notFound(inert(command.id)));
        return;
      }
      await say(a.unwatched(found.id, inert(found.scope)));
      return;
    }
    case "watch": {
      if (!scopeAllowed(deps.slack.channels, request.channel, command.scope)) {
        await say(deps.t.namespaceNotAllowed(inert(command.scope), ""));
        return;
      }
      const added = await deps.subscriptions.add(
        {
          channel: request.channel,
          scope: command.scope,
          minSeverity: command.minSeverity ?? "info",
          quiet: command.quiet,
          tz: command.tz ?? (await userZone(client, request.user)),
          createdBy: request.user,
          createdAt: new Date(deps.now()).toISOString(),
        },
        deps.maxSubscriptions,
      );
      if (added === "duplicate") await say(a.duplicate(inert(command.scope)));
      else if (added === "cap") await say(a.tooMany(deps.maxSubscriptions));
      else await say(a.watching(added.id, inert(added.scope), watchDetails(added, deps.t)));
    }
  }
}
