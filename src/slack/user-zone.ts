// A Slack user's time zone, for schedules and quiet hours given without one.

import type { App } from "@slack/bolt";
import { isTimeZone } from "../analysis/time-zone.js";

/** The user's time zone as Slack knows it, else UTC. */
export async function userZone(client: App["client"], user: string): Promise<string> {
  const info = await client.users.info({ user }).catch(() => null);
  const zone = info?.user?.tz;
  return zone && isTimeZone(zone) ? zone : "UTC";
}
