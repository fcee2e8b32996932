// The investigation report as Slack messages: the summary that ends in the root message, one thread
// reply per affected workload, and a reply for unreadable nodes. Pure: report in, Block Kit out.

import type { Verdict } from "../../analysis/diagnose.js";
import { formatBytes, formatQuantity } from "../../analysis/quantity.js";
import type { ErrorKind } from "../../errors.js";
import { visibleExcerpt } from "../../report/kernel-excerpt.js";
import type { FindingJson, NodeStatusJson, Report } from "../../report/model.js";
import { isKill, worstFirst } from "../../report/severity.js";
import type { Messages } from "../i18n/catalog.js";
import {
  type Block,
  type ButtonElement,
  button,
  context,
  fitMessage,
  LIMITS,
  type SlackMessage,
  section,
  staticSelect,
} from "./blocks.js";
import { errorText } from "./errors.js";
import { codeBlock, entities, inert } from "./escape.js";
import { historyBlock } from "./history.js";
import { groupByWorkload, type WorkloadGroup } from "./workloads.js";

export const ACTIONS = {
  propose: "propose_limit",
  kernelLog: "show_kernel_log",
  snooze: "snooze_workload",
  unsnooze: "unsnooze_workload",
  showActions: "show_workload_actions",
} as const;

export interface ReportContext {
  t: Messages;
  /** Kernel report lines shown inline; longer reports are attached. */
  excerptLines: number;
  snoozeDays: number;
  /** The opaque id the buttons of a workload's reply carry. */
  findingId: (group: WorkloadGroup) => string;
}

const VERDICT_ICON: Record<Verdict, string> = {
  "container-limit": ":red_circle:",
  "pod-limit": ":red_circle:",
  "node-allocatable": ":large_orange_circle:",
  "node-pressure": ":large_orange_circle:",
  evicted: ":large_orange_circle:",
  "killed-not-oom": ":large_yellow_circle:",
  "child-process": ":large_yellow_circle:",
  "no-evidence": ":white_circle:",
};

const BAR_CELLS = 20;

/** A text bar for a fraction, e.g. `▓▓▓▓▓▓▓▓▓▓░░░░░░░░░░`; over 1 is shown full. */
export function textBar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR_CELLS, Math.round(fraction * BAR_CELLS)));
  return `${"▓".repeat(filled)}${"░".repeat(BAR_CELLS - filled)}`;
}

