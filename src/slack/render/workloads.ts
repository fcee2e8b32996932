// Findings grouped by the workload that owns them: the bot posts one thread reply per workload. Pure.

import { workloadKey } from "../../analysis/workload-key.js";
import type { FindingJson, Report } from "../../report/model.js";
import { killTime, type Severity, severityIn } from "../../report/severity.js";

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
  severity: Severity;
}

export function groupByWorkload(report: Report): WorkloadGroup[] {
  const groups = new Map<string, Omit<WorkloadGroup, "severity">>();
  // The report's findings are sorted by verdict severity, so the first of each workload is its worst.
  for (const finding of report.findings) {
    const key = workloadKey(finding.namespace, finding.workload);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        key,
        namespace: finding.namespace,
        kind: finding.workload.kind,
        name: finding.workload.name,
        primary: finding,
        findings: [finding],
        restarts: finding.restartCount,
      });
      continue;
    }
    group.findings.push(finding);
    group.restarts += finding.restartCount;
    const time = killTime(finding);
    const primaryTime = killTime(group.primary);
    if (
      finding.verdict === group.primary.verdict &&
      time !== null &&
      (primaryTime === null || time > primaryTime)
    )
      group.primary = finding;
  }
  const severityOf = severityIn(report);
  return [...groups.values()].map((group) => {
    const stats = report.workloads.find((w) => w.kind === group.kind && w.name === group.name);
    return {
      ...group,
      restarts: Math.max(group.restarts, stats?.restarts ?? 0),
      severity: severityOf(group.findings),
    };
  });
}
