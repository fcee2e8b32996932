// Kubernetes API failures as error values that say which RBAC grant is missing.

import type { AppError } from "../errors.js";

export interface ApiCall {
  verb: "list" | "watch" | "get" | "patch";
  resource: string;
  namespace: string | null;
  /** A collection of every namespace at once (a ClusterRole's grant), said so in the message. */
  allNamespaces?: boolean;
  name?: string;
  /** The API group, for RBAC rules: "" for the core group. */
  group: string;
}

function describe(call: ApiCall): string {
  const target = call.name ? `${call.resource.replace(/s$/, "")} ${call.name}` : call.resource;
  const scope = call.namespace
    ? ` in namespace ${call.namespace}`
    : call.allNamespaces
      ? " in all namespaces"
      : "";
  return `${call.verb} ${target}${scope}`;
}

function networkCode(cause: unknown): string | null {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export function apiError(call: ApiCall, cause: unknown): AppError {
  const status = (cause as { code?: unknown }).code;
  const grant = `grant ${call.verb} on ${call.group ? `${call.resource}.${call.group}` : call.resource}`;
  if (status === 401) {
    return {
      kind: "unauthorized",
      message: `cannot ${describe(call)}: the API server did not accept the credentials`,
      hint: "check the kubeconfig's user (an expired token or certificate?)",
    };
  }
  if (status === 403) {
    return {
      kind: "forbidden",
      message: `cannot ${describe(call)}: ${grant}`,
      hint: "see deploy/ for the ClusterRole oom-doctor needs",
    };
  }
  if (status === 404) {
    return {
      kind: "not-found",
      message: `cannot ${describe(call)}: not found${call.namespace ? ` (does namespace ${call.namespace} exist?)` : ""}`,
    };
  }
  if (typeof status === "number") {
    return { kind: "api-error", message: `cannot ${describe(call)}: the API server answered ${status}` };
  }
  const code = networkCode(cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  return {
    kind: "api-unreachable",
    message: `cannot ${describe(call)}: the API server is unreachable (${code ?? reason})`,
    hint: "check the kubeconfig's server address and that this machine can reach it",
  };
}
