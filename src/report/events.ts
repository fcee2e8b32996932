// Kubernetes Events about the pods in a report, summed by reason: the API server's side of the story
// (BackOff loops, evictions, probe kills) next to the kernel's.

import type { FindingJson, KubernetesEventJson, Report } from "./model.js";

const RELEVANT = new Set(["OOMKilling", "Evicted", "BackOff", "Killing", "Unhealthy", "Preempting"]);

type Json = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function eventsFor(finding: FindingJson, events: Json[]): KubernetesEventJson[] {
  const byReason = new Map<string, KubernetesEventJson>();
  for (const event of events) {
    const involved = (event.involvedObject ?? {}) as Json;
    const reason = text(event.reason);
    if (involved.kind !== "Pod" || involved.name !== finding.pod || reason === null || !RELEVANT.has(reason))
      continue;
    const series = (event.series ?? {}) as Json;
    const count =
      typeof event.count === "number" ? event.count : typeof series.count === "number" ? series.count : 1;
    const seen = text(event.lastTimestamp) ?? text(series.lastObservedTime) ?? text(event.eventTime);
    const entry = byReason.get(reason) ?? { reason, count: 0, lastSeen: null, message: "" };
    entry.count += count;
    if (entry.lastSeen === null || (seen !== null && seen > entry.lastSeen)) {
      entry.lastSeen = seen;
      entry.message = text(event.message) ?? "";
    }
    byReason.set(reason, entry);
  }
  return [...byReason.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** The report with each finding's pod events attached. */
export function withEvents(report: Report, events: unknown[]): Report {
  const objects = events.filter((event): event is Json => typeof event === "object" && event !== null);
  return {
    ...report,
    findings: report.findings.map((finding) => ({
      ...finding,
      kubernetesEvents: eventsFor(finding, objects),
    })),
  };
}
