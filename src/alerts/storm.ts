// Which thread each of a channel's pending kills goes to, so that a storm stays readable: one thread
// per workload per day, one per node when node pressure kills many pods at once, and past a number of
// new threads in ten minutes one summary thread for the rest. Quiet hours hold kills back; kills no
// subscription is loud enough for are dropped. Pure: the delivery job posts what the plan says.

import { workloadKey } from "../analysis/workload-key.js";
import { type AlertSubscription, type AlertThread, type Kill, type Severity, workloadOf } from "./model.js";
import { dayOf, inQuiet, loudEnough, matches, severityOf, severityRank } from "./routing.js";

/** Storm control counts the threads a channel opened in this long. */
export const STORM_WINDOW_MS = 600_000;

export const SUMMARY_SUBJECT = "summary";

export interface DeliveryLimits {
  /** New threads a channel may open in ten minutes before the rest go to one summary thread. */
  maxNewThreads: number;
  /** Kills of this many distinct pods on one node in one delivery make it a node-pressure storm. */
  nodeStormKills: number;
}

export interface DeliveryInput {
  nowMs: number;
  channel: string;
  /** The channel's pending kills, oldest first. */
  kills: readonly Kill[];
  /** The channel's subscriptions, alerts.routes included. */
  subscriptions: readonly AlertSubscription[];
  /** The channel's threads of today (see `deliveryDay`), and the storm summary if one is open. */
  threads: readonly AlertThread[];
  /** Threads the channel opened in the last ten minutes. */
  openingsLast10Min: number;
  limits: DeliveryLimits;
}

export interface PlannedThread {
  /** `workload:<namespace/Kind/name>`, `node:<name>` or `summary`. */
  subject: string;
  day: string;
  /** The thread to add to; null when it is to be opened. */
  existing: AlertThread | null;
  /** Its kills in this delivery, oldest first. */
  kills: Kill[];
  /** The loudest of them. */
  severity: Severity;
  /** The kill a workload thread's investigation is about: its latest kill or eviction; else null. */
  investigate: Kill | null;
}

export interface DeliveryPlan {
  /** Every subscription loud enough for them is in its quiet hours: to sum up when those end. */
  held: Kill[];
  /** No subscription of the channel covering them asked for kills this quiet. */
  dropped: Kill[];
  threads: PlannedThread[];
  /** How many of `threads` are to be opened. */
  newThreads: number;
}

export const workloadSubject = (namespace: string, workload: string): string =>
  `workload:${workloadKey(namespace, workload)}`;
export const nodeSubject = (node: string): string => `node:${node}`;

/**
 * The day the channel's threads belong to: on the calendar of its oldest subscription's zone, so that
 * all its threads turn over at one midnight.
 */
export function deliveryDay(subscriptions: readonly AlertSubscription[], nowMs: number): string {
  const oldest = [...subscriptions].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  )[0];
  return dayOf(nowMs, oldest?.tz ?? "UTC");
}

/** The workload thread a pod's kill belongs to; null for a node's kill. */
function ownSubject(kill: Kill): string | null {
  if (kill.namespace === null) return null;
  const workload = workloadOf(kill);
  return workload === null ? null : workloadSubject(kill.namespace, workload);
}

const isPodKill = (kill: Kill) => kill.kind === "oom-killed" || kill.kind === "evicted";

interface Judged {
  kill: Kill;
  severity: Severity;
  /** Its place among the pending kills. */
  order: number;
}

/** Severity (with the workload's kills so far today), then held, dropped or to be posted. */
function judge(input: DeliveryInput, today: readonly AlertThread[]) {
  const held: Kill[] = [];
  const dropped: Kill[] = [];
  const posted: Judged[] = [];
  const killsToday = new Map<string, number>();
  for (const [order, kill] of input.kills.entries()) {
    const subject = ownSubject(kill);
    if (subject !== null) {
      const before =
        killsToday.get(subject) ?? today.find((thread) => thread.subject === subject)?.kills ?? 0;
      killsToday.set(subject, before + 1);
    }
    const severity = severityOf(kill, subject === null ? 1 : (killsToday.get(subject) ?? 1));
    const listening = input.subscriptions.filter(
      (subscription) => matches(subscription, kill.namespace) && loudEnough(subscription, severity),
    );
    if (listening.length === 0) dropped.push(kill);
    else if (severity !== "critical" && listening.every((s) => inQuiet(s, input.nowMs))) held.push(kill);
    else posted.push({ kill, severity, order });
  }
  return { held, dropped, posted };
}

