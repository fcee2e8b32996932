// The SSH adapter sweeps read nodes' new kernel messages with: one request per sweep, from the node's
// last cursor (or since a time, for a node never swept), its answer capped at ssh.maxOutputBytes.
// Connecting (host keys, bastion) is src/ssh/node-connector.ts's.

import type { KernelSweep, KernelSweepSource } from "../alerts/ports.js";
import { isJournalCursor } from "../analysis/names.js";
import { fail, type Result } from "../errors.js";
import type { NodeTarget } from "../ports.js";
import { kernelFromCommand, kernelSinceCommand } from "./command.js";
import { journalLines } from "./journal-answer.js";
import type { KnownHosts } from "./known-hosts.js";
import { NodeConnector, type SshLogin } from "./node-connector.js";
import { sweepFromLines } from "./sweep-lines.js";

export class SshKernelSweep implements KernelSweepSource {
  private readonly connector: NodeConnector;

  constructor(config: SshLogin, knownHosts: KnownHosts) {
    this.connector = new NodeConnector(config, knownHosts);
  }

  async sweep(
    target: NodeTarget,
    from: { cursor: string } | { sinceEpoch: number },
  ): Promise<Result<KernelSweep>> {
    // Stored by an earlier sweep, yet never trusted: a cursor of another shape is not sent.
    if ("cursor" in from && !isJournalCursor(from.cursor))
      return fail(
        "invalid-journal",
        `${target.node}: the stored sweep cursor is not a journald cursor`,
        "start the node's sweeps over from a time",
      );
    const limits = this.connector.limits;
    const command =
      "cursor" in from ? kernelFromCommand(from.cursor, limits) : kernelSinceCommand(from.sinceEpoch, limits);
    const cursor = "cursor" in from ? from.cursor : null;
    return this.connector.withNode(target, async (session) => {
      const lines = journalLines(target.node, await session.run(command));
      return lines.ok ? sweepFromLines(target.node, lines.value, cursor) : lines;
    });
  }

  close(): Promise<void> {
    return this.connector.close();
  }
}
