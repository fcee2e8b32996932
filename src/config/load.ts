// Builds the Config from environment variables and the optional YAML file named by OOM_DOCTOR_CONFIG
// (or --config). Pure but for reading that file and the secret files it names; every problem is
// reported, not just the first.

import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { isNamespaceName, isSlackChannelId, isSlackUserOrGroupId } from "../analysis/names.js";
import { fail, fileError, ok, type Result } from "../errors.js";
import { alertsConfig } from "./alerts.js";
import { historyConfig, prometheusConfig, readPrometheusFiles } from "./history.js";
import { type Json, Reader } from "./reader.js";
import type {
  Config,
  NodeOverride,
  PrometheusConfig,
  ProposalsConfig,
  QueueConfig,
  SlackConfig,
  SshConfig,
} from "./schema.js";

const SSH_KEYS = [
  "user",
  "port",
  "privateKeyPath",
  "passphrase",
  "knownHostsPath",
  "addressType",
  "concurrency",
  "connectTimeoutSeconds",
  "commandTimeoutSeconds",
  "maxOutputBytes",
  "maxJobOutputBytes",
  "bastion",
  "nodes",
];
// How the journal is read is the node's business now: the wrapper forced in its authorized_keys.
const MOVED_TO_NODES = ["sudo", "journalCommand"];

/** Names keys the ssh section does not know, and says where the ones that moved to the nodes went. */
function unknownSshKeys(read: Reader, section: Json, path: string, known: string[]): void {
  for (const key of Object.keys(section)) {
    if (MOVED_TO_NODES.includes(key)) {
      read.problems.push(
        `${path}.${key}: no longer set here: each node runs deploy/node/oom-doctor-journal, forced in its authorized_keys (docs/operations.md, step 4)`,
      );
    } else if (!known.includes(key)) {
      read.problems.push(`${path}.${key}: unknown key (known: ${known.join(", ")})`);
    }
  }
}

function bastionUser(read: Reader, bastion: Json): string {
  const user = read.string(bastion, "user", "ssh.bastion.user", null);
  if (user === null) read.problems.push("ssh.bastion.user: not set (there is no default)");
  return user ?? "";
}

function sshConfig(read: Reader, root: Json, env: Record<string, string | undefined>): SshConfig {
  const ssh = read.section(root, "ssh", "ssh");
  unknownSshKeys(read, ssh, "ssh", SSH_KEYS);
  const bastion = read.section(ssh, "bastion", "ssh.bastion");
  const nodes: Record<string, NodeOverride> = {};
  const nodeSection = read.section(ssh, "nodes", "ssh.nodes");
  for (const name of Object.keys(nodeSection)) {
    const node = read.section(nodeSection, name, `ssh.nodes.${name}`);
    unknownSshKeys(read, node, `ssh.nodes.${name}`, ["host", "port"]);
    const override: NodeOverride = {};
    const host = read.string(node, "host", `ssh.nodes.${name}.host`, null);
    if (host !== null) override.host = host;
    if (node.port !== undefined)
      override.port = read.integer(node, "port", `ssh.nodes.${name}.port`, 22, 1, 65535);
    nodes[name] = override;
  }
  const bastionHost = read.string(bastion, "host", "ssh.bastion.host", null);
  return {
    user: read.string(ssh, "user", "ssh.user", null),
    port: read.integer(ssh, "port", "ssh.port", 22, 1, 65535),
    privateKeyPath: read.string(ssh, "privateKeyPath", "ssh.privateKeyPath", null),
    passphrase: env.OOM_DOCTOR_SSH_PASSPHRASE ?? read.string(ssh, "passphrase", "ssh.passphrase", null),
    knownHostsPath: read.string(
      ssh,
      "knownHostsPath",
      "ssh.knownHostsPath",
      join(homedir(), ".ssh", "known_hosts"),
    ),
    bastion:
      bastionHost === null
        ? null
        : {
            host: bastionHost,
            port: read.integer(bastion, "port", "ssh.bastion.port", 22, 1, 65535),
            user: bastionUser(read, bastion),
            privateKeyPath: read.string(bastion, "privateKeyPath", "ssh.bastion.privateKeyPath", null),
          },
    nodes,
    concurrency: read.integer(ssh, "concurrency", "ssh.concurrency", 8, 1, 64),
    connectTimeoutSeconds: read.integer(
      ssh,
      "connectTimeoutSeconds",
      "ssh.connectTimeoutSeconds",
      10,
      1,
      300,
    ),
    commandTimeoutSeconds: read.integer(
      ssh,
      "commandTimeoutSeconds",
      "ssh.commandTimeoutSeconds",
      30,
      1,
      600,
    ),
    maxOutputBytes: read.integer(
      ssh,
      "maxOutputBytes",
      "ssh.maxOutputBytes",
      16 * 1024 * 1024,
      1024,
      256 * 1024 * 1024,
    ),
    maxJobOutputBytes: read.integer(
      ssh,
      "maxJobOutputBytes",
      "ssh.maxJobOutputBytes",
      64 * 1024 * 1024,
      1024,
      1024 * 1024 * 1024,
    ),
    addressType: read.oneOf(
      ssh,
      "addressType",
      "ssh.addressType",
      ["InternalIP", "ExternalIP", "Hostname"],
      "InternalIP",
    ),
  };
}

