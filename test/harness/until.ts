// Waiting without sleeping: a condition re-checked each time something happens, with a deadline
// only as a safety net.

import type { EventEmitter } from "node:events";

/**
 * Resolves with `check()`'s value once it is truthy, re-checked at every `event`; rejects after
 * `timeoutMs`, or as soon as `check()` throws (a condition that can no longer come true).
 */
export async function untilEvent<T>(
  emitter: EventEmitter,
  event: string,
  check: () => T | null | undefined | false,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<T> {
  const first = check();
  if (first) return first;
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
    };
    const onEvent = () => {
      let value: T | null | undefined | false;
      try {
        value = check();
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      if (!value) return;
      stop();
      resolve(value);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${describe()}`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}

/**
 * Resolves once `check()` resolves true, asked again every `everyMs`; rejects after `timeoutMs`. For
 * what no event announces, like a Redis key lapsing at the end of its TTL.
 */
export async function untilTrue(
  check: () => Promise<boolean>,
  describe: string,
  timeoutMs = 10_000,
  everyMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
