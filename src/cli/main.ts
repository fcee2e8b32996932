// The CLI's entry: picks the command, runs it, and turns errors into messages and exit codes.

import { renderError } from "../errors.js";
import { ANALYZE_USAGE, parseAnalyzeArgs, runAnalyze } from "./analyze.js";
import { type CliIo, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from "./io.js";

const USAGE = `oom-doctor: finds why Kubernetes containers were OOM-killed, from pod status and node journals.

Commands:
  analyze   analyse captured pod listings and node journals (no cluster access needed)
  help      show this help

${ANALYZE_USAGE}`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === "analyze") {
      const options = parseAnalyzeArgs(rest, io);
      if (!options.ok) {
        io.stderr.write(renderError(options.error));
        return EXIT_USAGE;
      }
      if (options.value === "help") {
        io.stdout.write(`${ANALYZE_USAGE}\n`);
        return EXIT_OK;
      }
      const result = await runAnalyze(options.value, io);
      if (!result.ok) {
        io.stderr.write(renderError(result.error));
        return EXIT_USAGE;
      }
      io.stdout.write(result.value);
      return EXIT_OK;
    }
    io.stderr.write(
      renderError({
        kind: "usage",
        message: `unknown command "${command}"`,
        hint: "commands: analyze, help",
      }),
    );
    return EXIT_USAGE;
  } catch (error) {
    // A bug, not bad input: keep the stack for the report.
    io.stderr.write(`oom-doctor: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