// "*" stands for any namespace, or for the channels not listed.
const namespaceOrAny = (name: string) => name === "*" || isNamespaceName(name);
const channelOrAny = (id: string) => id === "*" || isSlackChannelId(id);

function slackConfig(read: Reader, root: Json): SlackConfig {
  const slack = read.section(root, "slack", "slack");
  const channels: Record<string, string[]> = {};
  const listed = read.section(slack, "channels", "slack.channels");
  for (const channel of Object.keys(listed)) {
    const path = `slack.channels.${channel}`;
    if (!channelOrAny(channel)) {
      read.problems.push(`${path}: not a Slack channel id such as C0123ABCD (or "*" for the others)`);
      continue;
    }
    const namespaces = read.stringList(listed, channel, path);
    if (namespaces === null) continue;
    const bad = namespaces.filter((namespace) => !namespaceOrAny(namespace));
    if (bad.length > 0) read.problems.push(`${path}: not namespace names: ${bad.join(", ")}`);
    else channels[channel] = namespaces;
  }
  return {
    locale: read.oneOf(slack, "locale", "slack.locale", ["en", "zh-CN"], "en"),
    channels,
    snoozeDays: read.integer(slack, "snoozeDays", "slack.snoozeDays", 7, 1, 365),
    excerptLines: read.integer(slack, "excerptLines", "slack.excerptLines", 20, 5, 60),
    apiTimeoutSeconds: read.integer(slack, "apiTimeoutSeconds", "slack.apiTimeoutSeconds", 10, 1, 120),
    maxDigestSubscriptions: read.integer(
      slack,
      "maxDigestSubscriptions",
      "slack.maxDigestSubscriptions",
      50,
      1,
      10_000,
    ),
    maxReplies: read.integer(slack, "maxReplies", "slack.maxReplies", 15, 0, 100),
  };
}

function queueConfig(read: Reader, root: Json): QueueConfig {
  const queue = read.section(root, "queue", "queue");
  const prefix = read.string(queue, "prefix", "queue.prefix", "oom-doctor");
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix))
    read.problems.push("queue.prefix: only letters, digits and . _ - are allowed");
  return {
    prefix,
    attempts: read.integer(queue, "attempts", "queue.attempts", 3, 1, 20),
    retryDelaySeconds: read.integer(queue, "retryDelaySeconds", "queue.retryDelaySeconds", 5, 1, 3600),
    concurrency: read.integer(queue, "concurrency", "queue.concurrency", 2, 1, 32),
    lockSeconds: read.integer(queue, "lockSeconds", "queue.lockSeconds", 10, 2, 600),
    shutdownGraceSeconds: read.integer(
      queue,
      "shutdownGraceSeconds",
      "queue.shutdownGraceSeconds",
      25,
      0,
      600,
    ),
  };
}

