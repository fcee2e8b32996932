// Runs of samples for the history rules' tests: straight lines, plateaus and steps, scraped every
// minute from a fixed instant, with seeded noise where a test asks for it.

import { type Points, seeded } from "../../bench/history-generator.js";

export type { Points };

export const MI = 2 ** 20;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
/** 2024-06-01T08:00:00Z */
export const T0 = Date.UTC(2024, 5, 1, 8);

/** Memory along a line: `count` scrapes `stepMs` apart from `startMs`, with gaussian noise of `noiseSd`. */
export function line(spec: {
  fromBytes: number;
  bytesPerHour: number;
  count: number;
  startMs?: number;
  stepMs?: number;
  noiseSd?: number;
  seed?: number;
}): Points {
  const { startMs = T0, stepMs = MINUTE_MS, noiseSd = 0 } = spec;
  const random = seeded(spec.seed ?? 1);
  const noise = () => noiseSd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: spec.count }, (_, index) => {
    const ms = startMs + index * stepMs;
    return [ms, Math.round(spec.fromBytes + (spec.bytesPerHour * (ms - startMs)) / HOUR_MS + noise())];
  });
}

/** A flat run at `bytes`: a line that does not grow. */
export const flat = (bytes: number, count: number, options: { startMs?: number; noiseSd?: number } = {}) =>
  line({ fromBytes: bytes, bytesPerHour: 0, count, ...options });

export const endOf = (points: Points) => (points.at(-1) as [number, number])[0];