/** `2021-07-12 04:11:16 UTC` from an ISO instant. */
export function utcText(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

const workloadName = (group: WorkloadGroup) => `${group.kind} ${group.name}`;

function memoryField(finding: FindingJson, t: Messages): string | null {
  const limit = finding.memoryLimitBytes;
  const resident = finding.kernelEvent?.residentBytes ?? null;
  const lines: string[] = [];
  if (limit !== null && resident !== null) {
    const share = `${((resident / limit) * 100).toFixed(0)}%`;
    lines.push(t.evidence.limitVsResident(formatQuantity(limit), formatBytes(resident), share));
    lines.push(`\`${textBar(resident / limit)}\``);
  } else if (limit === null) {
    lines.push(t.evidence.noLimit);
  }
  const event = finding.kernelEvent;
  if (event?.memcgUsageBytes != null && event.memcgLimitBytes != null && event.failcnt != null) {
    lines.push(
      t.evidence.cgroup(
        formatQuantity(event.memcgUsageBytes),
        formatQuantity(event.memcgLimitBytes),
        event.failcnt,
      ),
    );
  }
  return lines.length > 0 ? `*${t.evidence.memory}*\n${lines.join("\n")}` : null;
}

function victimField(finding: FindingJson, t: Messages): string | null {
  const victim = finding.kernelEvent?.victim;
  if (!victim) return null;
  const lines = [t.evidence.victimLine(inert(victim.comm), victim.pid)];
  if (victim.anonRssBytes !== null) {
    lines.push(
      t.evidence.rss(
        formatBytes(victim.anonRssBytes),
        formatBytes(victim.fileRssBytes ?? 0),
        formatBytes(victim.shmemRssBytes ?? 0),
      ),
    );
  }
  if (victim.totalVmBytes !== null) lines.push(t.evidence.totalVm(formatBytes(victim.totalVmBytes)));
  return `*${t.evidence.victim}*\n${lines.join("\n")}`;
}

function qosField(finding: FindingJson, t: Messages): string {
  const e = t.evidence;
  const request = finding.memoryRequestBytes === null ? e.none : formatQuantity(finding.memoryRequestBytes);
  const adj = finding.kernelEvent?.victim?.oomScoreAdj;
  const qos = finding.qosClass === null ? e.unknown : inert(finding.qosClass);
  return `*${e.qos}*\n${e.qosLine(qos, request, adj == null ? e.unknown : String(adj))}`;
}

function whenField(finding: FindingJson, t: Messages): string {
  const e = t.evidence;
  const time = finding.kernelEvent?.time ?? finding.lastTermination?.finishedAt ?? null;
  const lines = [time === null ? e.unknown : utcText(time)];
  if (finding.clockSkewSeconds !== null && finding.matchedBy !== null)
    lines.push(e.skew(finding.clockSkewSeconds, e.matchedBy[finding.matchedBy]));
  return `*${e.killed}*\n${lines.join("\n")}`;
}

function evidenceFields(finding: FindingJson, t: Messages): string[] {
  const e = t.evidence;
  const perDay = finding.restartsPerDay === null ? e.unknown : finding.restartsPerDay.toFixed(1);
  return [
    memoryField(finding, t),
    victimField(finding, t),
    qosField(finding, t),
    `*${e.restarts}*\n${e.restartsLine(finding.restartCount, perDay)}`,
    `*${e.node}*\n${finding.node === null ? e.unknown : inert(finding.node)}`,
    whenField(finding, t),
  ].filter((field): field is string => field !== null);
}

function recommendationBlock(finding: FindingJson, t: Messages): Block {
  const rec = finding.recommendation;
  if (!rec || (rec.memoryLimit === null && rec.memoryRequest === null)) {
    const reasons = rec?.notes.map((note) => `• ${t.reason(note)}`) ?? [];
    return section([`*${t.recommendation}*`, t.noRecommendation, ...reasons].join("\n"));
  }
  const current = (bytes: number | null) => (bytes === null ? t.evidence.none : formatQuantity(bytes));
  const changes = [
    rec.memoryLimit === null
      ? null
      : `• ${t.recommendLimit(current(finding.memoryLimitBytes), rec.memoryLimit)}`,
    rec.memoryRequest === null
      ? null
      : `• ${t.recommendRequest(current(finding.memoryRequestBytes), rec.memoryRequest)}`,
  ].filter((line): line is string => line !== null);
  return section(
    [`*${t.recommendation}*`, ...changes, ...rec.notes.map((note) => `> ${t.reason(note)}`)].join("\n"),
  );
}

/** The kernel report as the channel may see it: other processes' task-table rows folded into one line. */
export function kernelLines(finding: FindingJson, t: Messages): string[] {
  return visibleExcerpt(finding).map((line) =>
    line.kind === "line" ? line.text : t.otherTasks(line.tasks.count, formatBytes(line.tasks.residentBytes)),
  );
}

/** The kernel report lines shown inline, and whether the whole report must be attached. */
export function kernelExcerpt(
  finding: FindingJson,
  excerptLines: number,
  t: Messages,
): { shown: string[]; total: number; attach: boolean } {
  const lines = kernelLines(finding, t);
  return { shown: lines.slice(0, excerptLines), total: lines.length, attach: lines.length > excerptLines };
}

/** What a workload's buttons need: the opaque id they carry, and which of them apply. */
export interface ButtonTarget {
  id: string;
  recommendedLimit: string | null;
  hasKernelReport: boolean;
}

function workloadButtons(target: ButtonTarget, t: Messages, snoozeDays: number): ButtonElement[] {
  return [
    target.recommendedLimit
      ? button(ACTIONS.propose, t.buttons.propose(target.recommendedLimit), target.id, "primary")
      : null,
    target.hasKernelReport ? button(ACTIONS.kernelLog, t.buttons.kernelLog, target.id) : null,
    button(ACTIONS.snooze, t.buttons.snooze(snoozeDays), target.id),
  ].filter((element) => element !== null);
}

export function workloadReply(group: WorkloadGroup, ctx: ReportContext): SlackMessage {
  const { t } = ctx;
  const finding = group.primary;
  const id = ctx.findingId(group);
  const headline = `${VERDICT_ICON[finding.verdict]} *${inert(workloadName(group))}* · ${t.verdictName[finding.verdict]}`;
  const blocks: Block[] = [
    section(
      `${headline}\n${inert(finding.pod)} / ${inert(finding.container)}: ${t.verdictLine[finding.verdict]}`,
    ),
    { type: "section", fields: evidenceFields(finding, t).map((text) => ({ type: "mrkdwn", text })) },
  ];
  const notes: string[] = [];
  const others = group.findings.filter((other) => other !== finding);
  if (others.length > 0)
    notes.push(
      t.evidence.alsoAffected(others.map((o) => `${inert(o.pod)} (${t.verdictName[o.verdict]})`).join(", ")),
    );
  if (finding.kubernetesEvents.length > 0)
    notes.push(
      t.evidence.events(finding.kubernetesEvents.map((e) => `${inert(e.reason)} ×${e.count}`).join(", ")),
    );
  if (notes.length > 0) blocks.push(context(...notes));
  const excerpt = kernelExcerpt(finding, ctx.excerptLines, t);
  if (excerpt.shown.length > 0) {
    const node = inert(finding.kernelEvent?.node ?? finding.node ?? "?");
    blocks.push(section(`${t.kernelReport(node)}\n${codeBlock(excerpt.shown)}`));
    if (excerpt.attach) blocks.push(context(t.kernelTruncated(excerpt.shown.length, excerpt.total)));
  }
  if (finding.history) blocks.push(historyBlock(finding.history, t));
  blocks.push(recommendationBlock(finding, t));
  const target = {
    id,
    recommendedLimit: finding.recommendation?.memoryLimit ?? null,
    hasKernelReport: finding.kernelEvent !== null,
  };
  blocks.push({ type: "actions", elements: workloadButtons(target, t, ctx.snoozeDays) });
  return fitMessage(
    { text: `${inert(workloadName(group))}: ${t.verdictName[finding.verdict]}`, blocks },
    t.moreBlocks,
  );
}

/** Columns a text takes in a monospace font: CJK characters take two. */
function displayWidth(text: string): number {
  return Array.from(text).reduce((sum, ch) => sum + (/[\u1100-\uFFFF]/.test(ch) ? 2 : 1), 0);
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

const MAX_NAME = 44;

function tableRow(group: WorkloadGroup, t: Messages): string[] {
  const name = workloadName(group);
  const lastKill = group.severity.lastKill;
  return [
    name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name,
    String(group.findings.length),
    String(group.restarts),
    lastKill === null ? "-" : `${lastKill.slice(5, 16).replace("T", " ")}Z`,
    t.verdictName[group.primary.verdict],
  ];
}

/** Rows as a table in a code block, aligned for a monospace font. */
function codeTable(rows: string[][], t: Messages): string {
  const header = [t.table.workload, t.table.containers, t.table.restarts, t.table.lastKill, t.table.verdict];
  const widths = header.map((title, column) =>
    Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row[column] ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, (widths[column] ?? 0) + 2)))
      .join("");
  // Padded first, escaped after: an entity takes one column on screen.
  return ["```", ...[line(header), ...rows.map(line)].map(inert), "```"].join("\n");
}

