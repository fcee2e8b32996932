// Sends only the latest of a stream of values, one at a time: progress updates arrive faster than
// Slack takes them, and only the newest matters.

export class LatestOnly<T> {
  private pending: { value: T } | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly send: (value: T) => Promise<void>) {}

  push(value: T): void {
    this.pending = { value };
    this.running ??= this.drain();
  }

  /** Resolves when everything pushed so far has been sent (or has failed). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const { value } = this.pending;
      this.pending = null;
      // A lost progress update is harmless: the final message replaces it.
      await this.send(value).catch(() => undefined);
    }
    this.running = null;
  }
}
