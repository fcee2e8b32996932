// `oom-doctor serve|worker|all`: starts the bot's processes and runs until SIGTERM or SIGINT.

import { loadConfig } from "../config/load.js";
import { type Role, readServiceSettings } from "../config/service.js";
import { ok, type Result } from "../errors.js";
import { jsonLog } from "../ops/log.js";
import { parseCommandArgs, usageError } from "./args.js";
import { startBot } from "./bot.js";
import type { CliIo } from "./io.js";

export interface BotCommandOptions {
  role: Role;
  config: string | null;
}

export function parseBotArgs(role: Role) {
  return (args: string[]): Result<BotCommandOptions | "help"> => {
    const parsed = parseCommandArgs(role, args, {
      config: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    });
    if (!parsed.ok) return parsed;
    const { values, positionals } = parsed.value;
    if (values.help) return ok("help");
    if (positionals.length > 0) return usageError(role, `unexpected arguments: ${positionals.join(" ")}`);
    return ok({ role, config: typeof values.config === "string" ? values.config : null });
  };
}

const stopSignal = () =>
  new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });

export async function runBotCommand(options: BotCommandOptions, io: CliIo): Promise<Result<string>> {
  const config = await loadConfig(io.env, options.config);
  if (!config.ok) return config;
  const settings = readServiceSettings(io.env, options.role);
  if (!settings.ok) return settings;
  const log = jsonLog(io.stderr, io.now);
  const bot = await startBot({ config: config.value, settings: settings.value, now: io.now, log });
  if (!bot.ok) return bot;
  const slack = settings.value.slack.appToken ? "Slack over Socket Mode" : "Slack on /slack/events";
  const mode = options.role === "worker" ? "" : `, ${slack}`;
  log("info", `oom-doctor ${options.role}: listening on port ${bot.value.port}${mode}`, {
    port: bot.value.port,
  });
  const signal = await stopSignal();
  log("info", `oom-doctor ${options.role}: ${signal}, finishing active work`);
  await bot.value.close();
  log("info", `oom-doctor ${options.role}: stopped`);
  return ok("");
}
