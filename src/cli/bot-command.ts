// `oom-doctor serve|worker|all`: starts the bot's processes and runs until SIGTERM or SIGINT.

import { loadConfig } from "../config/load.js";
import { type Role, readServiceSettings } from "../config/service.js";
import { ok, type Result } from "../errors.js";
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
  const bot = await startBot({ config: config.value, settings: settings.value, now: io.now });
  if (!bot.ok) return bot;
  const mode =
    options.role === "worker"
      ? ""
      : settings.value.slack.appToken
        ? ", Slack over Socket Mode"
        : ", Slack on /slack/events";
  io.stderr.write(`oom-doctor ${options.role}: listening on port ${bot.value.port}${mode}\n`);
  const signal = await stopSignal();
  io.stderr.write(`oom-doctor ${options.role}: ${signal}, finishing active work\n`);
  await bot.value.close();
  return ok("");
}
