// `/oom production` typed in a channel, and the wait for its end as the channel sees it: the root
// message turned into a summary (findings, nothing found, only snoozed workloads) or the failure.

import assert from "node:assert/strict";
import type { FakeSlack, StoredMessage } from "./fake-slack.js";
import { slashCommand } from "./slack-requests.js";

const ENDED = /OOM investigation of|No OOM kills|only in snoozed workloads|investigation of `[^`]+` failed/;

export async function investigationIn(
  slack: FakeSlack,
  url: string,
  channel: string,
  timeoutMs = 60_000,
): Promise<StoredMessage> {
  const answer = await slashCommand(url, {
    text: "production",
    channel,
    responseUrl: slack.responseUrl(channel),
  });
  assert.equal(answer.status, 200, answer.text);
  return slack.until(
    () => slack.rootMessages(channel).find((m) => ENDED.test(m.text)),
    `the end of the investigation in ${channel}`,
    timeoutMs,
  );
}
