// What every command's argument parsing shares: the parser wrapped into a Result, usage errors that
// point at the command's help, and the checks for --format, namespaces and colour.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { isNamespaceName } from "../analysis/names.js";
import { fail, ok, type Result } from "../errors.js";
import type { OutputFormat } from "../report/render.js";
import type { CliIo } from "./io.js";

const FORMATS: readonly OutputFormat[] = ["text", "markdown", "json"];

export type ParsedArgs = {
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
};

export function usageError(command: string, message: string): Result<never> {
  return fail("usage", message, `run \`oom-doctor ${command} --help\` for usage`);
}

export function parseCommandArgs(
  command: string,
  args: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): Result<ParsedArgs> {
  try {
    const parsed = parseArgs({ args, allowPositionals: true, options });
    return ok({ values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals });
  } catch (error) {
    return usageError(command, (error as Error).message);
  }
}

export function outputFormat(command: string, value: unknown): Result<OutputFormat> {
  const format = String(value);
  if (FORMATS.includes(format as OutputFormat)) return ok(format as OutputFormat);
  return usageError(command, `--format ${format}: expected one of ${FORMATS.join(", ")}`);
}

/** `label` says where the name came from: `--namespace` or `namespace`. */
export function namespaceName(command: string, label: string, name: string): Result<string> {
  if (isNamespaceName(name)) return ok(name);
  return usageError(
    command,
    `${label} ${name}: not a valid namespace name (lower-case letters, digits and '-', at most 63)`,
  );
}

/** Colour only on a terminal, and never when NO_COLOR is set or --no-color given. */
export function wantsColour(noColor: unknown, io: CliIo): boolean {
  return noColor !== true && io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
}
