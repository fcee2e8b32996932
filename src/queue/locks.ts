// How long a worker holds its jobs, and how soon another takes over the jobs of one that died. A
// worker holds a lock per active job and renews it; a stalled check (one at a time across all workers,
// every stalledCheckMs) marks the active jobs, and moves back to the queue those still marked at the
// next check whose lock has lapsed.

export interface LockTimings {
  /** How long a job's lock lasts without renewal. */
  lockMs: number;
  /** How often the worker renews it: a third of the lock, so one missed renewal costs nothing. */
  renewMs: number;
  /** How often workers look for jobs whose worker died. */
  stalledCheckMs: number;
}

export function lockTimings(lockSeconds: number): LockTimings {
  const lockMs = lockSeconds * 1000;
  return { lockMs, renewMs: Math.round(lockMs / 3), stalledCheckMs: Math.round(lockMs / 3) };
}

/**
 * The longest a dead worker's job waits once a replacement has started: its lock lapses at most lockMs
 * after the replacement starts (it was renewed before the crash); the job is marked at the first or
 * second check and moved at the first check after the lapse, checks being stalledCheckMs apart.
 */
export function longestTakeoverMs(timings: LockTimings): number {
  return Math.max(timings.lockMs + timings.stalledCheckMs, 2 * timings.stalledCheckMs);
}
