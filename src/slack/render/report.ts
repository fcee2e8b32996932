// The investigation report as Slack messages: the summary that ends in the root message, one thread
// reply per affected workload, and a reply for unreadable nodes. Pure: report in, Block Kit out.

import type { Verdict } from "../../analysis/diagnose.js";
import { formatBytes, formatQuantity } from "../../analysis/quantity.js";
import type { ErrorKind } from "../../errors.js";
import { visibleExcerpt } from "../../report/kernel-excerpt.js";
import type { FindingJson, NodeStatusJson, Report } from "../../report/model.js";
import type { Messages } from "../i18n/catalog.js";
import { type Block, button, context, fitMessage, type SlackMessage, section } from "./blocks.js";
import { errorText } from "./errors.js";
import { codeBlock, entities, inert } from "./escape.js";
import { groupByWorkload, isKill, type WorkloadGroup } from "./workloads.js";

export const ACTIONS = {
  propose: "propose_limit",
  kernelLog: "show_kernel_log",
  snooze: "snooze_workload",
  unsnooze: "unsnooze_workload",
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

/** The victim's resident memory at the kill: anon + file + shmem rss. */
export function residentBytes(finding: FindingJson): number | null {
  const victim = finding.kernelEvent?.victim;
  if (!victim || victim.anonRssBytes === null) return null;
  return victim.anonRssBytes + (victim.fileRssBytes ?? 0) + (victim.shmemRssBytes ?? 0);
}

function memoryField(finding: FindingJson, t: Messages): string | null {
  const limit = finding.memoryLimitBytes;
  const resident = residentBytes(finding);
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
  blocks.push(recommendationBlock(finding, t));
  const buttons = [
    finding.recommendation?.memoryLimit
      ? button(ACTIONS.propose, t.buttons.propose(finding.recommendation.memoryLimit), id, "primary")
      : null,
    finding.kernelEvent ? button(ACTIONS.kernelLog, t.buttons.kernelLog, id) : null,
    button(ACTIONS.snooze, t.buttons.snooze(ctx.snoozeDays), id),
  ].filter((element) => element !== null);
  blocks.push({ type: "actions", elements: buttons });
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

function summaryTable(groups: WorkloadGroup[], t: Messages): string {
  const rows = groups.map((group) => {
    const name = workloadName(group);
    return [
      name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name,
      String(group.findings.length),
      String(group.restarts),
      group.lastKill === null ? "-" : `${group.lastKill.slice(5, 16).replace("T", " ")}Z`,
      t.verdictName[group.primary.verdict],
    ];
  });
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

export interface SummaryContext {
  t: Messages;
  user: string;
  /** Workloads left out because someone snoozed them. */
  snoozed: number;
}

/** The root message once the investigation is done: the table, or the quiet-day message. */
export function summaryMessage(report: Report, groups: WorkloadGroup[], ctx: SummaryContext): SlackMessage {
  const { t } = ctx;
  const namespace = inert(report.namespace ?? "?");
  const notes = [t.requestedBy(ctx.user), ...(ctx.snoozed > 0 ? [t.snoozedHidden(ctx.snoozed)] : [])];
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
  const blocks: Block[] = [section(text), section(summaryTable(groups, t))];
  if (unread > 0) notes.push(t.nodesUnreadCount(unread));
  blocks.push(context(...notes));
  return fitMessage({ text, blocks }, t.moreBlocks);
}

/** The groups worth a thread reply: workloads with a kill. */
export function affectedGroups(report: Report): WorkloadGroup[] {
  return groupByWorkload(report).filter((group) => group.findings.some(isKill));
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
