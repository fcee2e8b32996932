// The bot over Socket Mode (SLACK_APP_TOKEN set, no signing secret, no public URL): the real Bolt
// Socket Mode client opens its connection through the fake Slack's apps.connections.open and
// WebSocket endpoint, and slash commands arrive as envelopes.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BotHandle } from "../../src/cli/bot.js";
import { botEnv, dropPrefix, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { APP_TOKEN, FakeSlack } from "../harness/fake-slack.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle;
const prefix = uniquePrefix();

function command(text: string, channel: string): Record<string, string> {
  return {
    team_id: "T0001",
    channel_id: channel,
    user_id: "U0ALICE",
    command: "/oom",
    text,
    api_app_id: "A0OOM",
    response_url: slack.responseUrl(channel),
    trigger_id: "1.2.3",
  };
}

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  const env = botEnv(slack, writeBotConfig(cluster, prefix, { slack: { locale: "zh-CN" } }), {
    SLACK_APP_TOKEN: APP_TOKEN,
  });
  delete env.SLACK_SIGNING_SECRET;
  ({ bot } = await startTestBot(env, "all", () => CAPTURED));
});

after(async () => {
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

describe("Socket Mode, in Chinese", () => {
  it("when the bot starts, then it opens its connection with the app token", () => {
    assert.equal(slack.callsOf("apps.connections.open").length >= 1, true);
    assert.equal(slack.callsOf("socket connected").length >= 1, true);
  });

  it("when /oom has a bad namespace, then the acknowledgement carries the ephemeral answer", async () => {
    const ack = await slack.socketCommand(command("Prod", "C0SOCK"));
    assert.equal(ack.response_type, "ephemeral");
    assert.match(JSON.stringify(ack), /不是合法的命名空间名称/);
  });

  it("when /oom production arrives as an envelope, then the report is posted in the thread, and the notes after it", async () => {
    await slack.socketCommand(command("production", "C0SOCK"));
    const root = await slack.until(
      () => slack.rootMessages("C0SOCK").find((message) => /的 OOM 调查/.test(message.text)),
      "the summary",
    );
    const replies = slack.replies("C0SOCK", root.ts);
    assert.equal(replies.length, 2);
    assert.match(JSON.stringify(replies[0]?.blocks), /容器内存上限/);
    // No prometheus.url: the notes say what memory history would add.
    assert.match(JSON.stringify(replies[1]?.blocks), /prometheus\.url is not set/);
  });
});
