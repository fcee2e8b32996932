// How a workload is named from one run to the next. Investigations group findings and snooze by the
// key, digests count restarts and offer buttons by it, and the leak guard counts a workload's recent
// limit changes by it: a snooze set on a report must hold in the digest, so there is one spelling. Pure.

interface Workload {
  kind: string;
  name: string;
}

/** `Kind/name`, e.g. `Deployment/api`: the workload within its namespace, as digests store it. */
export const workloadName = (workload: Workload): string => `${workload.kind}/${workload.name}`;

/** `namespace/Kind/name`; `workload` may be a `workloadName` already made. */
export const workloadKey = (namespace: string, workload: Workload | string): string =>
  `${namespace}/${typeof workload === "string" ? workload : workloadName(workload)}`;
