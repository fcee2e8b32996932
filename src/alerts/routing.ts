// Who hears of a kill, how loudly, and when: scopes, severities, quiet hours and the calendar day, in
// each subscription's own time zone. Pure: every clock reading is an argument.

import { addDays, gapEnd, instantsAt, type WallTime, wallTimeAt } from "../analysis/local-time.js";
import { type AlertSubscription, type Kill, SEVERITIES, type Severity } from "./model.js";

/** How many kills of a workload in a day make the latest critical. */
const CRITICAL_KILLS_A_DAY = 3;

/**
 * How loud a kill is: a node's kernel running out of memory is critical, as is a workload's third or
 * later kill of the day (`killsToday` counts this one); a container's kill or eviction is a warning; a
 * process killed inside a container that kept running is worth knowing.
 */
export function severityOf(kill: Kill, killsToday: number): Severity {
  switch (kill.kind) {
    case "system-oom":
      return "critical";
    case "child-process":
      return "info";
    case "oom-killed":
    case "evicted":
      return killsToday >= CRITICAL_KILLS_A_DAY ? "critical" : "warning";
  }
}

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** At least as loud as the subscription asked for. */
export const loudEnough = (subscription: AlertSubscription, severity: Severity): boolean =>
  severityRank(severity) >= severityRank(subscription.minSeverity);

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/**
 * Whether the subscription covers the namespace: "all" covers everything, node kills (no namespace)
 * included; a scope with `*` (from alerts.routes) is a pattern; any other scope is one namespace.
 */
export function matches(subscription: AlertSubscription, namespace: string | null): boolean {
  const scope = subscription.scope;
  if (scope === "all") return true;
  if (namespace === null) return false;
  return scope.includes("*") ? globToRegExp(scope).test(namespace) : scope === namespace;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an `HH:MM`, or null. */
function minutesOf(time: string): number | null {
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** The quiet hours as minutes after midnight, when they are well formed and not empty. */
function quietMinutes(subscription: AlertSubscription): { from: number; to: number } | null {
  if (!subscription.quiet) return null;
  const from = minutesOf(subscription.quiet.from);
  const to = minutesOf(subscription.quiet.to);
  return from === null || to === null || from === to ? null : { from, to };
}

const minuteOfDay = (wall: WallTime) => wall.hour * 60 + wall.minute;

/** Whether `nowMs` falls in the subscription's quiet hours, as its zone's clock reads; `to` is outside. */
export function inQuiet(subscription: AlertSubscription, nowMs: number): boolean {
  const quiet = quietMinutes(subscription);
  if (!quiet) return false;
  const minute = minuteOfDay(wallTimeAt(nowMs, subscription.tz));
  return quiet.from < quiet.to
    ? minute >= quiet.from && minute < quiet.to
    : minute >= quiet.from || minute < quiet.to;
}

/**
 * When the quiet hours `nowMs` falls in end: the first instant after it at which the zone's clock
 * reads `to` or later (where a spring-forward gap swallows `to`, the end of the gap); null outside
 * quiet hours.
 */
export function quietEndsMs(subscription: AlertSubscription, nowMs: number): number | null {
  const quiet = quietMinutes(subscription);
  if (!quiet || !inQuiet(subscription, nowMs)) return null;
  const now = wallTimeAt(nowMs, subscription.tz);
  const day = quiet.to > minuteOfDay(now) ? now : addDays(now, 1);
  const end = { ...day, hour: Math.floor(quiet.to / 60), minute: quiet.to % 60 };
  return instantsAt(end, subscription.tz).find((ms) => ms > nowMs) ?? gapEnd(end, subscription.tz);
}

const pad = (value: number) => String(value).padStart(2, "0");

/** `YYYY-MM-DD`: the day of `nowMs` on the calendar of `tz`. */
export function dayOf(nowMs: number, tz: string): string {
  const wall = wallTimeAt(nowMs, tz);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

/**
 * The channels that hear of a kill, each with its subscriptions that cover it. A kill goes only where
 * the channel map lets its namespace be shown (a node's kill, with none, where every namespace may);
 * a node's kill only to channels subscribed to "all".
 */
export function routeKill(
  kill: Kill,
  subscriptions: readonly AlertSubscription[],
  channelAllows: (channel: string, namespace: string | null) => boolean,
): Map<string, AlertSubscription[]> {
  const routes = new Map<string, AlertSubscription[]>();
  const namespace = kill.namespace;
  for (const subscription of subscriptions) {
    if (!matches(subscription, namespace)) continue;
    if (!channelAllows(subscription.channel, namespace)) continue;
    routes.set(subscription.channel, [...(routes.get(subscription.channel) ?? []), subscription]);
  }
  return routes;
}

/** `alerts.routes` as subscriptions (`route-1`, ...): listed with the channel's own, never stored. */
export function routeSubscriptions(
  routes: ReadonlyArray<{
    namespaces: string;
    channel: string;
    minSeverity: Severity;
    quiet: { from: string; to: string } | null;
    tz: string;
  }>,
): AlertSubscription[] {
  return routes.map((route, index) => ({
    id: `route-${index + 1}`,
    channel: route.channel,
    scope: route.namespaces,
    minSeverity: route.minSeverity,
    quiet: route.quiet,
    tz: route.tz,
    createdBy: "config",
    // Older than any made from Slack: a channel's day follows its configured route first.
    createdAt: "1970-01-01T00:00:00.000Z",
  }));
}
