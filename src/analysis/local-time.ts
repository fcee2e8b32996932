// Wall clocks in IANA zones, from the runtime's own zone data (Intl): what a clock in a zone reads at
// an instant, and which instants it reads a given time (none in a spring-forward gap, two in a
// fall-back overlap). Pure.

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A zone the runtime does not know reads as UTC: subscriptions are checked when made, not here. */
function formatter(tz: string): Intl.DateTimeFormat {
  const known = formatters.get(tz);
  if (known) return known;
  const options: Intl.DateTimeFormatOptions = {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  };
  let made: Intl.DateTimeFormat;
  try {
    made = new Intl.DateTimeFormat("en-US", { ...options, timeZone: tz });
  } catch {
    made = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
  }
  formatters.set(tz, made);
  return made;
}

function clockAt(ms: number, tz: string): WallTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(ms)) parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** What a clock in `tz` reads at `ms`, to the minute. */
export function wallTimeAt(ms: number, tz: string): WallTime {
  const { second: _, ...wall } = clockAt(ms, tz);
  return wall;
}

/** The zone's offset from UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, tz: string): number {
  const c = clockAt(ms, tz);
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - whole;
}

const DAY_MS = 86_400_000;

/** The same wall time `days` calendar days later (the calendar, not the zone, decides month ends). */
export function addDays(wall: WallTime, days: number): WallTime {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const wallMs = (wall: WallTime) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);

const sameWall = (a: WallTime, b: WallTime) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/** The instants at which a clock in `tz` reads `wall`, earliest first. */
export function instantsAt(wall: WallTime, tz: string): number[] {
  const asUtc = wallMs(wall);
  // Offsets change at most once within a day or two: the ones a day either side are all there may be.
  const offsets = new Set([offsetAt(asUtc - DAY_MS, tz), offsetAt(asUtc, tz), offsetAt(asUtc + DAY_MS, tz)]);
  const instants = [...offsets]
    .map((offset) => asUtc - offset)
    .filter((ms) => sameWall(wallTimeAt(ms, tz), wall));
  return [...new Set(instants)].sort((a, b) => a - b);
}

/**
 * Where no instant reads `wall` (a spring-forward gap skips it), the instant the gap ends: the first
 * at which the clock reads later than `wall`. null when some instant does read it.
 */
export function gapEnd(wall: WallTime, tz: string): number | null {
  if (instantsAt(wall, tz).length > 0) return null;
  const asUtc = wallMs(wall);
  // Before the gap the zone had the smaller offset: with the larger one, `wall` lands before the gap.
  let before = asUtc - offsetAt(asUtc + DAY_MS, tz);
  let after = asUtc - offsetAt(asUtc - DAY_MS, tz);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallMs(wallTimeAt(middle, tz)) > asUtc) after = middle;
    else before = middle;
  }
  return after;
}
