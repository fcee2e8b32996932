// Starting an investigation from Slack (`/oom`, a digest's Investigate button): reserve the channel and
// namespace's one investigation first, then post its root message and let it run. A request for one
// already running posts nothing in the channel: its answer, to the requester alone, links the running
// one's thread.

import type { App } from "@slack/bolt";
import type { InvestigationQueue, InvestigationRequest } from "../queue/investigations.js";
import type { Messages } from "./i18n/catalog.js";
import { queuedMessage } from "./render/messages.js";

type Client = App["client"];

export interface EphemeralAnswer {
  response_type: "ephemeral";
  replace_original: false;
  text: string;
}

/** Null once started; otherwise what to tell the requester. */
export async function startInvestigation(
  queue: InvestigationQueue,
  client: Client,
  t: Messages,
  request: InvestigationRequest,
): Promise<EphemeralAnswer | null> {
  const reserved = await queue.reserve(request);
  if (!reserved.reserved) {
    const running = reserved.running;
    return alreadyRunning(client, t, request.namespace, running?.channel ?? "", running?.rootTs ?? "");
  }
  let rootTs = "";
  try {
    const root = await client.chat.postMessage({
      channel: request.channel,
      ...(request.threadTs ? { thread_ts: request.threadTs } : {}),
      ...queuedMessage(request.namespace, request.user, t),
    });
    rootTs = root.ts ?? "";
    await queue.begin(reserved.jobId, rootTs);
    return null;
  } catch (error) {
    // Nothing will run: give the reservation up, and take back a root message that promises a report.
    await queue.cancel(reserved.jobId).catch(() => undefined);
    if (rootTs !== "")
      await client.chat.delete({ channel: request.channel, ts: rootTs }).catch(() => undefined);
    throw error;
  }
}

async function alreadyRunning(
  client: Client,
  t: Messages,
  namespace: string,
  channel: string,
  rootTs: string,
): Promise<EphemeralAnswer> {
  // A running investigation whose root message is being posted this instant has no link yet.
  const link =
    rootTs === ""
      ? null
      : await client.chat
          .getPermalink({ channel, message_ts: rootTs })
          .then((answer) => answer.permalink ?? null)
          .catch(() => null);
  return {
    response_type: "ephemeral",
    replace_original: false,
    text: link ? t.alreadyRunning(namespace, link) : t.alreadyRunningNoLink(namespace),
  };
}
