// `oom-doctor scan <namespace>`: the live investigation from a terminal, no Slack, no Redis.

import { isObjectName } from "../analysis/names.js";
import { loadConfig } from "../config/load.js";
import { ok, type Result } from "../errors.js";
import { investigate, type Progress } from "../investigate.js";
import { type OutputFormat, render } from "../report/render.js";
import { historySource, investigateOptions, openAdapters } from "./adapters.js";
import { namespaceName, outputFormat, parseCommandArgs, usageError, wantsColour } from "./args.js";
import type { CliIo } from "./io.js";
import { writeReport } from "./report-files.js";

const WITHOUT_HISTORY =
  "no memory history (prometheus.url is not set): with it, each workload would show its memory over the hours before its kills, whether it leaks, spikes or sits at its limit, when a leak will kill it next, and a limit sized from days of working set";

export interface ScanOptions {
  namespace: string;
  pod: string | null;
  format: OutputFormat;
  kubeconfig: string | null;
  context: string | null;
  config: string | null;
  colour: boolean;
  /** Where the report goes instead of standard output; markdown's pictures go beside it. */
  output: string | null;
}

export function parseScanArgs(args: string[], io: CliIo): Result<ScanOptions | "help"> {
  const parsed = parseCommandArgs("scan", args, {
    pod: { type: "string" },
    format: { type: "string", short: "o", default: "text" },
    output: { type: "string" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
    config: { type: "string" },
    "no-color": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (values.help) return ok("help");
  const [given, ...extra] = positionals;
  if (given === undefined) return usageError("scan", "give the namespace to scan");
  if (extra.length > 0) return usageError("scan", `unexpected arguments: ${extra.join(" ")}`);
  const namespace = namespaceName("scan", "namespace", given);
  if (!namespace.ok) return namespace;
  const pod = typeof values.pod === "string" ? values.pod : null;
  if (pod !== null && !isObjectName(pod)) return usageError("scan", `--pod ${pod}: not a valid pod name`);
  const format = outputFormat("scan", values.format);
  if (!format.ok) return format;
  const text = (key: string) => (typeof values[key] === "string" ? (values[key] as string) : null);
  return ok({
    namespace: namespace.value,
    pod,
    format: format.value,
    kubeconfig: text("kubeconfig"),
    context: text("context"),
    config: text("config"),
    colour: wantsColour(values["no-color"], io) && text("output") === null,
    output: text("output"),
  });
}

function progressLine(io: CliIo): ((progress: Progress) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  return (progress) => {
    const nodes =
      progress.nodesTotal > 0 ? `, nodes fetched ${progress.nodesDone}/${progress.nodesTotal}` : "";
    io.stderr.write(`\r\u001b[2K${progress.podsListed} pods listed${nodes}`);
  };
}

export async function runScan(options: ScanOptions, io: CliIo): Promise<Result<string>> {
  const config = await loadConfig(io.env, options.config);
  if (!config.ok) return config;
  const adapters = await openAdapters(config.value, options);
  if (!adapters.ok) return adapters;
  const { cluster, journals } = adapters.value;
  const onProgress = progressLine(io);
  try {
    const investigation = await investigate(
      {
        cluster,
        journals,
        history: historySource(config.value),
        now: io.now,
        ...(onProgress ? { onProgress } : {}),
      },
      investigateOptions(config.value, options.namespace, options.pod),
    );
    if (onProgress) io.stderr.write("\r\u001b[2K");
    if (!investigation.ok) return investigation;
    const { report, pictures } = investigation.value;
    if (config.value.prometheus === null && report.findings.length > 0) report.warnings.push(WITHOUT_HISTORY);
    const text = render(report, options.format, { colour: options.colour });
    if (options.output === null) return ok(text);
    const shown = options.format === "markdown" ? pictures : [];
    return writeReport(options.output, text, shown);
  } finally {
    await journals.close();
  }
}
