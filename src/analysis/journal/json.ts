// `journalctl -o json` lines: one JSON object per line, MESSAGE as a string or, when it is not valid
// UTF-8, as an array of bytes.

import type { LogRecord } from "./record.js";

const decoder = new TextDecoder("utf-8", { fatal: false });

export function messageText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((byte) => typeof byte === "number")) {
    return decoder.decode(Uint8Array.from(value as number[]));
  }
  return null;
}

function field(entry: Record<string, unknown>, name: string): string | null {
  const value = messageText(entry[name]);
  return value === null || value.length === 0 ? null : value;
}

/** Records from one journal entry given as field -> value (shared by the json and export forms). */
export function recordsFromEntry(entry: Record<string, unknown>): LogRecord[] {
  const message = field(entry, "MESSAGE");
  if (message === null) return [];
  const realtime = field(entry, "__REALTIME_TIMESTAMP");
  const micros = realtime !== null && /^\d+$/.test(realtime) ? Number(realtime) : Number.NaN;
  const time = Number.isFinite(micros)
    ? ({ kind: "instant", epochMs: Math.floor(micros / 1000) } as const)
    : ({ kind: "none" } as const);
  const kernel = field(entry, "_TRANSPORT") === "kernel" || field(entry, "SYSLOG_IDENTIFIER") === "kernel";
  const host = field(entry, "_HOSTNAME");
  const bootId = field(entry, "_BOOT_ID");
  return message
    .split("\n")
    .map((line) => ({ time, host, kernel, message: line, cutByPager: false, bootId, marker: null }));
}

/** Parses one line of `journalctl -o json`; anything that is not a JSON object gives no record. */
export function parseJsonLine(line: string): LogRecord[] {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return [];
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [];
  return recordsFromEntry(entry as Record<string, unknown>);
}
