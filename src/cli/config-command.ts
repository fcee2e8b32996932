// `oom-doctor config`: the configuration as scan would use it, validated, secrets redacted.

import { stringify } from "yaml";
import { loadConfig, redactConfig } from "../config/load.js";
import { ok, type Result } from "../errors.js";
import { parseCommandArgs, usageError } from "./args.js";
import type { CliIo } from "./io.js";

export interface ConfigOptions {
  config: string | null;
}

export function parseConfigArgs(args: string[]): Result<ConfigOptions | "help"> {
  const parsed = parseCommandArgs("config", args, {
    config: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (values.help) return ok("help");
  if (positionals.length > 0) return usageError("config", `unexpected arguments: ${positionals.join(" ")}`);
  return ok({ config: typeof values.config === "string" ? values.config : null });
}

export async function runConfig(options: ConfigOptions, io: CliIo): Promise<Result<string>> {
  const config = await loadConfig(io.env, options.config);
  if (!config.ok) return config;
  return ok(stringify(redactConfig(config.value)));
}
