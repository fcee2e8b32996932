// `oom-doctor analyze`: the whole analysis on captured files, no cluster needed.

import { analyse, newestTimestampMs } from "../analysis/analyse.js";
import { parseUtcOffset } from "../analysis/log-time.js";
import type { ContainerCase } from "../analysis/pod.js";
import { ok, type Result } from "../errors.js";
import { buildReport } from "../report/model.js";
import { type OutputFormat, render } from "../report/render.js";
import { namespaceName, outputFormat, parseCommandArgs, usageError, wantsColour } from "./args.js";
import { captureDirectory, type JournalSource, loadJournal, loadPods } from "./inputs.js";
import type { CliIo } from "./io.js";

export const ANALYZE_USAGE = `Usage:
  oom-doctor analyze DIR [options]                 DIR holds pods.json and journal/<node>.log
  oom-doctor analyze --pods FILE --journal [NODE=]FILE ... [options]
  oom-doctor analyze --journal [NODE=]FILE ... [options]   the kernel's reports alone, no pods

Options:
  --pods FILE             kubectl get pods -o json (or -o yaml) output: a List or one Pod; without it,
                          every OOM report in the journals is listed with what the kernel alone shows
  --journal [NODE=]FILE   a node's journal: journalctl -o json/-o export/short text, dmesg, pasted lines;
                          NODE defaults to the host names in the file, then the file name (repeatable)
  --namespace NS          only pods in this namespace
  --format FORMAT         text (default), markdown or json
  --as-of TIME            the capture time, for restart rates and for the year of syslog-style times
                          (default: the newest time in the pod data)
  --node-utc-offset OFF   the nodes' UTC offset for journals printed without a zone, e.g. +08:00
  --no-color              plain text even on a terminal`;

interface AnalyzeOptions {
  dir: string | null;
  pods: string | null;
  journals: JournalSource[];
  namespace: string | null;
  format: OutputFormat;
  asOfMs: number | null;
  utcOffsetMinutes: number | null;
  colour: boolean;
}

function journalSource(spec: string): Result<JournalSource> {
  const equals = spec.indexOf("=");
  if (equals < 0) return ok({ node: null, path: spec });
  const node = spec.slice(0, equals);
  const path = spec.slice(equals + 1);
  if (node.length === 0 || path.length === 0)
    return usageError("analyze", `--journal ${spec}: expected NODE=FILE or FILE`);
  return ok({ node, path });
}

export function parseAnalyzeArgs(args: string[], io: CliIo): Result<AnalyzeOptions | "help"> {
  const parsed = parseCommandArgs("analyze", args, {
    pods: { type: "string" },
    journal: { type: "string", multiple: true },
    namespace: { type: "string", short: "n" },
    format: { type: "string", short: "o", default: "text" },
    "as-of": { type: "string" },
    "node-utc-offset": { type: "string" },
    "no-color": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (values.help) return ok("help");
  const format = outputFormat("analyze", values.format);
  if (!format.ok) return format;
  const namespace =
    typeof values.namespace === "string" ? namespaceName("analyze", "--namespace", values.namespace) : null;
  if (namespace && !namespace.ok) return namespace;
  let asOfMs: number | null = null;
  if (typeof values["as-of"] === "string") {
    asOfMs = Date.parse(values["as-of"]);
    if (!Number.isFinite(asOfMs))
      return usageError(
        "analyze",
        `--as-of ${values["as-of"]}: expected a time like 2021-07-12T12:30:00+08:00`,
      );
  }
  let utcOffsetMinutes: number | null = null;
  if (typeof values["node-utc-offset"] === "string") {
    utcOffsetMinutes = parseUtcOffset(values["node-utc-offset"]);
    if (utcOffsetMinutes === null)
      return usageError(
        "analyze",
        `--node-utc-offset ${values["node-utc-offset"]}: expected an offset like +08:00, -05:00 or UTC`,
      );
  }
  const journals: JournalSource[] = [];
  for (const spec of (values.journal as string[] | undefined) ?? []) {
    const source = journalSource(spec);
    if (!source.ok) return source;
    journals.push(source.value);
  }
  if (positionals.length > 1)
    return usageError("analyze", `unexpected arguments: ${positionals.slice(1).join(" ")}`);
  const dir = positionals[0] ?? null;
  const pods = (values.pods as string | undefined) ?? null;
  if (dir === null && pods === null && journals.length === 0)
    return usageError("analyze", "give a capture directory, --pods FILE, or --journal [NODE=]FILE");
  if (pods === null && dir === null && namespace !== null)
    return usageError("analyze", "--namespace needs --pods: a journal alone does not say which pod is where");
  if (dir !== null && (pods !== null || journals.length > 0)) {
    return usageError("analyze", "give either a capture directory or --pods/--journal, not both");
  }
  return ok({
    dir,
    pods,
    journals,
    namespace: namespace?.value ?? null,
    format: format.value,
    asOfMs,
    utcOffsetMinutes,
    colour: wantsColour(values["no-color"], io),
  });
}

export async function runAnalyze(options: AnalyzeOptions, io: CliIo): Promise<Result<string>> {
  let podsPath = options.pods;
  let sources = options.journals;
  if (options.dir !== null) {
    const capture = await captureDirectory(options.dir);
    if (!capture.ok) return capture;
    podsPath = capture.value.pods;
    sources = capture.value.journals;
  }
  let podContainers: ContainerCase[] = [];
  if (podsPath !== null) {
    const pods = await loadPods(podsPath);
    if (!pods.ok) return pods;
    podContainers = pods.value.containers;
  }
  const warnings: string[] = [];
  const journals = [];
  for (const source of sources) {
    const loaded = await loadJournal(source, options.utcOffsetMinutes);
    if (!loaded.ok) return loaded;
    journals.push(loaded.value.journal);
    warnings.push(...loaded.value.warnings);
  }
  const containers = podContainers.filter(
    (container) => options.namespace === null || container.namespace === options.namespace,
  );
  if (options.namespace !== null && containers.length === 0) {
    warnings.push(`no pods in namespace ${options.namespace} in ${podsPath}`);
  }
  // Without a capture time, the logs are taken as this year's (or last year's, for a date still ahead).
  const asOfMs = options.asOfMs ?? newestTimestampMs(containers) ?? io.now();
  const analysis = analyse(containers, journals, { asOfMs });
  const report = buildReport(analysis, options.namespace, warnings);
  return ok(render(report, options.format, { colour: options.colour }));
}
