// Quiet hours as users write them: `22:00-07:00`, local times in the subscription's zone. Pure.

export interface QuietHours {
  from: string;
  to: string;
}

// The en dash is what phones and chat clients often make of a typed hyphen.
const RANGE = /^([01]?\d|2[0-3]):([0-5]\d)[-–]([01]?\d|2[0-3]):([0-5]\d)$/;

const clock = (hours: string, minutes: string) => `${hours.padStart(2, "0")}:${minutes}`;

/** `HH:MM-HH:MM` (a range may cross midnight), or null when it is not one, or empty. */
export function parseQuietHours(text: string): QuietHours | null {
  const match = RANGE.exec(text.trim());
  if (!match) return null;
  const [, fromHours = "", fromMinutes = "", toHours = "", toMinutes = ""] = match;
  const quiet = { from: clock(fromHours, fromMinutes), to: clock(toHours, toMinutes) };
  return quiet.from === quiet.to ? null : quiet;
}
