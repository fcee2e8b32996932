// Times as logs give them. Syslog-style text has neither year nor zone, dmesg may give only seconds since
// boot: such times are kept as they are and resolved later against a reference (a container's
// finishedAt), saying what was assumed.

export interface WallClock {
  year: number | null;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export type LogTime =
  | { kind: "instant"; epochMs: number }
  | { kind: "wall"; wall: WallClock }
  | { kind: "uptime"; seconds: number }
  | { kind: "none" };

export const NO_TIME: LogTime = { kind: "none" };

export interface ResolvedTime {
  epochMs: number;
  /** Set when the zone of a wall-clock time was not known and had to be inferred. */
  inferredUtcOffsetMinutes: number | null;
}

const MINUTE_MS = 60_000;
const QUARTER_HOURS = Array.from({ length: (14 * 60 + 12 * 60) / 15 + 1 }, (_, i) => -12 * 60 + i * 15);

function wallToEpochMs(wall: WallClock, year: number, utcOffsetMinutes: number): number {
  const utc = Date.UTC(year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  return utc - utcOffsetMinutes * MINUTE_MS;
}

/**
 * Resolves a log time near `referenceMs`. A wall-clock time with no year takes the year that puts it
 * nearest the reference; with no known zone (`utcOffsetMinutes` null) the quarter-hour offset that puts
 * it nearest is inferred and reported. Uptime-only and missing times cannot be resolved.
 */
export function resolveLogTime(
  time: LogTime,
  referenceMs: number,
  utcOffsetMinutes: number | null,
): ResolvedTime | null {
  if (time.kind === "instant") return { epochMs: time.epochMs, inferredUtcOffsetMinutes: null };
  if (time.kind !== "wall") return null;
  const referenceYear = new Date(referenceMs).getUTCFullYear();
  const years =
    time.wall.year === null ? [referenceYear - 1, referenceYear, referenceYear + 1] : [time.wall.year];
  const offsets = utcOffsetMinutes === null ? QUARTER_HOURS : [utcOffsetMinutes];
  let bestMs = Number.NaN;
  let bestOffset = 0;
  for (const year of years) {
    for (const offset of offsets) {
      const candidate = wallToEpochMs(time.wall, year, offset);
      if (Number.isNaN(bestMs) || Math.abs(candidate - referenceMs) < Math.abs(bestMs - referenceMs)) {
        bestMs = candidate;
        bestOffset = offset;
      }
    }
  }
  return { epochMs: bestMs, inferredUtcOffsetMinutes: utcOffsetMinutes === null ? bestOffset : null };
}

/** Parses `+08:00`, `-0530`, `Z`, `UTC` into minutes east of UTC; null when it is not an offset. */
export function parseUtcOffset(text: string): number | null {
  const trimmed = text.trim();
  if (/^(Z|UTC|GMT)$/i.test(trimmed)) return 0;
  const match = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?$/i.exec(trimmed);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? "0");
  if (minutes > 14 * 60) return null;
  return match[1] === "-" ? -minutes : minutes;
}

/** Milliseconds from a fraction-of-second digit string (`5`, `123456`). */
export function fractionToMillis(digits: string | undefined): number {
  if (!digits) return 0;
  return Math.floor(Number(`0.${digits}`) * 1000);
}
