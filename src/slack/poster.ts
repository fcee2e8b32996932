// Posting a job's messages exactly once. What a job posted is remembered per step (the message ts in
// Redis), so a retried, stalled or re-run job updates its messages instead of posting copies. Rate
// limits are the Web API client's job: it waits out Retry-After and tries again.

import type { WebClient } from "@slack/web-api";
import type { Metrics } from "../ops/metrics.js";
import type { BotStore } from "../store/bot-store.js";
import type { SlackMessage } from "./render/blocks.js";

export interface Upload {
  filename: string;
  title: string;
  /** Text, or the bytes of a binary file (a PNG). */
  content: string | Buffer;
}

/** The Slack error code of a failed call (`channel_not_found`, `ratelimited`...), for metrics. */
function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === "string") return data.error;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "unknown";
}

export class ThreadPoster {
  constructor(
    private readonly client: WebClient,
    private readonly store: BotStore,
    private readonly metrics: Metrics,
    private readonly jobId: string,
    readonly channel: string,
    /** The thread replies go to; for a job that starts its own thread, "" until it does. */
    readonly threadTs: string,
    /** The message that shows the job's state: the thread's root, unless the job runs in another's thread. */
    readonly rootTs: string = threadTs,
  ) {}

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      this.metrics.slackApiError(method, slackErrorCode(error));
      throw error;
    }
  }

  /** Replaces the root message's content. */
  async updateRoot(message: SlackMessage): Promise<void> {
    await this.call("chat.update", () =>
      this.client.chat.update({
        channel: this.channel,
        ts: this.rootTs,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  /** Posts a thread reply for `step`, or updates the one posted for it before. */
  async reply(step: string, message: SlackMessage): Promise<string> {
    return this.once(step, message, this.threadTs);
  }

  /** Posts a message in the channel itself (not the thread) for `step`, or updates it. */
  async channelMessage(step: string, message: SlackMessage): Promise<string> {
    return this.once(step, message, undefined);
  }

  private async once(step: string, message: SlackMessage, threadTs: string | undefined): Promise<string> {
    const posted = await this.store.posted(this.jobId, step);
    if (posted !== null) {
      await this.call("chat.update", () =>
        this.client.chat.update({
          channel: this.channel,
          ts: posted,
          text: message.text,
          blocks: message.blocks,
        }),
      );
      return posted;
    }
    const answer = await this.call("chat.postMessage", () =>
      this.client.chat.postMessage({
        channel: this.channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      }),
    );
    const ts = answer.ts ?? "";
    await this.store.recordPosted(this.jobId, step, ts);
    return ts;
  }

  /** Uploads a file into the thread for `step`, unless it was uploaded before. */
  async upload(step: string, file: Upload): Promise<void> {
    if ((await this.store.posted(this.jobId, step)) !== null) return;
    await this.call("files.uploadV2", () =>
      this.client.filesUploadV2({
        channel_id: this.channel,
        thread_ts: this.threadTs,
        filename: file.filename,
        title: file.title,
        ...(typeof file.content === "string" ? { content: file.content } : { file: file.content }),
      }),
    );
    await this.store.recordPosted(this.jobId, step, "uploaded");
  }
}
