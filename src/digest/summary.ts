// A day's digest from the restart events: totals against the day before, the top workloads with
// their reasons, newcomers and chronic offenders, and the last seven days per workload for the chart.
// Pure: events and the digest's end time in, the model out.

import { workloadKey } from "../analysis/workload-key.js";
import type { RestartEvent } from "./accounting.js";

const DAY_MS = 86_400_000;
const TOP = 5;
/** Restarting this many days in a row, up to today, makes a workload chronic. */
export const CHRONIC_DAYS = 3;

export interface Totals {
  restarts: number;
  oomKills: number;
  podsAffected: number;
  /** Some of the counts come from a scope's first snapshot: there were at least this many. */
  lowerBound: boolean;
}

export interface WorkloadLine {
  /** namespace/Kind/name: what snoozes and buttons know the workload by. */
  key: string;
  namespace: string;
  workload: string;
  restarts: number;
  oomKills: number;
  reasons: string[];
}

export interface DigestModel {
  endMs: number;
  today: Totals;
  yesterday: Totals;
  top: WorkloadLine[];
  /** Restarting today, not in the six days before. */
  newOffenders: string[];
  /** Restarting every day for CHRONIC_DAYS days or more, up to today: workload -> days. */
  chronic: Array<{ workload: string; days: number }>;
  /** Restarts per day over the last 7 days (oldest first) for the top workloads. */
  series: Array<{ workload: string; perDay: number[] }>;
}

const label = (event: RestartEvent) => workloadKey(event.namespace, event.workload);

function totals(events: RestartEvent[]): Totals {
  return {
    restarts: events.reduce((sum, event) => sum + event.restarts, 0),
    oomKills: events.reduce((sum, event) => sum + event.oomKills, 0),
    podsAffected: new Set(events.map((event) => event.pod)).size,
    lowerBound: events.some((event) => event.lowerBound === true),
  };
}

/** Day 0 is the 24 hours up to and including `endMs`, day 1 the 24 before that, and so on. */
const dayOf = (event: RestartEvent, endMs: number) => Math.floor((endMs - event.atMs) / DAY_MS);

export function summarise(events: RestartEvent[], endMs: number): DigestModel {
  const inWeek = events.filter((event) => event.atMs <= endMs && endMs - event.atMs < 7 * DAY_MS);
  const byDay = (day: number) => inWeek.filter((event) => dayOf(event, endMs) === day);
  const today = byDay(0);
  const lines = new Map<string, WorkloadLine>();
  for (const event of today) {
    const key = label(event);
    const line = lines.get(key) ?? {
      key,
      namespace: event.namespace,
      workload: event.workload,
      restarts: 0,
      oomKills: 0,
      reasons: [],
    };
    line.restarts += event.restarts;
    line.oomKills += event.oomKills;
    if (event.reason && !line.reasons.includes(event.reason))
      line.reasons = [...line.reasons, event.reason].sort();
    lines.set(key, line);
  }
  const ranked = [...lines.values()].sort(
    (a, b) => b.restarts - a.restarts || b.oomKills - a.oomKills || a.workload.localeCompare(b.workload),
  );
  const daysWith = (key: string) =>
    new Set(inWeek.filter((event) => label(event) === key).map((e) => dayOf(e, endMs)));
  const newOffenders: string[] = [];
  const chronic: Array<{ workload: string; days: number }> = [];
  for (const key of ranked.map((line) => line.key)) {
    const days = daysWith(key);
    if (days.size === 1) newOffenders.push(key);
    let streak = 0;
    while (days.has(streak)) streak++;
    if (streak >= CHRONIC_DAYS) chronic.push({ workload: key, days: streak });
  }
  const top = ranked.slice(0, TOP);
  return {
    endMs,
    today: totals(today),
    yesterday: totals(byDay(1)),
    top,
    newOffenders,
    chronic,
    series: top.map((line) => {
      const key = line.key;
      const perDay = [6, 5, 4, 3, 2, 1, 0].map((day) =>
        byDay(day)
          .filter((event) => label(event) === key)
          .reduce((sum, event) => sum + event.restarts, 0),
      );
      return { workload: key, perDay };
    }),
  };
}

function parts(ms: number, tz: string): Record<string, string> {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
}

/** `2026-03-29 09:00 Europe/Berlin`: a moment as the subscriber's clock shows it. */
export function localTime(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${tz}`;
}

/** The seven days the chart shows, oldest first, as MM-DD on the subscriber's calendar. */
export function dayLabels(endMs: number, tz: string): string[] {
  return [6, 5, 4, 3, 2, 1, 0].map((day) => {
    const p = parts(endMs - day * DAY_MS - 1, tz);
    return `${p.month}-${p.day}`;
  });
}