function proposalsConfig(
  read: Reader,
  root: Json,
  env: Record<string, string | undefined>,
  maxLimitBytes: number | null,
): ProposalsConfig {
  const proposals = read.section(root, "proposals", "proposals");
  const approvers: Record<string, string[]> = {};
  const listed = read.section(proposals, "approvers", "proposals.approvers");
  for (const namespace of Object.keys(listed)) {
    const path = `proposals.approvers.${namespace}`;
    if (!namespaceOrAny(namespace)) {
      read.problems.push(`${path}: not a namespace name (or "*" for the others)`);
      continue;
    }
    const ids = read.stringList(listed, namespace, path);
    if (ids === null) continue;
    const bad = ids.filter((id) => !isSlackUserOrGroupId(id));
    if (bad.length > 0)
      read.problems.push(`${path}: not Slack user or user-group ids (U..., S...): ${bad.join(", ")}`);
    else approvers[namespace] = ids;
  }
  return {
    approvers,
    allowSelfApproval: read.boolean(proposals, "allowSelfApproval", "proposals.allowSelfApproval", false),
    expiryHours: read.integer(proposals, "expiryHours", "proposals.expiryHours", 24, 1, 720),
    verifyAfterMinutes: read.integer(
      proposals,
      "verifyAfterMinutes",
      "proposals.verifyAfterMinutes",
      24 * 60,
      0,
      30 * 24 * 60,
    ),
    maxStepFactor: read.integer(proposals, "maxStepFactor", "proposals.maxStepFactor", 2, 1, 100),
    maxLimitBytes: read.quantity(proposals, "maxLimit", "proposals.maxLimit", maxLimitBytes),
    leakAfterBumps: read.integer(proposals, "leakAfterBumps", "proposals.leakAfterBumps", 3, 1, 100),
    patchGitOpsManaged: read.boolean(proposals, "patchGitOpsManaged", "proposals.patchGitOpsManaged", false),
    argoCdTrackingLabel: read.string(proposals, "argoCdTrackingLabel", "proposals.argoCdTrackingLabel", null),
    signingKey: proposalSigningKey(read, proposals, env, Object.keys(approvers).length > 0),
  };
}

const SIGNING_KEY_MIN_LENGTH = 32;