const length = (text: string) => Array.from(text).length;

/**
 * The workloads as tables in at most `maxTexts` section texts, each within Slack's limit. A row is
 * never cut: the rows that do not fit are left out, and the last text ends with "+N more".
 */
function tableTexts(
  groups: WorkloadGroup[],
  t: Messages,
  maxTexts: number,
): { texts: string[]; shown: number } {
  const rows = groups.map((group) => tableRow(group, t));
  const reserve = length(`\n${t.moreWorkloads(rows.length)}`);
  // How many rows from `start` fit in one text beside `room` characters.
  const fitting = (start: number, room: number) => {
    let count = 0;
    while (
      start + count < rows.length &&
      length(codeTable(rows.slice(start, start + count + 1), t)) + room <= LIMITS.text
    )
      count++;
    return count;
  };
  const texts: string[] = [];
  let shown = 0;
  while (shown < rows.length && texts.length < maxTexts) {
    let count = fitting(shown, 0);
    if (texts.length === maxTexts - 1 && shown + count < rows.length) count = fitting(shown, reserve);
    if (count === 0) break;
    texts.push(codeTable(rows.slice(shown, shown + count), t));
    shown += count;
  }
  const hidden = rows.length - shown;
  if (hidden > 0) {
    const more = t.moreWorkloads(hidden);
    if (texts.length > 0) texts[texts.length - 1] = `${texts[texts.length - 1]}\n${more}`;
    else texts.push(more);
  }
  return { texts, shown };
}

export interface SummaryContext {
  t: Messages;
  user: string;
  /** Workloads left out because someone snoozed them. */
  snoozed: number;
  /** No metrics server is set: say once what its history would add. */
  withoutHistory?: boolean;
}

