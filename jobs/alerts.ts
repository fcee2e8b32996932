// The alerts queue's processor: each job name is one step. kill: record a silent kill for reports,
// then pend the kill in every channel that hears of it and ask for their deliveries. deliver and sweep:
// see alert-delivery.ts and alert-sweep.ts. quiet-end: sum up what a channel's quiet hours held.

import type { WebClient } from "@slack/web-api";
import { type Job, UnrecoverableError } from "bullmq";
import type { AlertSubscription, Kill } from "../src/alerts/model.js";
import type { DeliveryStore, SilentKillLog } from "../src/alerts/ports.js";
import { routeKill } from "../src/alerts/routing.js";
import type { Metrics } from "../src/ops/metrics.js";
import { type AlertQueue, parseAlertJob } from "../src/queue/alerts.js";
import type { Messages } from "../src/slack/i18n/catalog.js";
import { ThreadPoster } from "../src/slack/poster.js";
import { killsReplies, QUIET_SUMMARY_NAMES, quietSummaryMessage } from "../src/slack/render/alerts.js";
import type { BotStore } from "../src/store/bot-store.js";

export interface AlertJobDeps {
  client: WebClient;
  store: BotStore;
  deliveries: DeliveryStore;
  silent: SilentKillLog;
  queue: Pick<AlertQueue, "deliverSoon">;
  /** Every subscription, alerts.routes included; or one channel's. */
  subscriptions: (channel?: string) => Promise<AlertSubscription[]>;
  /** Whether the channel map lets the channel see the namespace (every namespace, for null). */
  channelAllows: (channel: string, namespace: string | null) => boolean;
  batchMs: number;
  metrics: Metrics;
  t: Messages;
  deliver: (channel: string) => Promise<void>;
  sweep: (node: string) => Promise<void>;
}

export function alertProcessor(deps: AlertJobDeps) {
  async function routed(kill: Kill): Promise<void> {
    if (kill.kind === "child-process") await deps.silent.record(kill);
    const routes = routeKill(kill, await deps.subscriptions(), deps.channelAllows);
    for (const channel of routes.keys()) {
      await deps.deliveries.pend(channel, [kill]);
      await deps.queue.deliverSoon(channel, deps.batchMs);
    }
  }

  async function quietEnded(channel: string, atMs: number): Promise<void> {
    const held = await deps.deliveries.held(channel);
    if (held.length === 0) return;
    const quiet = (await deps.subscriptions(channel)).find((subscription) => subscription.quiet !== null);
    const message = quietSummaryMessage(
      { kills: held, quiet: quiet?.quiet ?? { from: "", to: "" }, tz: quiet?.tz ?? "UTC" },
      deps.t,
    );
    const poster = new ThreadPoster(
      deps.client,
      deps.store,
      deps.metrics,
      `quiet-${channel}-${atMs}`,
      channel,
      "",
    );
    const ts = await poster.channelMessage("summary", message);
    // The summary names the first kills; its thread names every one.
    const thread = new ThreadPoster(
      deps.client,
      deps.store,
      deps.metrics,
      `quiet-${channel}-${atMs}`,
      channel,
      ts,
    );
    const pages = killsReplies(held, deps.t);
    if (pages.length > 1 || held.length > QUIET_SUMMARY_NAMES)
      for (const [index, page] of pages.entries()) await thread.reply(`kills:${index}`, page);
    deps.metrics.alertsSent.inc({ message: "quiet-summary" });
    await deps.deliveries.released(
      channel,
      held.map((kill) => kill.id),
    );
  }

  return async (job: Job<unknown>): Promise<void> => {
    const parsed = parseAlertJob(job.name, job.data);
    if (typeof parsed === "string") throw new UnrecoverableError(`invalid job data: ${parsed}`);
    switch (parsed.name) {
      case "kill":
        return routed(parsed.data.kill);
      case "deliver":
        return deps.deliver(parsed.data.channel);
      case "sweep":
        return deps.sweep(parsed.data.node);
      case "quiet-end":
        return quietEnded(parsed.data.channel, parsed.data.atMs);
    }
  };
}