/** The key proposal records are signed with: from the environment (a Secret) or the YAML file. */
function proposalSigningKey(
  read: Reader,
  proposals: Json,
  env: Record<string, string | undefined>,
  enabled: boolean,
): string | null {
  const fromEnv = env.OOM_DOCTOR_PROPOSAL_SIGNING_KEY?.trim();
  const key = fromEnv ? fromEnv : read.string(proposals, "signingKey", "proposals.signingKey", null);
  if (key === null && enabled)
    read.problems.push(
      "OOM_DOCTOR_PROPOSAL_SIGNING_KEY (or proposals.signingKey): not set; it is required when proposals.approvers enables proposals (e.g. openssl rand -hex 32)",
    );
  else if (key !== null && key.length < SIGNING_KEY_MIN_LENGTH)
    read.problems.push(
      `OOM_DOCTOR_PROPOSAL_SIGNING_KEY (or proposals.signingKey): at least ${SIGNING_KEY_MIN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  return key;
}

/** Validates a decoded YAML document (and the environment) into a Config; `loadConfig` reads its files. */
export function buildConfig(
  document: unknown,
  env: Record<string, string | undefined>,
  source: string,
): Result<Config> {
  const read = new Reader(source);
  if (
    document !== null &&
    document !== undefined &&
    (typeof document !== "object" || Array.isArray(document))
  ) {
    return fail("config-invalid", `${source}: expected a mapping at the top level`);
  }
  const root = (document ?? {}) as Json;
  const known = new Set([
    "kubernetes",
    "ssh",
    "window",
    "scan",
    "recommendation",
    "slack",
    "queue",
    "proposals",
    "alerts",
    "prometheus",
    "history",
  ]);
  for (const key of Object.keys(root)) {
    if (!known.has(key))
      read.problems.push(`${source}: ${key}: unknown key (known: ${[...known].join(", ")})`);
  }
  const kubernetes = read.section(root, "kubernetes", "kubernetes");
  const window = read.section(root, "window", "window");
  const scan = read.section(root, "scan", "scan");
  const recommendationSection = read.section(root, "recommendation", "recommendation");
  const recommendation: Config["recommendation"] = {
    headroomPercent: read.integer(
      recommendationSection,
      "headroomPercent",
      "recommendation.headroomPercent",
      25,
      0,
      400,
    ),
    minStepBytes:
      read.quantity(recommendationSection, "minStep", "recommendation.minStep", 256 * 2 ** 20) ??
      256 * 2 ** 20,
    maxLimitBytes: read.quantity(recommendationSection, "maxLimit", "recommendation.maxLimit", 64 * 2 ** 30),
  };
  const config: Config = {
    kubernetes: {
      kubeconfig:
        read.string(kubernetes, "kubeconfig", "kubernetes.kubeconfig", null) ?? env.KUBECONFIG ?? null,
      context: read.string(kubernetes, "context", "kubernetes.context", null),
      inCluster: read.boolean(kubernetes, "inCluster", "kubernetes.inCluster", false),
    },
    ssh: sshConfig(read, root, env),
    window: {
      beforeSeconds: read.integer(window, "beforeSeconds", "window.beforeSeconds", 600, 0, 86_400),
      afterSeconds: read.integer(window, "afterSeconds", "window.afterSeconds", 300, 0, 86_400),
    },
    scan: {
      restartThreshold: read.integer(scan, "restartThreshold", "scan.restartThreshold", 5, 1, 1_000_000),
      pageSize: read.integer(scan, "pageSize", "scan.pageSize", 500, 1, 5000),
    },
    recommendation,
    slack: slackConfig(read, root),
    queue: queueConfig(read, root),
    proposals: proposalsConfig(read, root, env, recommendation.maxLimitBytes),
    alerts: alertsConfig(read, root),
    prometheus: prometheusConfig(read, root),
    history: historyConfig(read, root),
  };
  if (read.problems.length > 0) {
    return fail("config-invalid", read.problems.join("\n  "), "see config.example.yaml for every key");
  }
  return ok(config);
}

/** Reads the secret files a valid Config names (Prometheus' token, password and CA) into it. */
async function withFiles(config: Result<Config>, source: string): Promise<Result<Config>> {
  if (!config.ok || config.value.prometheus === null) return config;
  const read = await readPrometheusFiles(config.value.prometheus);
  if (read.problems.length > 0)
    return fail(
      "config-invalid",
      read.problems.map((problem) => `${source}: ${problem}`).join("\n  "),
      "the files must exist and be readable by oom-doctor's user",
    );
  return ok({ ...config.value, prometheus: read.prometheus });
}

/** Reads OOM_DOCTOR_CONFIG (or the path given), the environment and the secret files into a Config. */
export async function loadConfig(
  env: Record<string, string | undefined>,
  path: string | null,
): Promise<Result<Config>> {
  const file = path ?? env.OOM_DOCTOR_CONFIG ?? null;
  if (file === null) return buildConfig({}, env, "environment");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const problem = fileError(file, error);
    return fail("config-invalid", `OOM_DOCTOR_CONFIG: ${problem.message}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    return fail("config-invalid", `${file}: not valid YAML (${(error as Error).message.split("\n")[0]})`);
  }
  return withFiles(buildConfig(document, env, file), file);
}

function redactPrometheus(prometheus: PrometheusConfig): PrometheusConfig {
  const { bearerToken, basicAuth } = prometheus;
  return {
    ...prometheus,
    bearerToken: bearerToken === null ? null : "[redacted]",
    basicAuth:
      basicAuth === null
        ? null
        : { ...basicAuth, password: basicAuth.password === null ? null : "[redacted]" },
  };
}

/** The config with secrets replaced, for logs and `--show-config`. */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    ssh: { ...config.ssh, passphrase: config.ssh.passphrase === null ? null : "[redacted]" },
    proposals: {
      ...config.proposals,
      signingKey: config.proposals.signingKey === null ? null : "[redacted]",
    },
    prometheus: config.prometheus === null ? null : redactPrometheus(config.prometheus),
  };
}
