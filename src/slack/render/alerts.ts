// Live alerts as Slack messages: the root of a workload's, a node's or a storm's thread, the replies
// that list new kills or explain a silent kill, the summary when quiet hours end, and the channel's
// subscriptions. Pure: kills and subscriptions in, Block Kit out.

import { type AlertSubscription, type Kill, type Severity, workloadOf } from "../../alerts/model.js";
import { isSlackId } from "../../analysis/names.js";
import { formatBytes, formatQuantity } from "../../analysis/quantity.js";
import type { Messages } from "../i18n/catalog.js";
import type { WorkerKind } from "../i18n/en.js";
import { type Block, context, fitMessage, LIMITS, type SlackMessage, section } from "./blocks.js";
import { inert } from "./escape.js";
import { utcText } from "./report.js";

const SEVERITY_ICON: Record<Severity, string> = {
  info: ":large_blue_circle:",
  warning: ":large_orange_circle:",
  critical: ":red_circle:",
};

/** Kills listed in one reply at most; the rest are counted. */
const MAX_LISTED = 15;
/** Kills a quiet-hours summary names itself; past them its thread lists every one. */
export const QUIET_SUMMARY_NAMES = MAX_LISTED;
/** Names longer than this are cut in lists: a line must stay one line. */
const MAX_NAME = 60;

const short = (name: string) =>
  Array.from(name).length > MAX_NAME
    ? `${Array.from(name)
        .slice(0, MAX_NAME - 1)
        .join("")}…`
    : name;

/** `production / Deployment/api`, or the node for a node's kill. */
function placeOf(kill: Kill): string {
  if (kill.namespace === null) return inert(short(kill.node ?? "?"));
  const workload = workloadOf(kill) ?? "?";
  return `${inert(short(kill.namespace))} / ${inert(short(workload))}`;
}

/** How many workloads (or nodes, for node kills) the kills are about. */
export function distinctWorkloads(kills: readonly Kill[]): number {
  return new Set(kills.map(placeOf)).size;
}

const processText = (kill: Kill, t: Messages) =>
  kill.process ? t.alerts.processLine(inert(kill.process.name), kill.process.pid) : null;

const field = (label: string, value: string) => `*${label}*\n${value}`;

/**
 * The root of a workload's thread of the day: what happened last, how many times today, and where.
 * Later kills update it in place.
 */
export function workloadAlertRoot(
  alert: { kill: Kill; killsToday: number; severity: Severity },
  t: Messages,
): SlackMessage {
  const a = t.alerts;
  const { kill } = alert;
  const title = a.workloadTitle(a.heading[kill.kind], placeOf(kill), alert.killsToday);
  const unknown = a.unknown;
  const fields = [
    field(a.field.node, kill.node === null ? unknown : inert(kill.node)),
    field(a.field.pod, kill.pod === null ? unknown : inert(kill.pod)),
    field(a.field.container, kill.container === null ? unknown : inert(kill.container)),
    field(a.field.time, utcText(kill.at)),
    field(a.field.severity, a.severity[alert.severity]),
  ];
  const process = processText(kill, t);
  if (process !== null) fields.push(field(a.field.process, process));
  return fitMessage(
    { text: title, blocks: [section(`${SEVERITY_ICON[alert.severity]} *${title}*`, fields)] },
    t.moreBlocks,
  );
}

/** The root of a node's thread: node pressure killing containers, or its kernel out of memory. */
export function nodeAlertRoot(
  alert: { node: string; containersKilled: number; systemOom: Kill | null; severity: Severity },
  t: Messages,
): SlackMessage {
  const a = t.alerts;
  const node = inert(alert.node);
  const title =
    alert.containersKilled > 0 ? a.nodeTitle(node, alert.containersKilled) : a.nodeOutOfMemory(node);
  const lines = [`${SEVERITY_ICON[alert.severity]} *${title}*`];
  if (alert.systemOom) lines.push(a.systemOom(processText(alert.systemOom, t)));
  return fitMessage({ text: title, blocks: [section(lines.join("\n"))] }, t.moreBlocks);
}

