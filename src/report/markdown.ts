// The report as Markdown: for tickets, post-mortems and chat tools other than Slack.

import { historyLines } from "./history-lines.js";
import { countsByVerdict, kernelEventLine } from "./kernel-events.js";
import type { FindingJson, Report } from "./model.js";

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function section(finding: FindingJson): string[] {
  const lines = [
    `## \`${finding.verdict}\`: ${finding.namespace}/${finding.pod} (${finding.container})`,
    "",
    `**${finding.summary}**`,
    "",
    "| workload | node | QoS | restarts | per day |",
    "| --- | --- | --- | --- | --- |",
    `| ${escapeCell(`${finding.workload.kind} ${finding.workload.name}`)} | ${finding.node ?? "unknown"} | ${finding.qosClass ?? "unknown"} | ${finding.restartCount} | ${finding.restartsPerDay?.toFixed(1) ?? "n/a"} |`,
    "",
    ...finding.evidence.map((fact) => `- ${fact}`),
    "",
  ];
  const recommendation = finding.recommendation;
  if (recommendation) {
    const changes = [
      recommendation.memoryLimit ? `memory limit → \`${recommendation.memoryLimit}\`` : null,
      recommendation.memoryRequest ? `memory request → \`${recommendation.memoryRequest}\`` : null,
    ].filter((change) => change !== null);
    lines.push(`### Recommendation: ${changes.length > 0 ? changes.join(", ") : "no resource change"}`, "");
    lines.push(...recommendation.reasons.map((reason) => `- ${reason}`), "");
  }
  if (finding.history) {
    lines.push("### Memory history", "", ...historyLines(finding.history).map((line) => `- ${line}`), "");
  }
  if (finding.kubernetesEvents.length > 0) {
    lines.push(
      `Kubernetes events: ${finding.kubernetesEvents.map((event) => `${event.reason} ×${event.count}`).join(", ")}`,
      "",
    );
  }
  const excerpt = finding.kernelEvent?.excerpt ?? [];
  if (excerpt.length > 0) {
    lines.push(
      `<details><summary>Kernel report from ${finding.kernelEvent?.node ?? "the node"}</summary>`,
      "",
      "```",
      ...excerpt,
      "```",
      "",
      "</details>",
      "",
    );
  }
  return lines;
}

export function renderMarkdown(report: Report): string {
  const scope = report.namespace ? ` in \`${report.namespace}\`` : "";
  const out = [
    `# oom-doctor report${scope}`,
    "",
    `As of ${report.asOf}: ${report.summary.findings} affected container(s).`,
    "",
  ];
  for (const finding of report.findings) out.push(...section(finding));
  if (report.kernelEvents.length > 0) {
    out.push(
      "## Kernel OOM reports in the journals",
      "",
      `${report.kernelEvents.length}: ${countsByVerdict(report.kernelEvents.map((event) => event.verdict))}.`,
      "",
    );
    for (const event of report.kernelEvents) {
      const line = kernelEventLine(event, report);
      out.push(
        `- **${line.verdict}** ${line.where}: ${line.what}${line.tiedTo ? ` (\`${line.tiedTo}\`)` : ""}`,
      );
    }
    out.push("");
  }
  const failed = report.nodes.filter((node) => node.status !== "ok");
  if (failed.length > 0) {
    out.push("## Nodes whose journals could not be read", "");
    for (const node of failed)
      out.push(
        `- **${node.node}**: \`${node.status}\`: ${node.message ?? ""}${node.hint ? ` (${node.hint})` : ""}`,
      );
    out.push("");
  }
  if (report.warnings.length > 0) out.push("## Warnings", "", ...report.warnings.map((w) => `- ${w}`), "");
  return `${out.join("\n").trimEnd()}\n`;
}
