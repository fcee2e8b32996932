// Structured logs: one JSON object per line on stderr, for whatever collects the pod's output.
// Callers pass ids and names, never tokens or message contents.

import type { Logger, LogLevel } from "@slack/logger";
export type Level = "debug" | "info" | "warn" | "error";

export type Log = (level: Level, message: string, fields?: Record<string, unknown>) => void;

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function jsonLog(
  stream: { write(text: string): unknown },
  now: () => number,
  minimum: Level = "info",
): Log {
  return (level, message, fields = {}) => {
    if (RANK[level] < RANK[minimum]) return;
    stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...fields })}\n`);
  };
}

/** The same log behind the logger interface Bolt and the Slack clients expect. */
export function boltLogger(log: Log, name = "slack"): Logger {
  let level = "warn" as LogLevel;
  const emit =
    (at: Level) =>
    (...parts: unknown[]) => {
      if (RANK[at] >= RANK[level as Level])
        log(at, parts.map((part) => (part instanceof Error ? part.message : String(part))).join(" "), {
          component: name,
        });
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
