// The `deliver` job: a channel's pending kills, planned by storm control (src/alerts/storm.ts), posted.
// One delivery of a channel at a time (its lock, held as long as the job's own lock and extended
// thread by thread, so that it lapses as soon as a dead worker's job is taken over); what it posted is
// remembered per thread, so a retried or taken-over delivery updates its messages instead of posting
// copies, and a kill is marked delivered only once it is in its thread.

import { createHash } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import { type AlertSubscription, type AlertThread, type Kill, workloadOf } from "../src/alerts/model.js";
import type { DeliveryStore } from "../src/alerts/ports.js";
import { inQuiet, quietEndsMs } from "../src/alerts/routing.js";
import {
  type DeliveryLimits,
  deliveryDay,
  type PlannedThread,
  planDelivery,
  STORM_WINDOW_MS,
  SUMMARY_SUBJECT,
} from "../src/alerts/storm.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import type { AlertQueue } from "../src/queue/alerts.js";
import type { InvestigationQueue } from "../src/queue/investigations.js";
import type { Messages } from "../src/slack/i18n/catalog.js";
import { ThreadPoster } from "../src/slack/poster.js";
import {
  childProcessReply,
  killsReplies,
  nodeAlertRoot,
  stormSummaryRoot,
  workloadAlertRoot,
} from "../src/slack/render/alerts.js";
import type { SlackMessage } from "../src/slack/render/blocks.js";
import type { BotStore } from "../src/store/bot-store.js";

export interface DeliveryDeps {
  client: WebClient;
  store: BotStore;
  deliveries: DeliveryStore;
  queue: Pick<AlertQueue, "deliverSoon" | "quietEnd">;
  investigations: Pick<InvestigationQueue, "forAlert">;
  /** The channel's subscriptions, alerts.routes included. */
  subscriptions: (channel: string) => Promise<AlertSubscription[]>;
  limits: DeliveryLimits;
  /** How long the channel's lock holds without being extended: the queue's job lock. */
  lockMs: number;
  metrics: Metrics;
  log: Log;
  t: Messages;
  now: () => number;
}

/** Kills one delivery takes at most; a longer backlog goes in the next one, right after. */
const BATCH = 500;
/** A delivery that finds the channel locked (or loses its lock) looks again this much later. */
const LOCKED_RETRY_MS = 5_000;

const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Where a kill happened, as the thread counts its workloads: `namespace/Kind/name`, or the node. */
const placeOf = (kill: Kill) =>
  kill.namespace === null ? `node/${kill.node ?? "?"}` : `${kill.namespace}/${workloadOf(kill)}`;

/**
 * What a thread's messages are remembered under, the same in every attempt of a delivery: a workload's
 * or a node's thread is the one of its subject that day; a storm summary, one per storm, is known by
 * the kill that opened it.
 */
const threadKey = (channel: string, day: string, subject: string, firstKillId: string) =>
  `alert-${hash(`${channel}\n${day}\n${subject}${subject === SUMMARY_SUBJECT ? `\n${firstKillId}` : ""}`)}`;

/** The root of the thread: a workload's shows `latest`, its latest kill. */
function rootMessage(planned: PlannedThread, thread: AlertThread, latest: Kill, t: Messages): SlackMessage {
  if (planned.subject === SUMMARY_SUBJECT)
    return stormSummaryRoot({ kills: thread.kills, workloads: thread.places.length }, t);
  if (planned.subject.startsWith("node:"))
    return nodeAlertRoot(
      {
        node: planned.subject.slice("node:".length),
        containersKilled: thread.kills - thread.places.filter((place) => place.startsWith("node/")).length,
        systemOom: [...planned.kills].reverse().find((kill) => kill.kind === "system-oom") ?? null,
        severity: planned.severity,
      },
      t,
    );
  return workloadAlertRoot({ kill: latest, killsToday: thread.kills, severity: planned.severity }, t);
}

