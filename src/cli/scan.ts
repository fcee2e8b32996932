// `oom-doctor scan <namespace>`: the live investigation from a terminal, no Slack, no Redis.

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { DEFAULT_POLICY } from "../analysis/recommend.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { fail, fileError, ok, type Result } from "../errors.js";
import { investigate, type Progress } from "../investigate.js";
import { KubernetesCluster } from "../k8s/cluster.js";
import { loadKubeConfig } from "../k8s/kubeconfig.js";
import { type OutputFormat, render } from "../report/render.js";
import { SshJournalSource } from "../ssh/journal-source.js";
import { parseKnownHosts } from "../ssh/known-hosts.js";
import type { CliIo } from "./io.js";

const FORMATS: readonly OutputFormat[] = ["text", "markdown", "json"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface ScanOptions {
  namespace: string;
  pod: string | null;
  format: OutputFormat;
  kubeconfig: string | null;
  context: string | null;
  config: string | null;
  colour: boolean;
}

function usageError(message: string): Result<never> {
  return fail("usage", message, "run `oom-doctor scan --help` for usage");
}

export function parseScanArgs(args: string[], io: CliIo): Result<ScanOptions | "help"> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        pod: { type: "string" },
        format: { type: "string", short: "o", default: "text" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        config: { type: "string" },
        "no-color": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return ok("help");
  const [namespace, ...extra] = parsed.positionals;
  if (namespace === undefined) return usageError("give the namespace to scan");
  if (extra.length > 0) return usageError(`unexpected arguments: ${extra.join(" ")}`);
  if (!DNS_LABEL.test(namespace)) {
    return usageError(
      `${JSON.stringify(namespace)} is not a valid namespace name (lower-case letters, digits and '-', at most 63)`,
    );
  }
  const pod = typeof values.pod === "string" ? values.pod : null;
  if (pod !== null && !POD_NAME.test(pod))
    return usageError(`--pod ${JSON.stringify(pod)}: not a valid pod name`);
  const format = values.format as string;
  if (!FORMATS.includes(format as OutputFormat))
    return usageError(`--format ${format}: expected one of ${FORMATS.join(", ")}`);
  return ok({
    namespace,
    pod,
    format: format as OutputFormat,
    kubeconfig: typeof values.kubeconfig === "string" ? values.kubeconfig : null,
    context: typeof values.context === "string" ? values.context : null,
    config: typeof values.config === "string" ? values.config : null,
    colour: !values["no-color"] && io.stdout.isTTY === true && io.env.NO_COLOR === undefined,
  });
}

async function knownHosts(config: Config) {
  try {
    return ok(parseKnownHosts(await readFile(config.ssh.knownHostsPath, "utf8")));
  } catch (error) {
    const problem = fileError(config.ssh.knownHostsPath, error);
    return fail(
      "config-invalid",
      `ssh.knownHostsPath: ${problem.message}`,
      "oom-doctor only connects to nodes whose host keys it knows",
    );
  }
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
  const kube = loadKubeConfig({
    kubeconfig: options.kubeconfig ?? config.value.kubernetes.kubeconfig,
    context: options.context ?? config.value.kubernetes.context,
    inCluster: config.value.kubernetes.inCluster && options.kubeconfig === null,
  });
  if (!kube.ok) return kube;
  const hosts = await knownHosts(config.value);
  if (!hosts.ok) return hosts;
  const { ssh, window, scan, recommendation } = config.value;
  const journals = new SshJournalSource(ssh, hosts.value);
  const onProgress = progressLine(io);
  try {
    const report = await investigate(
      {
        cluster: new KubernetesCluster(kube.value),
        journals,
        now: io.now,
        ...(onProgress ? { onProgress } : {}),
      },
      {
        namespace: options.namespace,
        pod: options.pod,
        window,
        restartThreshold: scan.restartThreshold,
        pageSize: scan.pageSize,
        concurrency: ssh.concurrency,
        policy: {
          ...DEFAULT_POLICY,
          headroomFraction: recommendation.headroomPercent / 100,
          minStepBytes: recommendation.minStepBytes,
          maxLimitBytes: recommendation.maxLimitBytes,
        },
        nodeAccess: {
          port: ssh.port,
          addressType: ssh.addressType,
          journalCommand: ssh.journalCommand,
          overrides: ssh.nodes,
        },
      },
    );
    if (onProgress) io.stderr.write("\r\u001b[2K");
    if (!report.ok) return report;
    return ok(render(report.value, options.format, { colour: options.colour }));
  } finally {
    await journals.close();
  }
}
