// Runs one command on an SSH connection and keeps at most a fixed number of bytes of what it prints. A
// node that sends more (a broken or hostile journal command; one sent 400 MiB) has its channel closed
// at the cap and its answer marked cut, so the client's memory stays bounded whatever the node does.

import type { Client, ClientChannel } from "ssh2";
import { fail, ok, type Result } from "../errors.js";

/** What one investigation may still receive from all its nodes together. */
export class ByteBudget {
  constructor(private left: number) {}

  get remaining(): number {
    return this.left;
  }

  /** Grants up to `wanted` bytes. */
  take(wanted: number): number {
    const granted = Math.min(wanted, this.left);
    this.left -= granted;
    return granted;
  }
}

export interface Caps {
  stdoutBytes: number;
  stderrBytes: number;
  /** Shared by every command of the investigation; stdout and stderr both draw on it. */
  job: ByteBudget;
  timeoutMs: number;
}

export interface CappedOutput {
  stdout: Buffer;
  stderr: string;
  /** The node sent more than a cap allowed: the channel was closed and the rest never read. */
  cut: boolean;
}

/** Keeps chunks up to its own cap and the job's budget. */
class Collector {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly cap: number,
    private readonly job: ByteBudget,
  ) {}

  /** False when some of the chunk did not fit. */
  add(chunk: Buffer): boolean {
    const granted = this.job.take(Math.min(chunk.length, this.cap - this.size));
    if (granted > 0) {
      this.chunks.push(chunk.subarray(0, granted));
      this.size += granted;
    }
    return granted === chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export function execCapped(client: Client, command: string, caps: Caps): Promise<Result<CappedOutput>> {
  return new Promise((resolve) => {
    const stdout = new Collector(caps.stdoutBytes, caps.job);
    const stderr = new Collector(caps.stderrBytes, caps.job);
    let channel: ClientChannel | null = null;
    let settled = false;
    const settle = (result: Result<CappedOutput>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const output = (cut: boolean) =>
      ok({ stdout: stdout.bytes(), stderr: stderr.bytes().toString("utf8"), cut });
    // Past a cap: stop granting the node window space (paused streams are not drained), ask it to close,
    // and answer with what was kept. What is already in flight is bounded by the channel's window.
    const cutOff = (open: ClientChannel) => {
      open.pause();
      open.stderr.pause();
      open.close();
      settle(output(true));
    };
    // Local guard on top of the node's own timeout: a node that stops answering mid-command.
    const timer = setTimeout(() => {
      channel?.close();
      settle(fail("timeout", `the command gave no answer within ${Math.round(caps.timeoutMs / 1000)} s`));
    }, caps.timeoutMs);
    client.exec(command, (error, opened) => {
      if (error) return settle(fail("ssh-error", error.message));
      channel = opened;
      opened.on("data", (chunk: Buffer) => {
        if (!stdout.add(chunk)) cutOff(opened);
      });
      opened.stderr.on("data", (chunk: Buffer) => {
        if (!stderr.add(chunk)) cutOff(opened);
      });
      opened.on("close", () => settle(output(false)));
      opened.end();
    });
  });
}