/** The root message once the investigation is done: the table, or the quiet-day message. */
export function summaryMessage(report: Report, groups: WorkloadGroup[], ctx: SummaryContext): SlackMessage {
  const { t } = ctx;
  const namespace = inert(report.namespace ?? "?");
  const notes = [
    t.requestedBy(ctx.user),
    ...(ctx.snoozed > 0 ? [t.snoozedHidden(ctx.snoozed)] : []),
    ...(ctx.withoutHistory && groups.length > 0 ? [t.history.without] : []),
  ];
  const unread = report.nodes.filter((node) => node.status !== "ok").length;
  if (groups.length === 0 && ctx.snoozed > 0) {
    const text = t.rootAllSnoozed(namespace, ctx.snoozed);
    return fitMessage({ text, blocks: [section(text), context(t.requestedBy(ctx.user))] }, t.moreBlocks);
  }
  if (groups.length === 0) {
    const top = [...report.workloads]
      .filter((w) => w.restarts > 0)
      .sort((a, b) => b.restarts - a.restarts || a.name.localeCompare(b.name))
      .slice(0, 5)
      .map((w) => `• ${t.restartsLine(inert(`${w.kind} ${w.name}`), w.restarts, w.pods)}`);
    const body = top.length > 0 ? `${t.topRestarters}\n${top.join("\n")}` : t.noRestarts;
    return fitMessage(
      {
        text: t.rootQuiet(namespace),
        blocks: [section(`${t.rootQuiet(namespace)}\n${body}`), context(...notes)],
      },
      t.moreBlocks,
    );
  }
  const text = t.rootDone(
    namespace,
    groups.reduce((sum, group) => sum + group.findings.length, 0),
  );
  const table = tableTexts(groups, t, 1);
  const blocks: Block[] = [section(text), ...table.texts.map((tableText) => section(tableText))];
  if (unread > 0) notes.push(t.nodesUnreadCount(unread));
  blocks.push(context(...notes));
  return fitMessage({ text, blocks }, t.moreBlocks);
}

/** The groups worth a thread reply: workloads with a kill, the worst first. */
export function affectedGroups(report: Report): WorkloadGroup[] {
  return groupByWorkload(report)
    .filter((group) => group.findings.some(isKill))
    .sort(worstFirst);
}

/**
 * One reply for the workloads that get none of their own: a compact table, and menus that show a
 * chosen workload's buttons, within Slack's 50 blocks.
 */
export function sharedReply(groups: WorkloadGroup[], ctx: ReportContext): SlackMessage {
  const { t } = ctx;
  const title = t.otherWorkloads(groups.length);
  const menus = Math.ceil(groups.length / LIMITS.selectOptions);
  const table = tableTexts(groups, t, Math.max(1, LIMITS.blocks - 1 - menus));
  const blocks: Block[] = [section(title), ...table.texts.map((text) => section(text))];
  const listed = groups.slice(0, table.shown);
  for (let start = 0; start < listed.length; start += LIMITS.selectOptions) {
    const options = listed
      .slice(start, start + LIMITS.selectOptions)
      .map((group) => ({ label: workloadName(group), value: ctx.findingId(group) }));
    blocks.push({ type: "actions", elements: [staticSelect(ACTIONS.showActions, t.showActions, options)] });
  }
  return fitMessage({ text: title, blocks }, t.moreBlocks);
}

/** A workload of the shared reply, with the buttons its own reply would have. */
export interface WorkloadActionsTarget extends ButtonTarget {
  kind: string;
  name: string;
  pod: string;
  container: string;
}

/** The buttons of one workload, shown on demand to whoever picked it in the shared reply's menu. */
export function workloadActionsMessage(
  target: WorkloadActionsTarget,
  t: Messages,
  snoozeDays: number,
): SlackMessage {
  const text = t.workloadActions(
    inert(`${target.kind} ${target.name}`),
    inert(`${target.pod} / ${target.container}`),
  );
  return fitMessage(
    { text, blocks: [section(text), { type: "actions", elements: workloadButtons(target, t, snoozeDays) }] },
    t.moreBlocks,
  );
}

type FailedNode = NodeStatusJson & { status: ErrorKind };

/** What kept a node's journal away, as far as a channel may hear it: addresses and SSH details stay in the logs. */
function nodeLine(node: FailedNode, t: Messages): string {
  const error = { kind: node.status, message: node.message ?? "", ...(node.hint ? { hint: node.hint } : {}) };
  return `• *${inert(node.node)}*: ${errorText(error, t)}`;
}

/** A reply for what kept evidence away: unreadable nodes and the report's warnings; null when none. */
export function notesReply(report: Report, t: Messages): SlackMessage | null {
  const failed = report.nodes.filter((node): node is FailedNode => node.status !== "ok");
  if (failed.length === 0 && report.warnings.length === 0) return null;
  const blocks: Block[] = [];
  if (failed.length > 0)
    blocks.push(section([t.nodesUnread, ...failed.map((node) => nodeLine(node, t))].join("\n")));
  if (report.warnings.length > 0)
    blocks.push(
      section([t.warnings, ...report.warnings.map((warning) => `• ${entities(warning)}`)].join("\n")),
    );
  return fitMessage({ text: failed.length > 0 ? t.nodesUnread : t.warnings, blocks }, t.moreBlocks);
}
