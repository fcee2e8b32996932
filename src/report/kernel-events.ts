// One line per OOM invocation in the journals, for the text and markdown reports: what the kernel
// killed, what it alone shows, and which container it was tied to.

import { formatBytes } from "../analysis/quantity.js";
import type { JournalKernelEventJson, Report } from "./model.js";

export interface KernelEventLine {
  verdict: string;
  where: string;
  /** What was killed, with the figures that say how big it was. */
  what: string;
  /** `namespace/pod container` when the report was tied to a finding. */
  tiedTo: string | null;
}

export function kernelEventLine(event: JournalKernelEventJson, report: Report): KernelEventLine {
  const victim = event.victim;
  const killed = victim
    ? `${victim.comm} (pid ${victim.pid})${event.killed.length > 1 ? ` and ${event.killed.length - 1} more` : ""}`
    : event.partial
      ? "no victim line"
      : "no process killed";
  const figures = [
    victim?.anonRssBytes != null ? `anon-rss ${formatBytes(victim.anonRssBytes)}` : null,
    event.memcgUsageBytes !== null
      ? `cgroup ${formatBytes(event.memcgUsageBytes)} of ${event.memcgLimitBytes === null ? "no limit" : formatBytes(event.memcgLimitBytes)}`
      : null,
    event.podUid ? `pod UID ${event.podUid}` : event.taskMemcg ? `cgroup ${event.taskMemcg}` : null,
  ].filter((part) => part !== null);
  const finding = event.finding === null ? undefined : report.findings[event.finding];
  return {
    verdict: event.verdict ?? "unknown",
    where: `${event.node ?? "unknown node"} ${event.time ?? event.timeAsLogged}`,
    what: `${killed}${figures.length > 0 ? `; ${figures.join(", ")}` : ""}${event.partial ? " (partial report)" : ""}`,
    tiedTo: finding ? `${finding.namespace}/${finding.pod} ${finding.container}` : null,
  };
}

/** `2 container-limit, 1 node-pressure` */
export function countsByVerdict(verdicts: Array<string | null>): string {
  const counts = new Map<string, number>();
  for (const verdict of verdicts) {
    const key = verdict ?? "unknown";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([verdict, count]) => `${count} ${verdict}`).join(", ");
}
