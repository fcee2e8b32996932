// The rules a limit proposal must pass, and what the cluster's GitOps tooling means for it. Pure:
// everything it needs is passed in, and problems come back per field for the modal to show.

import { formatBytes, formatQuantity, parseQuantity, quantityBytesOrNull } from "../analysis/quantity.js";
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

/** The new limit and request as typed, parsed; problems for what is not a quantity or is inverted. */
function parseChange(
  limitText: string,
  requestText: string,
): { limit: number | null; request: number | null; problems: ProposalProblem[] } {
  const problems: ProposalProblem[] = [];
  const limit = parseQuantity(limitText.trim());
  const request = requestText.trim() === "" ? null : parseQuantity(requestText.trim());
  if (!limit.ok) problems.push({ field: "limit", kind: "not-a-quantity", value: limitText });
  if (request && !request.ok) problems.push({ field: "request", kind: "not-a-quantity", value: requestText });
  const limitBytes = limit.ok ? limit.bytes : null;
  const requestBytes = request?.ok ? request.bytes : null;
  if (limitBytes !== null && requestBytes !== null && requestBytes > limitBytes)
    problems.push({
      field: "request",
      kind: "request-above-limit",
      request: formatQuantity(requestBytes),
      limit: formatQuantity(limitBytes),
    });
  return { limit: limitBytes, request: requestBytes, problems };
}

interface LimitBounds {
  currentLimitBytes: number | null;
  maxLimitBytes: number | null;
  nodeAllocatableBytes: number | null;
  limitRangeMaxBytes: number | null;
  maxStepFactor: number;
}

/** The ceilings a limit must stay under, and, for a raise, above the current limit by at most the step. */
function boundProblems(bytes: number, bounds: LimitBounds, raise: boolean): ProposalProblem[] {
  const problems: ProposalProblem[] = [];
  const shown = formatQuantity(bytes);
  const current = bounds.currentLimitBytes;
  if (raise && current !== null && bytes <= current)
    problems.push({ field: "limit", kind: "not-a-raise", limit: shown, current: formatQuantity(current) });
  const ceilings: Array<[number | null, (value: string) => ProposalProblem]> = [
    [bounds.maxLimitBytes, (maximum) => ({ field: "limit", kind: "above-maximum", limit: shown, maximum })],
    [
      bounds.nodeAllocatableBytes,
      (allocatable) => ({ field: "limit", kind: "above-node-allocatable", limit: shown, allocatable }),
    ],
    [
      bounds.limitRangeMaxBytes,
      (maximum) => ({ field: "limit", kind: "above-limit-range", limit: shown, maximum }),
    ],
  ];
  for (const [ceiling, problem] of ceilings)
    if (ceiling !== null && bytes > ceiling) problems.push(problem(formatQuantity(ceiling)));
  if (raise && current !== null && bytes > current * bounds.maxStepFactor)
    problems.push({
      field: "limit",
      kind: "step-too-large",
      limit: shown,
      factor: bounds.maxStepFactor,
      current: formatQuantity(current),
    });
  return problems;
}

export function checkProposal(
  input: ProposalInput,
  limits: ProposalLimits,
): { ok: true; value: ValidProposal } | { ok: false; problems: ProposalProblem[] } {
  const parsed = parseChange(input.limit, input.request);
  const problems: ProposalProblem[] = parsed.problems.filter((p) => p.kind === "not-a-quantity");
  if (input.reason.trim() === "") problems.push({ field: "reason", kind: "reason-missing" });
  if (limits.recentBumps >= limits.leakAfterBumps)
    problems.push({ field: "limit", kind: "probable-leak", bumps: limits.recentBumps });
  const bytes = parsed.limit;
  if (bytes === null || problems.some((p) => p.kind === "not-a-quantity")) return { ok: false, problems };
  problems.push(...parsed.problems);
  const belowResident = limits.residentBytes !== null && bytes < limits.residentBytes;
  if (belowResident)
    problems.push({
      field: "limit",
      kind: "below-resident",
      limit: formatQuantity(bytes),
      resident: formatBytes(limits.residentBytes ?? 0),
    });
  problems.push(
    ...boundProblems(bytes, limits, true).filter((p) => !(belowResident && p.kind === "not-a-raise")),
  );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      limit: formatQuantity(bytes),
      limitBytes: bytes,
      request: parsed.request === null ? null : formatQuantity(parsed.request),
      requestBytes: parsed.request,
      reason: input.reason.trim(),
    },
  };
}

export interface LiveLimits {
  /** The container's memory limit in the cluster now. */
  liveLimitBytes: number | null;
  maxLimitBytes: number | null;
  maxStepFactor: number;
  /**
   * For a revert, the change it undoes: going back down to its `from` is allowed while the live limit
   * is still the one it set. Anything else must be a raise within the step.
   */
  undoing: { fromLimit: string | null; toLimit: string } | null;
}

/**
 * The guard rails again, against the live workload rather than the finding the proposal started from
 * (which may be weeks old): never below the live limit, at most the step above it, never above the
 * maximum. The proposal's own values are parsed again too: a stored record is not trusted.
 */
export function checkAgainstLive(
  target: { limit: string; request: string | null },
  live: LiveLimits,
): ProposalProblem[] {
  const parsed = parseChange(target.limit, target.request ?? "");
  if (parsed.limit === null) return parsed.problems;
  const { undoing } = live;
  const reverting =
    undoing !== null &&
    live.liveLimitBytes !== null &&
    live.liveLimitBytes === quantityBytesOrNull(undoing.toLimit) &&
    parsed.limit === quantityBytesOrNull(undoing.fromLimit);
  const bounds = {
    currentLimitBytes: live.liveLimitBytes,
    maxLimitBytes: live.maxLimitBytes,
    nodeAllocatableBytes: null,
    limitRangeMaxBytes: null,
    maxStepFactor: live.maxStepFactor,
  };
  return [...parsed.problems, ...boundProblems(parsed.limit, bounds, !reverting)];
}

/** What tells which tool keeps a workload in sync with git. */
export interface ManagedObject {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** metadata.managedFields[].manager */
  managers: string[];
}

// Field managers as the tools write them: argocd-controller (server-side apply) or
// argocd-application-controller; Flux's kustomize-controller and helm-controller; Helm 3's "helm".
const MANAGERS: Array<[RegExp, string]> = [
  [/^argocd/, "Argo CD"],
  [/^(kustomize-controller|helm-controller|flux)/, "Flux"],
  [/^helm$/i, "Helm"],
];

/**
 * Which tool keeps the workload in sync with git (and would revert a patch), if any. `argoCdLabel` is
 * the label Argo CD tracks its resources by, where it is configured to use label tracking.
 */
export function gitOpsManager(object: ManagedObject, argoCdLabel: string | null = null): string | null {
  const { labels, annotations } = object;
  const keys = [...Object.keys(labels), ...Object.keys(annotations)];
  if (
    keys.some((key) => key.startsWith("argocd.argoproj.io/")) ||
    (argoCdLabel !== null && labels[argoCdLabel] !== undefined)
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
  for (const [pattern, tool] of MANAGERS)
    if (object.managers.some((manager) => pattern.test(manager))) return tool;
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
