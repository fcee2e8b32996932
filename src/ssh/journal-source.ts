// The SSH adapter investigations read journal windows with. What the nodes send back is capped per
// window and per investigation; connecting (host keys, bastion) is src/ssh/node-connector.ts's.

import type { JournalWindow } from "../analysis/windows.js";
import { ok, type Result } from "../errors.js";
import type { FetchedWindow, NodeJournalFetch, NodeJournalSource, NodeTarget } from "../ports.js";
import { ByteBudget } from "./capped-exec.js";
import { oldestEntryCommand, windowCommand } from "./command.js";
import { journalLines } from "./journal-answer.js";
import type { KnownHosts } from "./known-hosts.js";
import { NodeConnector, type NodeSession, type SshLogin } from "./node-connector.js";

export class SshJournalSource implements NodeJournalSource {
  private readonly connector: NodeConnector;
  /** One source serves one investigation: this is what all its nodes may still send. */
  private readonly budget: ByteBudget;

  constructor(config: SshLogin, knownHosts: KnownHosts) {
    this.connector = new NodeConnector(config, knownHosts);
    this.budget = new ByteBudget(config.maxJobOutputBytes);
  }

  private async readWindow(
    session: NodeSession,
    target: NodeTarget,
    window: JournalWindow,
  ): Promise<Result<FetchedWindow>> {
    // The investigation's budget is spent: later windows are not asked for, and say so.
    if (this.budget.remaining === 0) return ok({ window, bytes: new Uint8Array(), truncated: true });
    const output = await session.run(windowCommand(window, this.connector.limits), this.budget);
    const lines = journalLines(target.node, output);
    return lines.ok ? ok({ window, ...lines.value }) : lines;
  }

  private async oldestEntry(session: NodeSession): Promise<number | null> {
    const output = await session.run(oldestEntryCommand(this.connector.limits), this.budget);
    if (!output.ok) return null;
    const micros = /"__REALTIME_TIMESTAMP"\s*:\s*"(\d+)"/.exec(output.value.stdout.toString("utf8"))?.[1];
    return micros ? Math.floor(Number(micros) / 1000) : null;
  }

  fetch(target: NodeTarget, windows: JournalWindow[]): Promise<Result<NodeJournalFetch>> {
    return this.connector.withNode(target, async (session) => {
      const fetched: FetchedWindow[] = [];
      for (const window of windows) {
        const read = await this.readWindow(session, target, window);
        if (!read.ok) return read;
        fetched.push(read.value);
      }
      const anyKernel = fetched.some((window) => Buffer.from(window.bytes).includes('"kernel"'));
      return ok({ windows: fetched, oldestEntryMs: anyKernel ? null : await this.oldestEntry(session) });
    });
  }

  close(): Promise<void> {
    return this.connector.close();
  }
}
