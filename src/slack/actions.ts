// The report's buttons. Each carries an opaque finding id; everything else (workload, limits, thread)
// is read back from Redis, so a forged or stale payload can only reach "unknown finding".

import type { App, BlockAction, ButtonAction, RespondFn, StaticSelectAction } from "@slack/bolt";
import type { SlackConfig } from "../config/schema.js";
import type { BotStore } from "../store/bot-store.js";
import type { Messages } from "./i18n/catalog.js";
import type { FindingRecord } from "./records.js";
import { button, context, LIMITS, section } from "./render/blocks.js";
import { codeBlock, inert } from "./render/escape.js";
import { ACTIONS, utcText, workloadActionsMessage } from "./render/report.js";

export interface ActionDeps {
  store: BotStore;
  t: Messages;
  slack: SlackConfig;
  now: () => number;
}

type Client = App["client"];

async function postKernelLog(client: Client, record: FindingRecord, t: Messages): Promise<void> {
  const block = codeBlock(record.kernelReport);
  if (Array.from(block).length <= LIMITS.text) {
    const title = t.kernelFileTitle(inert(record.pod));
    await client.chat.postMessage({
      channel: record.channel,
      thread_ts: record.threadTs,
      text: title,
      blocks: [section(`*${title}*`), section(block)],
    });
    return;
  }
  // A file is plain text: nothing in it is read as mrkdwn.
  await client.filesUploadV2({
    channel_id: record.channel,
    thread_ts: record.threadTs,
    filename: `${record.pod}-oom.log`,
    title: t.kernelFileTitle(record.pod),
    content: `${record.kernelReport.join("\n")}\n`,
  });
}

export function registerActions(app: App, deps: ActionDeps): void {
  const { t, store } = deps;
  const withFinding =
    (run: (record: FindingRecord, user: string, client: Client, respond: RespondFn) => Promise<void>) =>
    async ({
      ack,
      body,
      action,
      client,
      respond,
    }: {
      ack: () => Promise<void>;
      body: BlockAction;
      action: ButtonAction | StaticSelectAction;
      client: Client;
      respond: RespondFn;
    }) => {
      await ack();
      // A button carries the finding id as its value; a menu, as the value of the option picked.
      const id = action.type === "static_select" ? action.selected_option.value : action.value;
      const record = await store.finding(id ?? "");
      if (!record) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: t.actions.unknownFinding,
        });
        return;
      }
      await run(record, body.user.id, client, respond);
    };
  const workloadName = (record: FindingRecord) => inert(`${record.workload.kind} ${record.workload.name}`);

  // A workload picked in the shared reply's menu: its buttons, for the one who picked it.
  app.action<BlockAction<StaticSelectAction>>(
    ACTIONS.showActions,
    withFinding(async (record, _user, _client, respond) => {
      const target = {
        id: record.id,
        kind: record.workload.kind,
        name: record.workload.name,
        pod: record.pod,
        container: record.container,
        recommendedLimit: record.recommendedLimit,
        hasKernelReport: record.kernelReport.length > 0,
      };
      const message = workloadActionsMessage(target, t, deps.slack.snoozeDays);
      await respond({ response_type: "ephemeral", replace_original: false, ...message });
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    ACTIONS.kernelLog,
    withFinding(async (record, _user, client, respond) => {
      if (record.kernelReport.length === 0) {
        await respond({ response_type: "ephemeral", replace_original: false, text: t.actions.noKernelLog });
        return;
      }
      await postKernelLog(client, record, t);
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    ACTIONS.snooze,
    withFinding(async (record, user, client) => {
      const seconds = deps.slack.snoozeDays * 86_400;
      const until = utcText(new Date(deps.now() + seconds * 1000).toISOString());
      await store.snooze(record.channel, record.workloadKey, { until, by: user }, seconds);
      const text = t.actions.snoozed(workloadName(record), until, user);
      await client.chat.postMessage({
        channel: record.channel,
        thread_ts: record.threadTs,
        text,
        blocks: [
          section(text),
          { type: "actions", elements: [button(ACTIONS.unsnooze, t.buttons.unsnooze, record.id)] },
        ],
      });
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    ACTIONS.unsnooze,
    withFinding(async (record, user, _client, respond) => {
      await store.unsnooze(record.channel, record.workloadKey);
      const text = t.actions.unsnoozed(workloadName(record), user);
      await respond({ replace_original: true, text, blocks: [context(text)] });
    }),
  );
}
