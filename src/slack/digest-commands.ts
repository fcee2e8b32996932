// `/oom digest ...`: subscribe a channel to a daily restart digest, list, unsubscribe, or ask for one
// now. Subscriptions are stored and scheduled at once; the answer goes only to the person who asked.

import type { App, RespondFn } from "@slack/bolt";
import type { SlackConfig } from "../config/schema.js";
import type { DigestQueue } from "../queue/digests.js";
import type { DigestStore } from "../store/digests.js";
import { scopeAllowed } from "./channels.js";
import type { DigestCommand } from "./command-text.js";
import type { Messages } from "./i18n/catalog.js";
import { inert } from "./render/escape.js";
import { userZone } from "./user-zone.js";

export interface DigestCommandDeps {
  digests: DigestStore;
  queue: DigestQueue;
  t: Messages;
  slack: SlackConfig;
  now: () => number;
}

const DEFAULT_TIME = "09:00";

export async function answerDigest(
  command: DigestCommand,
  request: { channel: string; user: string },
  deps: DigestCommandDeps,
  client: App["client"],
  respond: RespondFn,
): Promise<void> {
  const d = deps.t.digest;
  const say = (text: string) => respond({ response_type: "ephemeral", text });
  switch (command.kind) {
    // A channel sees and stops its own subscriptions only; another channel's id is as good as unknown.
    case "digest-list": {
      const own = (await deps.digests.subscriptions()).filter((sub) => sub.channel === request.channel);
      const lines = own.map((sub) => `• ${d.listLine(sub.id, sub.scope, sub.at, sub.tz, sub.channel)}`);
      await say(lines.length === 0 ? d.listEmpty : [d.listTitle, ...lines].join("\n"));
      return;
    }
    case "digest-unsubscribe": {
      const removed = await deps.digests.unsubscribe(command.id, request.channel);
      if (!removed) {
        await say(d.unknown(inert(command.id)));
        return;
      }
      await deps.queue.unschedule(removed, await deps.digests.subscriptions());
      await say(d.unsubscribed(removed.id, inert(removed.scope)));
      return;
    }
    case "digest-now":
    case "digest-subscribe": {
      if (!scopeAllowed(deps.slack.channels, request.channel, command.scope)) {
        await say(deps.t.namespaceNotAllowed(inert(command.scope), ""));
        return;
      }
      const tz =
        (command.kind === "digest-subscribe" ? command.tz : null) ?? (await userZone(client, request.user));
      if (command.kind === "digest-now") {
        await deps.queue.now({ channel: request.channel, scope: command.scope, tz });
        await say(d.queued(command.scope));
        return;
      }
      const max = deps.slack.maxDigestSubscriptions;
      const subscription = await deps.digests.subscribe(
        {
          channel: request.channel,
          scope: command.scope,
          at: command.at ?? DEFAULT_TIME,
          tz,
          createdBy: request.user,
          createdAt: new Date(deps.now()).toISOString(),
        },
        max,
      );
      if (subscription === null) {
        await say(d.tooMany(max));
        return;
      }
      await deps.queue.schedule(subscription);
      await say(d.subscribed(subscription.id, subscription.scope, subscription.at, subscription.tz));
    }
  }
}
