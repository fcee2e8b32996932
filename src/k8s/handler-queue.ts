// Hands what the watch streams receive to the handlers one call at a time, in the order received,
// each awaited before the next. Closed until opened (nothing runs before every stream is up); once
// stopped, nothing more runs.

export class HandlerQueue {
  private tail: Promise<void>;
  private opened: () => void = () => {};
  private stopped = false;

  constructor(private readonly failed: (error: unknown) => void) {
    this.tail = new Promise<void>((resolve) => {
      this.opened = resolve;
    });
  }

  /** Runs `call` after every call queued before it; resolves when it ran (or was dropped). */
  push(call: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(async () => {
      if (this.stopped) return;
      try {
        await call();
      } catch (error) {
        this.failed(error);
      }
    });
    return this.tail;
  }

  open(): void {
    this.opened();
  }

  /** Drops every call not yet started (one already running finishes on its own). */
  stop(): void {
    this.stopped = true;
    this.opened();
  }
}
