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
