// The rules a limit proposal must pass, and what the cluster's GitOps tooling means for it. Pure:
// everything it needs is passed in, and problems come back per field for the modal to show.

import { formatBytes, formatQuantity, parseQuantity } from "../analysis/quantity.js";
import { shellCommand } from "../shell.js";

export interface ProposalInput {
  limit: string;
  request: string;
  reason: string;
}

export interface ProposalLimits {
  currentLimitBytes: number | null;
  currentRequestBytes: number | null;
  /** Resident memory of the victim at the last kill. */
  residentBytes: number | null;
  maxLimitBytes: number | null;
  nodeAllocatableBytes: number | null;
  limitRangeMaxBytes: number | null;
  maxStepFactor: number;
  /** Changes applied to this workload in the last 7 days. */
  recentBumps: number;
  leakAfterBumps: number;
}

export type ProposalField = "limit" | "request" | "reason";

/** A rule broken, with the figures the message quotes. */
export type ProposalProblem =
  | { field: ProposalField; kind: "not-a-quantity"; value: string }
  | { field: "reason"; kind: "reason-missing" }
  | { field: "request"; kind: "request-above-limit"; request: string; limit: string }
  | { field: "limit"; kind: "below-resident"; limit: string; resident: string }
  | { field: "limit"; kind: "not-a-raise"; limit: string; current: string }
  | { field: "limit"; kind: "above-maximum"; limit: string; maximum: string }
  | { field: "limit"; kind: "above-node-allocatable"; limit: string; allocatable: string }
  | { field: "limit"; kind: "above-limit-range"; limit: string; maximum: string }
  | { field: "limit"; kind: "step-too-large"; limit: string; factor: number; current: string }
  | { field: "limit"; kind: "probable-leak"; bumps: number };

export interface ValidProposal {
  limit: string;
  limitBytes: number;
  request: string | null;
  requestBytes: number | null;
  reason: string;
}

export function checkProposal(
  input: ProposalInput,
  limits: ProposalLimits,
): { ok: true; value: ValidProposal } | { ok: false; problems: ProposalProblem[] } {
  const problems: ProposalProblem[] = [];
  const limit = parseQuantity(input.limit.trim());
  const requestText = input.request.trim();
  const request = requestText === "" ? null : parseQuantity(requestText);
  if (!limit.ok) problems.push({ field: "limit", kind: "not-a-quantity", value: input.limit });
  if (request && !request.ok)
    problems.push({ field: "request", kind: "not-a-quantity", value: input.request });
  if (input.reason.trim() === "") problems.push({ field: "reason", kind: "reason-missing" });
  if (limits.recentBumps >= limits.leakAfterBumps)
    problems.push({ field: "limit", kind: "probable-leak", bumps: limits.recentBumps });
  if (!limit.ok || (request && !request.ok)) return { ok: false, problems };
  const bytes = limit.bytes;
  const shown = formatQuantity(bytes);
  if (request?.ok && request.bytes > bytes)
    problems.push({
      field: "request",
      kind: "request-above-limit",
      request: formatQuantity(request.bytes),
      limit: shown,
    });
  const current = limits.currentLimitBytes;
  const ceilings: Array<[number | null, (value: string) => ProposalProblem]> = [
    [limits.maxLimitBytes, (maximum) => ({ field: "limit", kind: "above-maximum", limit: shown, maximum })],
    [
      limits.nodeAllocatableBytes,
      (allocatable) => ({ field: "limit", kind: "above-node-allocatable", limit: shown, allocatable }),
    ],
    [
      limits.limitRangeMaxBytes,
      (maximum) => ({ field: "limit", kind: "above-limit-range", limit: shown, maximum }),
    ],
  ];
  if (limits.residentBytes !== null && bytes < limits.residentBytes)
    problems.push({
      field: "limit",
      kind: "below-resident",
      limit: shown,
      resident: formatBytes(limits.residentBytes),
    });
  else if (current !== null && bytes <= current)
    problems.push({ field: "limit", kind: "not-a-raise", limit: shown, current: formatQuantity(current) });
  for (const [ceiling, problem] of ceilings)
    if (ceiling !== null && bytes > ceiling) problems.push(problem(formatQuantity(ceiling)));
  if (current !== null && bytes > current * limits.maxStepFactor)
    problems.push({
      field: "limit",
      kind: "step-too-large",
      limit: shown,
      factor: limits.maxStepFactor,
      current: formatQuantity(current),
    });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      limit: shown,
      limitBytes: bytes,
      request: request?.ok ? formatQuantity(request.bytes) : null,
      requestBytes: request?.ok ? request.bytes : null,
      reason: input.reason.trim(),
    },
  };
}

/** Which tool keeps the workload in sync with git (and would revert a patch), if any. */
export function gitOpsManager(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): string | null {
  const keys = [...Object.keys(labels), ...Object.keys(annotations)];
  if (
    keys.some((key) => key.startsWith("argocd.argoproj.io/")) ||
    (labels["app.kubernetes.io/instance"] && annotations["argocd.argoproj.io/tracking-id"])
  )
    return "Argo CD";
  if (
    keys.some(
      (key) => key.startsWith("kustomize.toolkit.fluxcd.io/") || key.startsWith("helm.toolkit.fluxcd.io/"),
    )
  )
    return "Flux";
  if (labels["app.kubernetes.io/managed-by"] === "Helm" || annotations["meta.helm.sh/release-name"])
    return "Helm";
  return null;
}

export interface ResourceChange {
  namespace: string;
  kind: string;
  name: string;
  container: string;
  limit: string;
  request: string | null;
}

/** The change as YAML for the workload's manifest in git. */
export function manifestSnippet(change: ResourceChange): string {
  return [
    `# ${change.kind} ${change.name} (namespace ${change.namespace})`,
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    `        - name: ${change.container}`,
    "          resources:",
    "            limits:",
    `              memory: ${change.limit}`,
    ...(change.request === null ? [] : ["            requests:", `              memory: ${change.request}`]),
  ].join("\n");
}

/** The same change as one kubectl command, every argument quoted for the shell. */
export function patchCommand(change: ResourceChange): string {
  const resources = {
    limits: { memory: change.limit },
    ...(change.request === null ? {} : { requests: { memory: change.request } }),
  };
  const patch = { spec: { template: { spec: { containers: [{ name: change.container, resources }] } } } };
  return shellCommand([
    "kubectl",
    "-n",
    change.namespace,
    "patch",
    change.kind.toLowerCase(),
    change.name,
    "--type",
    "strategic",
    "-p",
    JSON.stringify(patch),
  ]);
}
