// Keeps trying for the lease, and renews it while held, every third of its TTL. A holder that cannot
// renew (Redis unreachable, or a call that never comes back) considers the lease lost before its TTL
// can end in Redis: `onLost` is called once the last successful renewal is `ttl - margin` old, measured
// from when that renewal was sent, so another holder never acts while this one still does.

import type { LeaderLease } from "../alerts/ports.js";

/** The clock and timers the keeper runs on; tests drive them by hand. */
export interface KeeperTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: KeeperTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LeaseKeeperOptions {
  ttlMs: number;
  /** How much sooner than the TTL a holder that could not renew stops acting (clocks drift); ttl/10. */
  marginMs?: number;
  /** The lease is ours under `token`: start acting. Not awaited. */
  onAcquired(token: number): void;
  /** The lease is no longer ours (or may not be): stop acting at once. Not awaited. */
  onLost(): void;
  /** An acquire or renewal failed (it is tried again at the next turn). */
  onError?(error: unknown): void;
  timers?: KeeperTimers;
}

export class LeaseKeeper {
  private token: number | null = null;
  private stopped = false;
  private turn: unknown = null;
  private deadline: unknown = null;
  private readonly timers: KeeperTimers;
  private readonly marginMs: number;

  constructor(
    private readonly lease: LeaderLease,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.timers = options.timers ?? systemTimers;
    this.marginMs = options.marginMs ?? Math.round(options.ttlMs / 10);
  }

  /** The token while the lease is ours. */
  get held(): number | null {
    return this.token;
  }

  /** Tries for the lease now, then every third of the TTL. Once: a stopped keeper stays stopped. */
  start(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops trying and renewing, and gives the lease up if held (`onLost` is not called). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.turn);
    this.timers.clearTimeout(this.deadline);
    const token = this.token;
    this.token = null;
    if (token !== null) await this.release(token);
  }

  private schedule(ms: number): void {
    this.turn = this.timers.setTimeout(() => void this.step(), ms);
  }

  private async step(): Promise<void> {
    const sentAt = this.timers.now();
    try {
      if (this.token === null) await this.tryAcquire(sentAt);
      else await this.tryRenew(this.token, sentAt);
    } catch (error) {
      // The deadline decides when an unreachable Redis means the lease is lost.
      this.options.onError?.(error);
    }
    if (!this.stopped) this.schedule(Math.round(this.options.ttlMs / 3));
  }

  private async tryAcquire(sentAt: number): Promise<void> {
    const token = await this.lease.acquire();
    if (token === null) return;
    // An answer that took most of the TTL to come leaves no time to act: given back, asked for next turn.
    if (this.stopped || this.endsAt(sentAt) <= this.timers.now()) {
      await this.release(token);
      return;
    }
    this.token = token;
    this.armDeadline(sentAt);
    this.options.onAcquired(token);
  }

  private async tryRenew(token: number, sentAt: number): Promise<void> {
    const renewed = await this.lease.renew(token);
    // Lost by the deadline (or stopped) while the call was out: its answer comes too late to count.
    if (this.token !== token) return;
    if (renewed) this.armDeadline(sentAt);
    else this.lose();
  }

  private armDeadline(sentAt: number): void {
    this.timers.clearTimeout(this.deadline);
    this.deadline = this.timers.setTimeout(
      () => this.lose(),
      Math.max(0, this.endsAt(sentAt) - this.timers.now()),
    );
  }

  /** When a lease taken or renewed by a call sent at `sentAt` stops counting as ours. */
  private endsAt(sentAt: number): number {
    return sentAt + this.options.ttlMs - this.marginMs;
  }

  private lose(): void {
    if (this.token === null) return;
    this.token = null;
    this.timers.clearTimeout(this.deadline);
    this.options.onLost();
  }

  private async release(token: number): Promise<void> {
    try {
      await this.lease.release(token);
    } catch (error) {
      // It lapses by itself at the end of its TTL.
      this.options.onError?.(error);
    }
  }
}
