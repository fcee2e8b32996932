// The bot as the tests run it: the real startBot wiring (Bolt over HTTP, BullMQ on the real Redis,
// the Kubernetes and SSH adapters) pointed at the fake Slack and the harness cluster, with a Redis
// key prefix of its own that is deleted afterwards.

import { EventEmitter } from "node:events";
import { type BotHandle, startBot } from "../../src/cli/bot.js";
import { loadConfig } from "../../src/config/load.js";
import { type Role, readServiceSettings } from "../../src/config/service.js";
import { jsonLog } from "../../src/ops/log.js";
import type { HarnessCluster } from "./cluster.js";
import { BOT_TOKEN, FakeSlack } from "./fake-slack.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./redis.js";
import { SIGNING_SECRET } from "./slack-requests.js";
import { untilEvent } from "./until.js";

export { dropPrefix, REDIS_URL, uniquePrefix };

type Json = Record<string, unknown>;

/** The key the test bots sign proposal records with. */
export const PROPOSAL_SIGNING_KEY = "test-proposal-signing-key-0123456789abcdef";

/** The environment a bot process gets. */
export function botEnv(
  slack: FakeSlack,
  config: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL,
    PORT: "0",
    OOM_DOCTOR_CONFIG: config,
    OOM_DOCTOR_PROPOSAL_SIGNING_KEY: PROPOSAL_SIGNING_KEY,
    ...extra,
  };
}

/**
 * Writes the bot's YAML: the cluster's SSH settings plus slack and queue sections. Every channel may
 * investigate every namespace unless the test gives `slack.channels` itself.
 */
export function writeBotConfig(
  cluster: HarnessCluster,
  prefix: string,
  extra: Json = {},
  name = "bot.yaml",
): string {
  const { slack, queue, ...rest } = extra as { slack?: Json; queue?: Json };
  return cluster.writeConfig(
    {},
    {
      slack: { excerptLines: 20, channels: { "*": ["*"] }, ...slack },
      queue: {
        prefix,
        attempts: 2,
        retryDelaySeconds: 1,
        lockSeconds: 30,
        shutdownGraceSeconds: 5,
        ...queue,
      },
      ...rest,
    },
    name,
  );
}

export async function startTestBot(
  env: Record<string, string>,
  role: Role,
  now: () => number,
): Promise<{ bot: BotHandle; url: string; logs: LogSink }> {
  const config = await loadConfig(env, null);
  if (!config.ok) throw new Error(config.error.message);
  const settings = readServiceSettings(env, role);
  if (!settings.ok) throw new Error(settings.error.message);
  const logs = new LogSink();
  const log = jsonLog(logs, now, "debug");
  const bot = await startBot({ config: config.value, settings: settings.value, now, log });
  if (!bot.ok) throw new Error(bot.error.message);
  return { bot: bot.value, url: `http://127.0.0.1:${bot.value.port}`, logs };
}

/** The bot's log lines, parsed, with a way to wait for one. */
export class LogSink {
  readonly lines: string[] = [];
  private readonly events = new EventEmitter();

  write(line: string): void {
    this.lines.push(line);
    this.events.emit("line");
  }

  entries(): Json[] {
    return this.lines.map((line) => JSON.parse(line) as Json);
  }

  /** Resolves with the first entry that matches, as soon as it is logged. */
  until(match: (entry: Json) => boolean, what: string, timeoutMs = 60_000): Promise<Json> {
    return untilEvent(
      this.events,
      "line",
      () => this.entries().find(match),
      () => `the log of ${what}`,
      timeoutMs,
    );
  }
}

export interface TestBot {
  slack: FakeSlack;
  bot: BotHandle;
  url: string;
  logs: LogSink;
  /** Stops the bot and the fake Slack and deletes the bot's Redis keys; the cluster stays. */
  close(): Promise<void>;
}

/** A fake Slack and the whole bot ("all") on `cluster`, with a Redis key prefix of its own. */
export async function startBotOn(
  cluster: HarnessCluster,
  now: () => number,
  extra: Json = {},
): Promise<TestBot> {
  const prefix = uniquePrefix();
  const slack = new FakeSlack();
  await slack.start();
  const { bot, url, logs } = await startTestBot(
    botEnv(slack, writeBotConfig(cluster, prefix, extra)),
    "all",
    now,
  );
  return {
    slack,
    bot,
    url,
    logs,
    async close() {
      await bot.close();
      await slack.stop();
      await dropPrefix(prefix);
    },
  };
}