export function deliveryProcessor(deps: DeliveryDeps) {
  const { t } = deps;

  /** Opens the thread or updates its root, then adds the kills as replies; returns the thread saved. */
  async function post(channel: string, planned: PlannedThread, nowMs: number): Promise<AlertThread> {
    const before = planned.existing;
    const fresh = planned.kills.filter((kill) => !before?.killIds.includes(kill.id));
    const thread: AlertThread = {
      channel,
      subject: planned.subject,
      day: planned.day,
      ts: before?.ts ?? "",
      kills: (before?.kills ?? 0) + fresh.length,
      places: [...new Set([...(before?.places ?? []), ...fresh.map(placeOf)])],
      killIds: [...(before?.killIds ?? []), ...fresh.map((kill) => kill.id)],
      openedAt: before?.openedAt ?? new Date(nowMs).toISOString(),
      shown: null,
    };
    // What a delivery posts is remembered under the thread's own key: a retry finds it again.
    const key = threadKey(channel, planned.day, planned.subject, thread.killIds[0] ?? "");
    const latest = planned.kills[planned.kills.length - 1] as Kill;
    const root = rootMessage(planned, thread, latest, t);
    if (before === null) {
      const poster = new ThreadPoster(deps.client, deps.store, deps.metrics, key, channel, "");
      thread.ts = await poster.channelMessage("root", root);
      deps.metrics.alertsSent.inc({ message: planned.subject === SUMMARY_SUBJECT ? "summary" : "thread" });
    } else {
      await new ThreadPoster(deps.client, deps.store, deps.metrics, key, channel, before.ts).updateRoot(root);
      deps.metrics.alertsSent.inc({ message: "update" });
    }
    const poster = new ThreadPoster(deps.client, deps.store, deps.metrics, key, channel, thread.ts);
    const silent = fresh.filter((kill) => kill.kind === "child-process");
    const others = fresh.filter((kill) => kill.kind !== "child-process");
    for (const kill of silent) await poster.reply(`child:${hash(kill.id)}`, childProcessReply(kill, t));
    // A workload thread's root shows its latest kill; the replies list the others, every one of them,
    // and the kill the root showed before, now that it has moved on.
    const workload = planned.subject.startsWith("workload:");
    const movedOn = before?.shown && before.shown.id !== latest.id ? [before.shown] : [];
    const listed = workload ? [...movedOn, ...others.filter((kill) => kill !== latest)] : others;
    if (workload) thread.shown = latest;
    const listKey = hash(listed.map((kill) => kill.id).join("\n"));
    for (const [page, reply] of killsReplies(listed, t).entries())
      await poster.reply(`kills:${listKey}:${page}`, reply);
    if (!planned.subject.startsWith("workload:"))
      deps.metrics.alertsSuppressed.inc(
        { reason: planned.subject === SUMMARY_SUBJECT ? "channel-storm" : "node-storm" },
        fresh.length,
      );
    return thread;
  }

  /** Quiet hours held some kills: their summary is due when the first of those quiet hours ends. */
  async function scheduleQuietEnd(channel: string, subscriptions: AlertSubscription[], nowMs: number) {
    const ends = subscriptions
      .filter((subscription) => inQuiet(subscription, nowMs))
      .map((subscription) => quietEndsMs(subscription, nowMs))
      .filter((end): end is number => end !== null);
    if (ends.length > 0) await deps.queue.quietEnd(channel, Math.min(...ends), nowMs);
  }

  return async function deliver(channel: string): Promise<void> {
    const lock = await deps.deliveries.lock(channel, deps.lockMs);
    // Another delivery holds the channel (or held it, and died): look again once this one is done.
    if (lock === null) {
      await deps.queue.deliverSoon(channel, LOCKED_RETRY_MS);
      return;
    }
    try {
      const nowMs = deps.now();
      const kills = await deps.deliveries.pending(channel, BATCH);
      if (kills.length === 0) return;
      const subscriptions = await deps.subscriptions(channel);
      const day = deliveryDay(subscriptions, nowMs);
      const plan = planDelivery({
        nowMs,
        channel,
        kills,
        subscriptions,
        threads: await deps.deliveries.threads(channel, day),
        openingsLast10Min: await deps.deliveries.openings(channel, nowMs - STORM_WINDOW_MS),
        limits: deps.limits,
      });
      if (plan.held.length > 0) {
        await deps.deliveries.hold(channel, plan.held);
        await scheduleQuietEnd(channel, subscriptions, nowMs);
      }
      for (const planned of plan.threads) {
        // Held past its time (a stalled worker): another delivery may run; what is saved so far stands.
        if (!(await lock.extend())) {
          deps.log("warn", "alerts: the channel's delivery lock lapsed: delivering again later", { channel });
          await deps.queue.deliverSoon(channel, LOCKED_RETRY_MS);
          return;
        }
        const thread = await post(channel, planned, nowMs);
        await deps.deliveries.saveThread(thread);
        if (planned.existing === null) await deps.deliveries.recordOpening(channel, nowMs);
        const about = planned.investigate;
        if (about?.namespace && about.pod)
          await deps.investigations.forAlert({
            channel,
            namespace: about.namespace,
            pod: about.pod,
            threadTs: thread.ts,
            key: about.id,
          });
      }
      await deps.deliveries.delivered(
        channel,
        kills.map((kill) => kill.id),
      );
      if (kills.length === BATCH) await deps.queue.deliverSoon(channel, 0);
      deps.log("info", "alerts delivered", {
        channel,
        kills: kills.length,
        threads: plan.threads.length,
        opened: plan.newThreads,
        held: plan.held.length,
        dropped: plan.dropped.length,
      });
    } finally {
      await lock.release();
    }
  };
}
