// What the user typed after `/oom`, parsed into a command or a problem to show them. Pure.

import type { Messages } from "./i18n/catalog.js";

export type OomCommand =
  | { kind: "help" }
  | { kind: "status" }
  | { kind: "audit"; namespace: string | null }
  | { kind: "investigate"; namespace: string; pod: string | null }
  | { kind: "invalid"; problem: string };

// Kubernetes names: a namespace is a DNS-1123 label, a pod a DNS-1123 subdomain.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function parseOomCommand(text: string, t: Messages): OomCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, second, ...rest] = words;
  if (first === undefined || first === "help" || first === "--help") return { kind: "help" };
  if (first === "status" && second === undefined) return { kind: "status" };
  if (first === "audit" && rest.length === 0) {
    if (second === undefined) return { kind: "audit", namespace: null };
    if (NAMESPACE.test(second)) return { kind: "audit", namespace: second };
    return { kind: "invalid", problem: t.invalidNamespace(second) };
  }
  if (!NAMESPACE.test(first)) return { kind: "invalid", problem: t.invalidNamespace(first) };
  if (rest.length > 0) return { kind: "invalid", problem: t.tooManyWords(rest.join(" ")) };
  if (second !== undefined && !POD.test(second)) return { kind: "invalid", problem: t.invalidPod(second) };
  return { kind: "investigate", namespace: first, pod: second ?? null };
}

/** The namespaces a channel may investigate: its own entry, else the "*" entry, else any. */
export function namespaceAllowed(
  channels: Record<string, string[]>,
  channel: string,
  namespace: string,
): { allowed: boolean; list: string[] } {
  const list = channels[channel] ?? channels["*"] ?? ["*"];
  return { allowed: list.includes("*") || list.includes(namespace), list };
}
