// Number formatting for explanations, shared so every sentence says sizes and rates the same way.

import type { LogTime } from "./log-time.js";

export function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

export function perDay(rate: number): string {
  return rate.toFixed(1);
}

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

export function signedSeconds(seconds: number): string {
  const magnitude = Math.abs(seconds);
  const text = magnitude >= 120 ? `${(magnitude / 60).toFixed(1)} min` : `${magnitude} s`;
  return seconds >= 0 ? `${text} after` : `${text} before`;
}

export function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const magnitude = Math.abs(minutes);
  const hours = String(Math.floor(magnitude / 60)).padStart(2, "0");
  return `UTC${sign}${hours}:${String(magnitude % 60).padStart(2, "0")}`;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** A log time as written for people: UTC when the zone is known, else as the node printed it. */
export function describeLogTime(time: LogTime): string {
  switch (time.kind) {
    case "instant":
      return `${new Date(time.epochMs).toISOString().replace(".000Z", "Z")}`;
    case "wall": {
      const w = time.wall;
      const date = `${w.year === null ? "" : `${w.year}-`}${pad(w.month)}-${pad(w.day)}`;
      return `${date} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} (node local time)`;
    }
    case "uptime":
      return `${time.seconds.toFixed(1)} s after boot`;
    case "none":
      return "an unknown time";
  }
}