/** The root of the storm's summary thread: what would have opened threads of their own. */
export function stormSummaryRoot(summary: { kills: number; workloads: number }, t: Messages): SlackMessage {
  const title = t.alerts.stormTitle(summary.kills, summary.workloads);
  return fitMessage(
    { text: title, blocks: [section(`:rotating_light: *${title}*`), context(t.alerts.stormNote)] },
    t.moreBlocks,
  );
}

function killLine(kill: Kill, t: Messages): string {
  const pod =
    kill.pod === null
      ? null
      : kill.container === null
        ? inert(short(kill.pod))
        : `${inert(short(kill.pod))} / ${inert(short(kill.container))}`;
  const parts = [
    utcText(kill.at),
    t.alerts.kind[kill.kind],
    placeOf(kill),
    pod,
    kill.namespace === null ? null : inert(short(kill.node ?? "?")),
    processText(kill, t),
  ];
  return `• ${parts.filter((part) => part !== null).join(" · ")}`;
}

/** The lines of the first kills that one section holds under `title` (at most 15), with room for "+N more". */
function fittingLines(title: string, kills: readonly Kill[], t: Messages): string[] {
  const lines = [title];
  const reserve = Array.from(`\n${t.alerts.moreKills(kills.length)}`).length;
  for (const kill of kills.slice(0, MAX_LISTED)) {
    const line = killLine(kill, t);
    if (Array.from([...lines, line].join("\n")).length + reserve > LIMITS.text) break;
    lines.push(line);
  }
  return lines.slice(1);
}

/** The kills as lines under a title, as many as one section holds (at most 15), then "+N more". */
function killList(title: string, kills: readonly Kill[], t: Messages): string {
  const lines = fittingLines(title, kills, t);
  const more = kills.length - lines.length;
  return [title, ...lines, ...(more > 0 ? [t.alerts.moreKills(more)] : [])].join("\n");
}

/** A reply listing kills new to the thread, oldest first (those one message holds, then "+N more"). */
export function killsReply(kills: readonly Kill[], t: Messages): SlackMessage {
  const title = t.alerts.killsTitle(kills.length);
  return fitMessage({ text: title, blocks: [section(killList(title, kills, t))] }, t.moreBlocks);
}

/** Replies listing kills new to the thread, oldest first: as many as it takes to name every one. */
export function killsReplies(kills: readonly Kill[], t: Messages): SlackMessage[] {
  const replies: SlackMessage[] = [];
  for (let start = 0; start < kills.length; ) {
    const rest = kills.slice(start);
    // A page's own title counts fewer kills or as many: it is no longer than this one.
    const title = t.alerts.killsTitle(Math.min(rest.length, MAX_LISTED));
    const count = Math.max(1, fittingLines(title, rest, t).length);
    replies.push(killsReply(rest.slice(0, count), t));
    start += count;
  }
  return replies;
}

/** The kind of server a process is a worker of, by its name (the kernel's 15-character comm). */
export function workerKind(name: string): WorkerKind {
  if (/^(gunicorn|uwsgi|celery|python[\d.]*|daphne|uvicorn)\b/i.test(name)) return "python";
  if (/^php-fpm/i.test(name)) return "php-fpm";
  if (/^(postgres|postmaster)\b/i.test(name)) return "postgres";
  if (/^(sh|bash|ash|dash|zsh|ksh)$/.test(name)) return "shell";
  return "other";
}

function memoryLine(kill: Kill, t: Messages): string | null {
  const c = t.alerts.child;
  const resident = kill.process?.residentBytes ?? null;
  const limit = kill.process?.limitBytes ?? null;
  if (resident !== null && limit !== null)
    return c.memory(
      formatBytes(resident),
      formatQuantity(limit),
      `${((resident / limit) * 100).toFixed(0)}%`,
    );
  if (resident !== null) return c.residentOnly(formatBytes(resident));
  if (limit !== null) return c.limitOnly(formatQuantity(limit));
  return null;
}

