// A clock and timers that move only when the test says so: what runs at which moment is decided by
// the test, not by how busy the machine is.

import type { KeeperTimers } from "../../src/queue/lease-keeper.js";

interface Pending {
  at: number;
  callback: () => void;
}

export class ManualTimers implements KeeperTimers {
  private nowMs: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.nowMs + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock on by `ms`, running every timer due on the way at its own moment, in order. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort(([a, first], [b, second]) => first.at - second.at || a - b)[0];
      if (due === undefined) break;
      const [id, timer] = due;
      this.pending.delete(id);
      this.nowMs = timer.at;
      timer.callback();
    }
    this.nowMs = target;
  }
}
