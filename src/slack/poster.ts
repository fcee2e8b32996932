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
  content: string;
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
    readonly threadTs: string,
  ) {}

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      this.metrics.slackApiErrors.inc({ method, error: slackErrorCode(error) });
      throw error;
    }
  }

  /** Replaces the root message's content. */
  async updateRoot(message: SlackMessage): Promise<void> {
    await this.call("chat.update", () =>
      this.client.chat.update({
        channel: this.channel,
        ts: this.threadTs,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  /** Posts a thread reply for `step`, or updates the one posted for it before. */
  async reply(step: string, message: SlackMessage): Promise<string> {
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
        thread_ts: this.threadTs,
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
        content: file.content,
      }),
    );
    await this.store.recordPosted(this.jobId, step, "uploaded");
  }
}
