// The digests queue: one BullMQ Job Scheduler per subscription (a daily cron pattern in the
// subscriber's time zone, so daylight-saving changes move it with the clock), and an hourly snapshot
// per scope. Schedulers live in Redis: they survive restarts, and however many workers run, each
// occurrence is one job.

import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Subscription } from "../store/digests.js";
import { producerQueue } from "./connection.js";

export const DIGESTS_QUEUE = "digests";

export interface DigestJobData {
  channel: string;
  scope: string;
  tz: string;
}

export interface SnapshotJobData {
  scope: string;
}

/** `HH:MM` as a daily cron pattern. */
export function dailyPattern(at: string): string {
  const [hours, minutes] = at.split(":").map(Number);
  return `${minutes ?? 0} ${hours ?? 0} * * *`;
}

/** When a subscription's digest runs: daily at its time, in its zone (so DST moves it with the clock). */
export function digestRepeat(subscription: Pick<Subscription, "at" | "tz">): { pattern: string; tz: string } {
  return { pattern: dailyPattern(subscription.at), tz: subscription.tz };
}

export class DigestQueue {
  readonly queue: Queue<DigestJobData | SnapshotJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = producerQueue<DigestJobData | SnapshotJobData>(DIGESTS_QUEUE, connection, prefix);
  }

  async schedule(subscription: Subscription): Promise<void> {
    const data: DigestJobData = {
      channel: subscription.channel,
      scope: subscription.scope,
      tz: subscription.tz,
    };
    await this.queue.upsertJobScheduler(`digest-${subscription.id}`, digestRepeat(subscription), {
      name: "digest",
      data,
      opts: { attempts: 3, backoff: { type: "exponential", delay: 10_000 } },
    });
    // Hourly snapshots keep the restart history exact between digests.
    await this.queue.upsertJobScheduler(
      `snapshot-${subscription.scope}`,
      { pattern: "0 * * * *" },
      { name: "snapshot", data: { scope: subscription.scope } satisfies SnapshotJobData },
    );
  }

  /** Removes the subscription's scheduler, and the scope's snapshots when nothing else needs them. */
  async unschedule(subscription: Subscription, others: Subscription[]): Promise<void> {
    await this.queue.removeJobScheduler(`digest-${subscription.id}`);
    if (!others.some((other) => other.scope === subscription.scope))
      await this.queue.removeJobScheduler(`snapshot-${subscription.scope}`);
  }

  async now(data: DigestJobData): Promise<void> {
    await this.queue.add("digest", data, { attempts: 3, backoff: { type: "exponential", delay: 10_000 } });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
