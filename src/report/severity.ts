// How bad a workload's OOM kills are, so that the worst come first wherever there are too many to
// show them all: most kills, then most restarts a day, then the latest kill. Pure.

import type { FindingJson, Report } from "./model.js";

export interface Severity {
  /** OOM kills the report shows: the kernel reports tied to the workload's containers, at least one per container killed. */
  kills: number;
  /** Restarts a day, summed over the workload's containers (0 when no rate is known). */
  restartsPerDay: number;
  /** The latest kill, ISO; null when no time is known. */
  lastKill: string | null;
}

/** A finding that shows a kill, as opposed to a container that merely restarts often. */
export function isKill(finding: FindingJson): boolean {
  return (
    finding.kernelEvent !== null ||
    finding.lastTermination?.reason === "OOMKilled" ||
    finding.verdict === "evicted"
  );
}

/** When the finding's container was killed: the kernel's time, else the kubelet's finishedAt. */
export const killTime = (finding: FindingJson): string | null =>
  finding.kernelEvent?.time ?? finding.lastTermination?.finishedAt ?? null;

/** Rates a workload by its findings, which must be elements of `report.findings`. */
export function severityIn(report: Report): (findings: FindingJson[]) => Severity {
  const kernelReports = new Map<FindingJson, number>();
  for (const event of report.kernelEvents) {
    const finding = event.finding === null ? undefined : report.findings[event.finding];
    if (finding) kernelReports.set(finding, (kernelReports.get(finding) ?? 0) + 1);
  }
  return (findings) => {
    let kills = 0;
    let restartsPerDay = 0;
    let lastKill: string | null = null;
    for (const finding of findings) {
      kills += Math.max(kernelReports.get(finding) ?? 0, isKill(finding) ? 1 : 0);
      restartsPerDay += finding.restartsPerDay ?? 0;
      const time = killTime(finding);
      if (time !== null && (lastKill === null || time > lastKill)) lastKill = time;
    }
    return { kills, restartsPerDay, lastKill };
  };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders worst first; ties go by key, so that the order does not depend on the input's. */
export function worstFirst<T extends { key: string; severity: Severity }>(a: T, b: T): number {
  const x = a.severity;
  const y = b.severity;
  return (
    y.kills - x.kills ||
    y.restartsPerDay - x.restartsPerDay ||
    compareText(y.lastKill ?? "", x.lastKill ?? "") ||
    a.key.localeCompare(b.key)
  );
}

/**
 * Which workloads, ranked worst first, get a thread reply of their own (at most `maxReplies`) and
 * which share one reply. A single workload left over takes that reply as its own: the thread has as
 * many replies either way.
 */
export function splitReplies<T>(ranked: T[], maxReplies: number): { own: T[]; shared: T[] } {
  const ownCount = ranked.length <= maxReplies + 1 ? ranked.length : maxReplies;
  return { own: ranked.slice(0, ownCount), shared: ranked.slice(ownCount) };
}
