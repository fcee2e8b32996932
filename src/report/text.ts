// The report for a terminal: one block per finding, verdict first. Colour only when asked (a TTY).

import { formatQuantity } from "../analysis/quantity.js";
import { historyLines } from "./history-lines.js";
import { countsByVerdict, kernelEventLine } from "./kernel-events.js";
import type { FindingJson, Report } from "./model.js";

export interface TextOptions {
  colour: boolean;
  /** How many lines of each kernel report to show. */
  excerptLines?: number;
}

const VERDICT_COLOUR: Record<string, string> = {
  "container-limit": "31",
  "pod-limit": "31",
  "node-allocatable": "35",
  "node-pressure": "35",
  evicted: "33",
  "killed-not-oom": "36",
  "child-process": "33",
  "no-evidence": "90",
};

function paint(text: string, code: string, colour: boolean): string {
  return colour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function facts(finding: FindingJson): string {
  const parts = [
    `${finding.workload.kind} ${finding.workload.name}`,
    `node ${finding.node ?? "unknown"}`,
    finding.qosClass ?? "QoS unknown",
    `limit ${finding.memoryLimitBytes === null ? "none" : formatQuantity(finding.memoryLimitBytes)}`,
    `request ${finding.memoryRequestBytes === null ? "none" : formatQuantity(finding.memoryRequestBytes)}`,
    `${finding.restartCount} restarts${finding.restartsPerDay === null ? "" : ` (${finding.restartsPerDay.toFixed(1)}/day)`}`,
  ];
  return parts.join(" · ");
}

function block(finding: FindingJson, options: TextOptions): string[] {
  const { colour } = options;
  const lines = [
    `${paint(`[${finding.verdict}]`, VERDICT_COLOUR[finding.verdict] ?? "0", colour)} ${paint(`${finding.namespace}/${finding.pod}`, "1", colour)} container ${finding.container}`,
    `  ${facts(finding)}`,
    `  ${finding.summary}`,
  ];
  for (const fact of finding.evidence) lines.push(`    - ${fact}`);
  const recommendation = finding.recommendation;
  if (recommendation) {
    const changes = [
      recommendation.memoryLimit ? `memory limit -> ${recommendation.memoryLimit}` : null,
      recommendation.memoryRequest ? `memory request -> ${recommendation.memoryRequest}` : null,
    ].filter((change) => change !== null);
    lines.push(
      `  ${paint("Recommendation:", "1", colour)} ${changes.length > 0 ? changes.join(", ") : "no resource change"}`,
    );
    for (const reason of recommendation.reasons) lines.push(`    - ${reason}`);
  }
  if (finding.history) {
    lines.push(`  ${paint("Memory history:", "1", colour)}`);
    for (const line of historyLines(finding.history)) lines.push(`    - ${line}`);
  }
  if (finding.kubernetesEvents.length > 0) {
    const events = finding.kubernetesEvents.map((event) => `${event.reason} x${event.count}`).join(", ");
    lines.push(`  Kubernetes events: ${events}`);
  }
  const excerpt = finding.kernelEvent?.excerpt ?? [];
  const shown = excerpt.slice(0, options.excerptLines ?? 12);
  if (shown.length > 0) {
    lines.push(
      `  Kernel report (${finding.kernelEvent?.node ?? finding.node ?? "node"}, ${finding.kernelEvent?.timeAsLogged}):`,
    );
    for (const line of shown) lines.push(`    | ${line}`);
    if (excerpt.length > shown.length)
      lines.push(`    | ... ${excerpt.length - shown.length} more lines (--format json has them all)`);
  }
  return lines;
}

function headline(report: Report): string {
  const scope = report.namespace ? ` in namespace ${report.namespace}` : "";
  const findings = report.summary.findings;
  if (findings === 0 && report.kernelEvents.length > 0) {
    const count = report.kernelEvents.length;
    return `oom-doctor: ${count} kernel OOM report${count === 1 ? "" : "s"} in the journals (${countsByVerdict(report.kernelEvents.map((event) => event.verdict))}), no affected container${scope} given`;
  }
  const counts = countsByVerdict(report.findings.map((finding) => finding.verdict));
  return `oom-doctor: ${findings} affected container${findings === 1 ? "" : "s"}${scope}${counts ? ` (${counts})` : ""}, as of ${report.asOf}`;
}

export function renderText(report: Report, options: TextOptions): string {
  const out = [headline(report), ""];
  for (const finding of report.findings) out.push(...block(finding, options), "");
  if (report.kernelEvents.length > 0) {
    out.push(`Kernel OOM reports in the journals (${report.kernelEvents.length}):`);
    for (const event of report.kernelEvents) {
      const line = kernelEventLine(event, report);
      out.push(
        `  - ${paint(`[${line.verdict}]`, VERDICT_COLOUR[line.verdict] ?? "0", options.colour)} ${line.where}: ${line.what}${line.tiedTo ? ` -> ${line.tiedTo}` : ""}`,
      );
    }
    out.push("");
  }
  const failed = report.nodes.filter((node) => node.status !== "ok");
  if (failed.length > 0) {
    out.push(`Nodes whose journals could not be read (${failed.length} of ${report.nodes.length}):`);
    for (const node of failed) {
      out.push(`  - ${node.node}: ${paint(node.status, "31", options.colour)}: ${node.message ?? ""}`);
      if (node.hint) out.push(`    ${node.hint}`);
    }
    out.push("");
  }
  for (const warning of report.warnings) out.push(paint(`warning: ${warning}`, "33", options.colour));
  return `${out.join("\n").trimEnd()}\n`;
}
