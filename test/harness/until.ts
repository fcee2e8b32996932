// Waiting without sleeping: a condition re-checked each time something happens, with a deadline
// only as a safety net.

import type { EventEmitter } from "node:events";

/** Resolves with `check()`'s value once it is truthy, re-checked at every `event`; rejects after `timeoutMs`. */
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
    const onEvent = () => {
      const value = check();
      if (!value) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`timed out waiting for ${describe()}`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}
