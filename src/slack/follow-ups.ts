// The work that follows an acknowledgement (look-ups, the root message, the enqueue) waits its turn:
// while requests from Slack wait for their acknowledgement, follow-ups run one at a time; otherwise up
// to `limit` at once. A burst of commands then cannot hold up the acknowledgements Slack waits three
// seconds for, and every command still gets its answer, soon after.

import type { IncomingMessage, ServerResponse } from "node:http";

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

export class FollowUps {
  private running = 0;
  private unanswered = 0;
  private readonly waiting: Array<() => Promise<unknown>> = [];
  private readonly drained: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  run(task: () => Promise<unknown>): void {
    this.waiting.push(task);
    this.start();
  }

  /** Wraps the Slack request listener, so follow-ups know when acknowledgements are waiting. */
  watch(listener: Listener): Listener {
    return (request, response) => {
      this.unanswered += 1;
      response.once("close", () => {
        this.unanswered -= 1;
        this.start();
      });
      listener(request, response);
    };
  }

  /** Tasks running or waiting. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves once every task queued so far has finished: a process stopping waits for them. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private start(): void {
    const cap = this.unanswered > 0 ? 1 : this.limit;
    while (this.running < cap) {
      const task = this.waiting.shift();
      if (!task) break;
      this.running += 1;
      // After pending I/O (a request just arrived, say) had its turn.
      setImmediate(() => {
        task()
          .catch(this.onError)
          .finally(() => this.finished());
      });
    }
  }

  private finished(): void {
    this.running -= 1;
    this.start();
    if (this.running === 0 && this.waiting.length === 0)
      for (const resolve of this.drained.splice(0)) resolve();
  }
}
