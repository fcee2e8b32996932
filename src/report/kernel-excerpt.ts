// What of a finding's kernel report its readers may see. When the cgroup that ran out is the pod's own,
// the report's task table lists that pod's processes only. Otherwise (the node ran out, or all pods
// together hit the node's allocatable memory) it lists every process on the node, other tenants'
// included: then only the processes this report killed in the finding's pod keep their rows, and the
// others are folded into one count.

import { decodeCgroupPath } from "../analysis/cgroup-path.js";
import { type ExcerptLine, foldTaskRows } from "../analysis/task-table.js";
import type { FindingJson } from "./model.js";

export function visibleExcerpt(finding: FindingJson): ExcerptLine[] {
  const event = finding.kernelEvent;
  if (!event) return [];
  const pod = finding.podUid;
  const ranOut = event.oomMemcg === null ? null : (decodeCgroupPath(event.oomMemcg)?.podUid ?? null);
  if (pod !== null && ranOut === pod) return event.excerpt.map((text) => ({ kind: "line", text }));
  const killedHere = new Set(pod !== null && event.podUid === pod ? event.killed.map((v) => v.pid) : []);
  return foldTaskRows(event.excerpt, (pid) => killedHere.has(pid));
}