/** A reply on a silent kill: which process, its memory against the limit, and what to do about it. */
export function childProcessReply(kill: Kill, t: Messages): SlackMessage {
  const c = t.alerts.child;
  const name = kill.process?.name ?? "?";
  const title = c.title(placeOf(kill), inert(name), kill.process?.pid ?? 0);
  const lines = [`:ghost: ${title}`];
  if (kill.pod !== null)
    lines.push(c.place(inert(kill.pod), kill.container === null ? null : inert(kill.container)));
  const memory = memoryLine(kill, t);
  if (memory !== null) lines.push(memory);
  const blocks: Block[] = [
    section(lines.join("\n")),
    section(`*${c.whatToDo}*\n${c.advice[workerKind(name)]}`),
    context(c.why),
  ];
  return fitMessage({ text: title, blocks }, t.moreBlocks);
}

/** What quiet hours held back, once they are over. */
export function quietSummaryMessage(
  summary: { kills: readonly Kill[]; quiet: { from: string; to: string }; tz: string },
  t: Messages,
): SlackMessage {
  const { kills, quiet } = summary;
  const title = t.alerts.quietOver(
    quiet.from,
    quiet.to,
    inert(summary.tz),
    kills.length,
    distinctWorkloads(kills),
  );
  return fitMessage(
    { text: title, blocks: [section(killList(`:sunrise: ${title}`, kills, t))] },
    t.moreBlocks,
  );
}

/** A subscription's settings in words: its minimum severity and quiet hours, when it has them. */
export function watchDetails(subscription: AlertSubscription, t: Messages): string {
  const a = t.alerts;
  const details = [
    subscription.minSeverity === "info" ? null : a.atLeast(a.severity[subscription.minSeverity]),
  ];
  if (subscription.quiet)
    details.push(a.quietHours(subscription.quiet.from, subscription.quiet.to, inert(subscription.tz)));
  return details.filter((detail) => detail !== null).join(" · ");
}

/** `/oom watch list`: the channel's subscriptions, its own and those the configuration routes here. */
export function watchListMessage(subscriptions: readonly AlertSubscription[], t: Messages): SlackMessage {
  const a = t.alerts;
  if (subscriptions.length === 0)
    return fitMessage({ text: a.listEmpty, blocks: [section(a.listEmpty)] }, t.moreBlocks);
  const lines = subscriptions.map((subscription) => {
    const who =
      subscription.createdBy === "config"
        ? a.byConfig
        : isSlackId(subscription.createdBy)
          ? a.byUser(subscription.createdBy)
          : inert(subscription.createdBy);
    const details = watchDetails(subscription, t);
    return `• \`${inert(subscription.id)}\` · \`${inert(subscription.scope)}\`${details ? ` · ${details}` : ""} · ${who}`;
  });
  return fitMessage({ text: a.listTitle, blocks: sections([a.listTitle, ...lines]) }, t.moreBlocks);
}

/**
 * The silent kills of a report's or a digest's scope, one line per workload and process name, the
 * most frequent first; null when there are none.
 */
export function silentKillsText(kills: readonly Kill[], t: Messages): string | null {
  if (kills.length === 0) return null;
  const groups = new Map<string, { kill: Kill; count: number; last: string }>();
  for (const kill of kills) {
    const key = `${placeOf(kill)}\n${kill.process?.name ?? "?"}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { kill, count: 1, last: kill.at });
    else {
      group.count += 1;
      if (kill.at > group.last) group.last = kill.at;
    }
  }
  const lines = [...groups.values()]
    .sort((a, b) => b.count - a.count || b.last.localeCompare(a.last))
    .slice(0, MAX_LISTED)
    .map(
      ({ kill, count, last }) =>
        `• ${t.alerts.silentLine(count, inert(short(kill.process?.name ?? "?")), placeOf(kill), utcText(last))}`,
    );
  return [t.alerts.silentTitle, ...lines].join("\n");
}

/** Lines in as few sections as hold them, never cutting a line. */
function sections(lines: string[]): Block[] {
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts[texts.length - 1];
    if (last !== undefined && Array.from(`${last}\n${line}`).length <= LIMITS.text)
      texts[texts.length - 1] = `${last}\n${line}`;
    else texts.push(line);
  }
  return texts.map((text) => section(text));
}
