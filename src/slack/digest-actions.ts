// A digest's Investigate button: investigates the workload's namespace in the digest's thread.

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { InvestigationQueue } from "../queue/investigations.js";
import type { BotStore } from "../store/bot-store.js";
import type { DigestStore } from "../store/digests.js";
import type { Messages } from "./i18n/catalog.js";
import { DIGEST_ACTIONS } from "./render/digest.js";
import { queuedMessage } from "./render/messages.js";

export interface DigestActionDeps {
  digests: DigestStore;
  store: BotStore;
  queue: InvestigationQueue;
  t: Messages;
}

export function registerDigestActions(app: App, deps: DigestActionDeps): void {
  app.action<BlockAction<ButtonAction>>(
    DIGEST_ACTIONS.investigate,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const target = await deps.digests.button(action.value ?? "");
      const threadTs = target ? await deps.store.posted(target.job, "digest") : null;
      if (!target || threadTs === null) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: deps.t.actions.unknownFinding,
        });
        return;
      }
      const { channel, namespace } = target;
      if (await deps.queue.running(channel, namespace)) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: deps.t.alreadyRunningNoLink(namespace),
        });
        return;
      }
      const status = await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        ...queuedMessage(namespace, body.user.id, deps.t),
      });
      await deps.queue.enqueue({
        channel,
        namespace,
        pod: null,
        user: body.user.id,
        rootTs: status.ts ?? "",
        threadTs,
      });
    },
  );
}
