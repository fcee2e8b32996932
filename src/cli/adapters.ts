// The investigation's adapters and options from the configuration: shared by `scan` and the worker.

import { readFile } from "node:fs/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KernelSweepSource } from "../alerts/ports.js";
import { DEFAULT_POLICY } from "../analysis/recommend.js";
import type { Config } from "../config/schema.js";
import { fail, fileError, ok, type Result } from "../errors.js";
import type { MetricsSource } from "../history/ports.js";
import type { HistoryOptions } from "../history/queries.js";
import type { InvestigateOptions } from "../investigate.js";
import { KubernetesCluster } from "../k8s/cluster.js";
import { loadKubeConfig } from "../k8s/kubeconfig.js";
import { KubernetesWorkloads } from "../k8s/workloads.js";
import { PrometheusSource } from "../metrics/prometheus.js";
import type { ClusterReader, NodeJournalSource } from "../ports.js";
import type { WorkloadWriter } from "../proposals/ports.js";
import { SshJournalSource } from "../ssh/journal-source.js";
import { SshKernelSweep } from "../ssh/kernel-sweep.js";
import { type KnownHosts, parseKnownHosts } from "../ssh/known-hosts.js";
import type { SshLogin } from "../ssh/node-connector.js";

export async function knownHosts(config: Config): Promise<Result<KnownHosts>> {
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

export interface KubeChoice {
  kubeconfig: string | null;
  context: string | null;
}

const NO_CHOICE: KubeChoice = { kubeconfig: null, context: null };

/** The kubeconfig: the command line's choice, else the configuration's, else in-cluster when set. */
export function kubeConfigOf(config: Config, choice: KubeChoice = NO_CHOICE) {
  return loadKubeConfig({
    kubeconfig: choice.kubeconfig ?? config.kubernetes.kubeconfig,
    context: choice.context ?? config.kubernetes.context,
    inCluster: config.kubernetes.inCluster && choice.kubeconfig === null,
  });
}

/** What reading nodes takes: the kubeconfig, the known host keys and the node login. */
async function nodeReading(
  config: Config,
  choice: KubeChoice,
): Promise<Result<{ kube: KubeConfig; hosts: KnownHosts; login: SshLogin }>> {
  const kube = kubeConfigOf(config, choice);
  if (!kube.ok) return kube;
  const hosts = await knownHosts(config);
  if (!hosts.ok) return hosts;
  const login = sshLogin(config);
  if (!login.ok) return login;
  return ok({ kube: kube.value, hosts: hosts.value, login: login.value });
}

/** The cluster client and a journal source (to be closed) for one investigation. */
export async function openAdapters(
  config: Config,
  choice: KubeChoice = NO_CHOICE,
): Promise<Result<{ cluster: ClusterReader; journals: NodeJournalSource }>> {
  const parts = await nodeReading(config, choice);
  if (!parts.ok) return parts;
  const { kube, hosts, login } = parts.value;
  return ok({ cluster: new KubernetesCluster(kube), journals: new SshJournalSource(login, hosts) });
}

/** The cluster client and a kernel sweep source (to be closed) for one sweep of a node. */
export async function openSweep(
  config: Config,
): Promise<Result<{ cluster: ClusterReader; sweeps: KernelSweepSource }>> {
  const parts = await nodeReading(config, NO_CHOICE);
  if (!parts.ok) return parts;
  const { kube, hosts, login } = parts.value;
  return ok({ cluster: new KubernetesCluster(kube), sweeps: new SshKernelSweep(login, hosts) });
}

/** The SSH settings with the node user, which has no default. */
export function sshLogin(config: Config): Result<SshLogin> {
  const { user } = config.ssh;
  if (user === null) {
    return fail(
      "config-invalid",
      "ssh.user: not set: the user oom-doctor logs in as on the nodes (there is no default, and it is never root)",
      "create a user that may only read the journal (docs/operations.md, step 4) and set ssh.user to it",
    );
  }
  return ok({ ...config.ssh, user });
}

/** The cluster reader alone, for digests: no SSH. */
export function openCluster(config: Config): Result<ClusterReader> {
  const kube = kubeConfigOf(config);
  return kube.ok ? ok(new KubernetesCluster(kube.value)) : kube;
}

/** The cluster client proposals patch workloads with. */
export function openWorkloads(config: Config): Result<WorkloadWriter> {
  const kube = kubeConfigOf(config);
  return kube.ok ? ok(new KubernetesWorkloads(kube.value)) : kube;
}

/** Memory history for investigations, when prometheus.url is set; null: reports carry none. */
export function historySource(config: Config): { source: MetricsSource; options: HistoryOptions } | null {
  return config.prometheus === null
    ? null
    : { source: new PrometheusSource(config.prometheus), options: config.history };
}

export function investigateOptions(
  config: Config,
  namespace: string,
  pod: string | null,
): InvestigateOptions {
  const { ssh, window, scan, recommendation } = config;
  return {
    namespace,
    pod,
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
      overrides: ssh.nodes,
    },
  };
}
