// Findings grouped by the workload that owns them: the bot posts one thread reply per workload. Pure.

import type { FindingJson, Report } from "../../report/model.js";

export interface WorkloadGroup {
  /** namespace/kind/name: stable across runs, so snoozes and posted replies can be keyed by it. */
  key: string;
  namespace: string;
  kind: string;
  name: string;
  /** The finding shown in detail: the first by verdict severity, then the latest kill. */
  primary: FindingJson;
  findings: FindingJson[];
  restarts: number;
  lastKill: string | null;
}

const workloadKey = (namespace: string, kind: string, name: string) => `${namespace}/${kind}/${name}`;

const killTime = (finding: FindingJson): string | null =>
  finding.kernelEvent?.time ?? finding.lastTermination?.finishedAt ?? null;

/** A finding that shows a kill, as opposed to a container that merely restarts often. */
export function isKill(finding: FindingJson): boolean {
  return (
    finding.kernelEvent !== null ||
    finding.lastTermination?.reason === "OOMKilled" ||
    finding.verdict === "evicted"
  );
}

export function groupByWorkload(report: Report): WorkloadGroup[] {
  const groups = new Map<string, WorkloadGroup>();
  // The report's findings are sorted by verdict severity, so the first of each workload is its worst.
  for (const finding of report.findings) {
    const key = workloadKey(finding.namespace, finding.workload.kind, finding.workload.name);
    const group = groups.get(key);
    const time = killTime(finding);
    if (!group) {
      groups.set(key, {
        key,
        namespace: finding.namespace,
        kind: finding.workload.kind,
        name: finding.workload.name,
        primary: finding,
        findings: [finding],
        restarts: finding.restartCount,
        lastKill: time,
      });
      continue;
    }
    group.findings.push(finding);
    group.restarts += finding.restartCount;
    if (time !== null && (group.lastKill === null || time > group.lastKill)) group.lastKill = time;
    const primaryTime = killTime(group.primary);
    if (
      finding.verdict === group.primary.verdict &&
      time !== null &&
      (primaryTime === null || time > primaryTime)
    )
      group.primary = finding;
  }
  for (const group of groups.values()) {
    const stats = report.workloads.find((w) => w.kind === group.kind && w.name === group.name);
    if (stats) group.restarts = Math.max(group.restarts, stats.restarts);
  }
  return [...groups.values()];
}
