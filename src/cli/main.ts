// The CLI's entry: picks the command, runs it, and turns errors into messages and exit codes.

import { type Result, renderError } from "../errors.js";
import { ANALYZE_USAGE, parseAnalyzeArgs, runAnalyze } from "./analyze.js";
import { parseConfigArgs, runConfig } from "./config-command.js";
import { type CliIo, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from "./io.js";
import { BOT_USAGE, CONFIG_USAGE, SCAN_USAGE } from "./usage.js";

const USAGE = `oom-doctor: finds why Kubernetes containers were OOM-killed, from pod status and node journals.

Commands:
  analyze   analyse captured pod listings and node journals (no cluster access needed)
  scan      investigate a namespace live: the Kubernetes API and the nodes' journals over SSH
  config    show the configuration scan would use, checked, secrets redacted
  serve     the Slack bot: /oom commands and buttons
  worker    the bot's investigations, from the queue
  all       serve and worker in one process
  help      show this help

${ANALYZE_USAGE}

${SCAN_USAGE}

${CONFIG_USAGE}

${BOT_USAGE}`;

interface Command<T> {
  usage: string;
  parse: (args: string[], io: CliIo) => Result<T | "help">;
  run: (options: T, io: CliIo) => Promise<Result<string>>;
}

async function runCommand<T>(command: Command<T>, args: string[], io: CliIo): Promise<number> {
  const options = command.parse(args, io);
  if (!options.ok) {
    io.stderr.write(renderError(options.error));
    return EXIT_USAGE;
  }
  if (options.value === "help") {
    io.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  const result = await command.run(options.value as T, io);
  if (!result.ok) {
    // Every error value is one the user can act on: bad input, configuration, access.
    io.stderr.write(renderError(result.error));
    return EXIT_USAGE;
  }
  io.stdout.write(result.value);
  return EXIT_OK;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === "analyze") {
      return await runCommand({ usage: ANALYZE_USAGE, parse: parseAnalyzeArgs, run: runAnalyze }, rest, io);
    }
    if (command === "config") {
      return await runCommand({ usage: CONFIG_USAGE, parse: parseConfigArgs, run: runConfig }, rest, io);
    }
    if (command === "scan") {
      // The Kubernetes client takes most of a second to load: only scan pays for it.
      const { parseScanArgs, runScan } = await import("./scan.js");
      return await runCommand({ usage: SCAN_USAGE, parse: parseScanArgs, run: runScan }, rest, io);
    }
    if (command === "serve" || command === "worker" || command === "all") {
      const { parseBotArgs, runBotCommand } = await import("./bot-command.js");
      return await runCommand(
        { usage: BOT_USAGE, parse: parseBotArgs(command), run: runBotCommand },
        rest,
        io,
      );
    }
    io.stderr.write(
      renderError({
        kind: "usage",
        message: `unknown command "${command}"`,
        hint: "commands: analyze, scan, config, serve, worker, all, help",
      }),
    );
    return EXIT_USAGE;
  } catch (error) {
    // A bug, not bad input: keep the stack for the report.
    io.stderr.write(`oom-doctor: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