/** Nodes where this delivery holds kills of `nodeStormKills` or more distinct pods. */
function stormNodes(posted: readonly Judged[], nodeStormKills: number): Set<string> {
  const pods = new Map<string, Set<string>>();
  for (const { kill } of posted) {
    if (!isPodKill(kill) || kill.node === null) continue;
    const seen = pods.get(kill.node) ?? new Set<string>();
    seen.add(kill.podUid ?? kill.pod ?? kill.id);
    pods.set(kill.node, seen);
  }
  return new Set([...pods].filter(([, seen]) => seen.size >= nodeStormKills).map(([node]) => node));
}

const loudest = (judged: readonly Judged[]): Severity =>
  judged.reduce<Severity>(
    (worst, { severity }) => (severityRank(severity) > severityRank(worst) ? severity : worst),
    "info",
  );

/** The latest container kill or eviction of the thread: what its investigation is about. */
function latestPodKill(judged: readonly Judged[]): Kill | null {
  let latest: Kill | null = null;
  for (const { kill } of judged) {
    if (isPodKill(kill) && (latest === null || Date.parse(kill.at) >= Date.parse(latest.at))) latest = kill;
  }
  return latest;
}

/**
 * Plans one delivery to a channel. Every kill is held, dropped, or in exactly one planned thread; no
 * more than `maxNewThreads` threads open in ten minutes, plus at most one summary for the rest.
 */
export function planDelivery(input: DeliveryInput): DeliveryPlan {
  const day = deliveryDay(input.subscriptions, input.nowMs);
  const today = input.threads.filter((thread) => thread.day === day);
  const { held, dropped, posted } = judge(input, today);
  const storms = stormNodes(posted, input.limits.nodeStormKills);
  const hasThread = (subject: string) => today.some((thread) => thread.subject === subject);

  const subjectOf = (kill: Kill): string => {
    const own = ownSubject(kill);
    if (kill.kind === "child-process" && own !== null) return own;
    const node = kill.node === null ? null : nodeSubject(kill.node);
    if (node !== null && (kill.kind === "system-oom" || storms.has(kill.node ?? "") || hasThread(node)))
      return node;
    return own ?? node ?? nodeSubject("unknown");
  };

  const bySubject = new Map<string, Judged[]>();
  for (const judged of posted) {
    const subject = subjectOf(judged.kill);
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), judged]);
  }

  let room = Math.max(0, input.limits.maxNewThreads - input.openingsLast10Min);
  const threads: PlannedThread[] = [];
  const overflow: Judged[] = [];
  for (const [subject, judged] of bySubject) {
    const existing = today.find((thread) => thread.subject === subject) ?? null;
    if (existing === null && room === 0) {
      overflow.push(...judged);
      continue;
    }
    if (existing === null) room--;
    const investigate = subject.startsWith("workload:") ? latestPodKill(judged) : null;
    threads.push({
      subject,
      day,
      existing,
      kills: judged.map(({ kill }) => kill),
      severity: loudest(judged),
      investigate,
    });
  }
  if (overflow.length > 0) {
    const open = input.threads.find(
      (thread) =>
        thread.subject === SUMMARY_SUBJECT && Date.parse(thread.openedAt) >= input.nowMs - STORM_WINDOW_MS,
    );
    threads.push({
      subject: SUMMARY_SUBJECT,
      day: open?.day ?? day,
      existing: open ?? null,
      kills: overflow.sort((a, b) => a.order - b.order).map(({ kill }) => kill),
      severity: loudest(overflow),
      investigate: null,
    });
  }
  return { held, dropped, threads, newThreads: threads.filter((thread) => !thread.existing).length };
}
