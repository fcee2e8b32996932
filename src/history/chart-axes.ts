// The memory picture's axes: times on the reader's clock (hours, with each new day named by its date)
// and bytes in binary units on round powers of two. Pure.

import { wallTimeAt } from "../analysis/local-time.js";

export interface TimeTick {
  ms: number;
  /** `14:00`, or `07-12` where a day begins. */
  label: string;
  dayStart: boolean;
}

const MINUTE_MS = 60_000;
/** Tick intervals in minutes: each divides a day, so that ticks fall on the same clock times daily. */
const TICK_MINUTES = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
const MAX_TIME_TICKS = 8;

const twoDigits = (value: number) => String(value).padStart(2, "0");

/** `07-12`: the day on the reader's calendar. */
export function dateLabel(ms: number, tz: string): string {
  const wall = wallTimeAt(ms, tz);
  return `${twoDigits(wall.month)}-${twoDigits(wall.day)}`;
}

/** `14:05`: the time on the reader's clock. */
export function clockLabel(ms: number, tz: string): string {
  const wall = wallTimeAt(ms, tz);
  return `${twoDigits(wall.hour)}:${twoDigits(wall.minute)}`;
}

/** Ticks on round clock times in `tz` (on the hour, the half hour...), at most about eight. */
export function timeTicks(startMs: number, endMs: number, tz: string): TimeTick[] {
  const spanMinutes = (endMs - startMs) / MINUTE_MS;
  const everyMinutes = TICK_MINUTES.find((minutes) => spanMinutes / minutes <= MAX_TIME_TICKS) ?? 1440;
  // Zones are offset from UTC by whole quarter hours: a round clock time falls on a UTC instant that
  // is a whole number of quarter hours (or of five minutes, for ticks finer than a quarter).
  const grainMs = (everyMinutes % 15 === 0 ? 15 : 5) * MINUTE_MS;
  const ticks: TimeTick[] = [];
  for (let ms = Math.ceil(startMs / grainMs) * grainMs; ms <= endMs; ms += grainMs) {
    const wall = wallTimeAt(ms, tz);
    const minuteOfDay = wall.hour * 60 + wall.minute;
    if (minuteOfDay % everyMinutes !== 0) continue;
    const dayStart = minuteOfDay === 0;
    ticks.push({ ms, label: dayStart ? dateLabel(ms, tz) : clockLabel(ms, tz), dayStart });
  }
  // Over more than eight days even daily ticks crowd: keep every second, third... day.
  const keepEvery = everyMinutes === 1440 ? Math.ceil(ticks.length / (MAX_TIME_TICKS + 1)) : 1;
  return ticks.filter((_, index) => index % keepEvery === 0);
}

const BINARY_UNITS: ReadonlyArray<[string, number]> = [
  ["GiB", 2 ** 30],
  ["MiB", 2 ** 20],
  ["KiB", 2 ** 10],
];
const MAX_BYTE_TICKS = 5;

/** The byte axis: from 0 to `top` every `every` bytes, a power of two; `top` is at least `maxBytes`. */
export function byteTicks(maxBytes: number): { every: number; top: number } {
  let every = 1024;
  while (every * MAX_BYTE_TICKS < maxBytes) every *= 2;
  return { every, top: Math.max(every, Math.ceil(maxBytes / every) * every) };
}

/** `512 MiB`, `1.25 GiB`: an axis figure in the largest binary unit it reaches. */
export function byteLabel(bytes: number): string {
  const [unit, size] = BINARY_UNITS.find(([, unitSize]) => bytes >= unitSize) ?? ["B", 1];
  return `${Number((bytes / size).toFixed(2))} ${unit}`;
}
