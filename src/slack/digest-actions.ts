// A digest's Investigate button: investigates the workload's namespace in the digest's thread.

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { InvestigationQueue } from "../queue/investigations.js";
import type { BotStore } from "../store/bot-store.js";
import type { DigestStore } from "../store/digests.js";
import type { Messages } from "./i18n/catalog.js";
import { DIGEST_ACTIONS } from "./render/digest.js";
import { startInvestigation } from "./start-investigation.js";

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
      const answer = await startInvestigation(deps.queue, client, deps.t, {
        channel: target.channel,
        namespace: target.namespace,
        pod: null,
        user: body.user.id,
        threadTs,
      });
      if (answer) await respond(answer);
    },
  );
}
