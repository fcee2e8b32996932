// What the user typed after `/oom`, parsed into a command or a problem to show them. Pure.

import { SEVERITIES, type Severity } from "../alerts/model.js";
import { parseQuietHours } from "../alerts/quiet.js";
import { isNamespaceName, isObjectName } from "../analysis/names.js";
import { isTimeZone } from "../analysis/time-zone.js";
import type { Messages } from "./i18n/catalog.js";
import { inert } from "./render/escape.js";

export type OomCommand =
  | { kind: "help" }
  | { kind: "status" }
  | { kind: "audit"; namespace: string | null }
  | { kind: "digest-subscribe"; scope: string; at: string | null; tz: string | null }
  | { kind: "digest-list" }
  | { kind: "digest-unsubscribe"; id: string }
  | { kind: "digest-now"; scope: string }
  | {
      kind: "watch";
      scope: string;
      /** null when not given. */
      minSeverity: Severity | null;
      quiet: { from: string; to: string } | null;
      tz: string | null;
    }
  | { kind: "watch-list" }
  | { kind: "unwatch"; id: string }
  | { kind: "investigate"; namespace: string; pod: string | null }
  | { kind: "invalid"; problem: string };

export type DigestCommand = Extract<OomCommand, { kind: `digest-${string}` }>;

export const isDigestCommand = (command: OomCommand): command is DigestCommand =>
  command.kind.startsWith("digest-");

export type WatchCommand = Extract<OomCommand, { kind: "watch" | "watch-list" | "unwatch" }>;

export const isWatchCommand = (command: OomCommand): command is WatchCommand =>
  command.kind === "watch" || command.kind === "watch-list" || command.kind === "unwatch";

/** A value quoted back to the user: inert, and never the whole of an absurdly long one. */
const quoted = (value: string) =>
  inert(Array.from(value).length > 64 ? `${Array.from(value).slice(0, 61).join("")}…` : value);

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` or `H:MM` as `HH:MM`, or null. */
function timeOfDay(value: string): string | null {
  const match = TIME.exec(value);
  return match ? `${(match[1] ?? "").padStart(2, "0")}:${match[2]}` : null;
}

const isSeverity = (value: string): value is Severity => (SEVERITIES as readonly string[]).includes(value);

/** `watch <namespace|all> [min <severity>] [quiet HH:MM-HH:MM] [tz <zone>]`, `watch list`, `unwatch <id>`. */
function parseWatch(verb: "watch" | "unwatch", words: string[], t: Messages): OomCommand {
  const [target, ...options] = words;
  const invalid = (problem: string): OomCommand => ({
    kind: "invalid",
    problem: `${problem}\n${t.alerts.usage}`,
  });
  if (verb === "unwatch") {
    if (target === undefined) return invalid(t.alerts.missingId);
    if (options.length > 0) return invalid(t.tooManyWords(quoted(options.join(" "))));
    return { kind: "unwatch", id: target };
  }
  if (target === "list" && options.length === 0) return { kind: "watch-list" };
  if (target !== "all" && !(target && isNamespaceName(target)))
    return invalid(t.digest.badScope(quoted(target ?? "")));
  const command: Extract<OomCommand, { kind: "watch" }> = {
    kind: "watch",
    scope: target,
    minSeverity: null,
    quiet: null,
    tz: null,
  };
  for (let index = 0; index < options.length; index += 2) {
    const [key, value] = [options[index], options[index + 1] ?? ""];
    if (key === "min") {
      if (!isSeverity(value)) return invalid(t.alerts.badSeverity(quoted(value)));
      command.minSeverity = value;
    } else if (key === "quiet") {
      command.quiet = parseQuietHours(value);
      if (!command.quiet) return invalid(t.alerts.badQuiet(quoted(value)));
    } else if (key === "tz") {
      if (!isTimeZone(value)) return invalid(t.digest.badZone(quoted(value)));
      command.tz = value;
    } else return invalid(t.tooManyWords(quoted(options.slice(index).join(" "))));
  }
  return command;
}

function parseDigest(words: string[], t: Messages): OomCommand {
  const [verb, target, ...options] = words;
  const invalid = (problem: string): OomCommand => ({
    kind: "invalid",
    problem: `${problem}\n${t.digest.usage}`,
  });
  const scope = (value: string | undefined) =>
    value === "all" || (value && isNamespaceName(value)) ? value : null;
  if (verb === "list" && target === undefined) return { kind: "digest-list" };
  if (verb === "unsubscribe" && target && options.length === 0)
    return { kind: "digest-unsubscribe", id: target };
  if (verb === "now" && options.length === 0) {
    const chosen = scope(target);
    return chosen ? { kind: "digest-now", scope: chosen } : invalid(t.digest.badScope(quoted(target ?? "")));
  }
  if (verb !== "subscribe") return invalid("");
  const chosen = scope(target);
  if (!chosen) return invalid(t.digest.badScope(quoted(target ?? "")));
  let at: string | null = null;
  let tz: string | null = null;
  for (let index = 0; index < options.length; index += 2) {
    const [key, value] = [options[index], options[index + 1] ?? ""];
    if (key === "at") {
      at = timeOfDay(value);
      if (!at) return invalid(t.digest.badTime(quoted(value)));
    } else if (key === "tz") {
      if (!isTimeZone(value)) return invalid(t.digest.badZone(quoted(value)));
      tz = value;
    } else return invalid(t.tooManyWords(quoted(options.slice(index).join(" "))));
  }
  return { kind: "digest-subscribe", scope: chosen, at, tz };
}

export function parseOomCommand(text: string, t: Messages): OomCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, second, ...rest] = words;
  if (first === "digest") return parseDigest(words.slice(1), t);
  if (first === "watch" || first === "unwatch") return parseWatch(first, words.slice(1), t);
  if (first === undefined || first === "help" || first === "--help") return { kind: "help" };
  if (first === "status" && second === undefined) return { kind: "status" };
  if (first === "audit" && rest.length === 0) {
    if (second === undefined) return { kind: "audit", namespace: null };
    if (isNamespaceName(second)) return { kind: "audit", namespace: second };
    return { kind: "invalid", problem: t.invalidNamespace(quoted(second)) };
  }
  if (!isNamespaceName(first)) return { kind: "invalid", problem: t.invalidNamespace(quoted(first)) };
  if (rest.length > 0) return { kind: "invalid", problem: t.tooManyWords(quoted(rest.join(" "))) };
  if (second !== undefined && !isObjectName(second))
    return { kind: "invalid", problem: t.invalidPod(quoted(second)) };
  return { kind: "investigate", namespace: first, pod: second ?? null };
}
