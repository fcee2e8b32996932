import type { Severity } from "../alerts/model.js";
import type { QuietHours } from "../alerts/quiet.js";

// The one configuration: what oom-doctor reads from its environment and its optional YAML file,
// typed and checked once at start-up. Every error names the key (or variable) and what it expects.

export interface SshTarget {
  host: string;
  port: number;
}

export interface NodeOverride {
  host?: string;
  port?: number;
}

export interface SshConfig {
  /** The node user oom-doctor logs in as; no default (never root): required wherever nodes are read. */
  user: string | null;
  port: number;
  privateKeyPath: string | null;
  passphrase: string | null;
  knownHostsPath: string;
  bastion: (SshTarget & { user: string; privateKeyPath: string | null }) | null;
  nodes: Record<string, NodeOverride>;
  concurrency: number;
  connectTimeoutSeconds: number;
  commandTimeoutSeconds: number;
  /** Bytes kept of one journal window; a node that sends more has its channel closed. */
  maxOutputBytes: number;
  /** Bytes kept of every node's answers in one investigation together. */
  maxJobOutputBytes: number;
  /** Which node address to dial when no override names one. */
  addressType: "InternalIP" | "ExternalIP" | "Hostname";
}

export type Locale = "en" | "zh-CN";

export interface SlackConfig {
  /** The language of every message the bot posts. */
  locale: Locale;
  /**
   * Channel id -> namespaces it may investigate ("*" for any). The "*" channel entry applies to channels
   * not listed; without it, unlisted channels are refused (an empty map refuses every channel).
   */
  channels: Record<string, string[]>;
  /** How long "Snooze" hides a workload. */
  snoozeDays: number;
  /** Kernel report lines shown in a message; longer reports are attached as a file. */
  excerptLines: number;
  /** How long one Slack Web API call may take before it is given up (and retried, briefly). */
  apiTimeoutSeconds: number;
  /** Digest subscriptions allowed in all, across channels: each one is a daily job and hourly snapshots. */
  maxDigestSubscriptions: number;
  /** Workloads, the worst first, that get a thread reply of their own; the others share one reply. */
  maxReplies: number;
}

export interface QueueConfig {
  /** Prefix of every Redis key oom-doctor writes. */
  prefix: string;
  /** Attempts for a job that fails with a transient error. */
  attempts: number;
  /** The first retry's delay; each later one doubles it. */
  retryDelaySeconds: number;
  /** Investigations one worker runs at once. */
  concurrency: number;
  /** How long a worker may go silent before another takes its job over. */
  lockSeconds: number;
  /** How long SIGTERM waits for active jobs before handing them back. */
  shutdownGraceSeconds: number;
}

export interface ProposalsConfig {
  /**
   * Namespace -> Slack user ids (U...) and user-group ids (S...) who may approve a limit change there.
   * Proposals are enabled only in the namespaces listed; "*" stands for the others.
   */
  approvers: Record<string, string[]>;
  allowSelfApproval: boolean;
  expiryHours: number;
  /** When to check whether the container was OOM-killed again after a change. */
  verifyAfterMinutes: number;
  /** A proposal may at most multiply the current limit by this. */
  maxStepFactor: number;
  /** No proposal above this; defaults to recommendation.maxLimit. */
  maxLimitBytes: number | null;
  /** A workload bumped this many times within 7 days is flagged as a probable leak instead. */
  leakAfterBumps: number;
  /** Patch workloads that Argo CD, Flux or Helm manage (they may revert it). */
  patchGitOpsManaged: boolean;
  /** The label Argo CD tracks resources by, where it uses label tracking (its instanceLabelKey). */
  argoCdTrackingLabel: string | null;
  /** The HMAC key proposal records are signed with; required when proposals are enabled. */
  signingKey: string | null;
}

/** A subscription declared in the configuration: kills in matching namespaces go to the channel. */
export interface AlertRoute {
  /** A namespace, a pattern with `*` (`prod-*`), or "all". */
  namespaces: string;
  channel: string;
  minSeverity: Severity;
  quiet: QuietHours | null;
  tz: string;
}

export interface AlertsConfig {
  /** Whether workers watch the cluster at all (one of them at a time does). */
  enabled: boolean;
  /** The cluster's name in alerts and keys; one watcher per name. */
  cluster: string;
  routes: AlertRoute[];
  /** How often the nodes that run watched pods have their new kernel messages read. */
  sweepMinutes: number;
  /** Kills that arrive within this many seconds go out together (storms become one message). */
  batchSeconds: number;
  /** New threads a channel gets in 10 minutes; past it, kills go to one summary thread. */
  maxNewThreads: number;
  /** Kills of this many pods on one node in one batch make a node thread instead of workload threads. */
  nodeStormKills: number;
  /** Subscriptions made from Slack, in all. */
  maxSubscriptions: number;
  /** On a first start (or after Redis lost its data), kills this recent are still alerted. */
  catchUpMinutes: number;
}

/** A server of the Prometheus HTTP API (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics). */
export interface PrometheusConfig {
  /** The base URL; the API is under `<url>/api/v1` (Mimir's base ends in `/prometheus`). */
  url: string;
  /** Sent as `Authorization: Bearer`; `bearerToken` is the file's content, read by `loadConfig`. */
  bearerTokenFile: string | null;
  bearerToken: string | null;
  /** Sent as `Authorization: Basic`; `password` is `passwordFile`'s content, read by `loadConfig`. */
  basicAuth: { username: string; passwordFile: string; password: string | null } | null;
  /** PEM certificates trusted for an https URL; `ca` is the file's content, read by `loadConfig`. */
  caFile: string | null;
  ca: string | null;
  /** Sent with every request, e.g. `X-Scope-OrgID` for a Mimir or Cortex tenant. */
  headers: Record<string, string>;
  /** How long one query may take before it is given up. */
  timeoutSeconds: number;
}

export interface HistoryConfig {
  /** Days of memory history the figures (percentiles, peaks) are taken over, before the latest kill. */
  days: number;
  /** Hours before each kill the picture shows. */
  hoursBeforeKill: number;
  /** Seconds between points asked for; raised for long spans, to stay within the server's limit. */
  stepSeconds: number;
}

export interface Config {
  kubernetes: { kubeconfig: string | null; context: string | null; inCluster: boolean };
  ssh: SshConfig;
  window: { beforeSeconds: number; afterSeconds: number };
  scan: { restartThreshold: number; pageSize: number };
  recommendation: { headroomPercent: number; minStepBytes: number; maxLimitBytes: number | null };
  slack: SlackConfig;
  queue: QueueConfig;
  proposals: ProposalsConfig;
  alerts: AlertsConfig;
  /** Where memory history comes from; null: no history (reports say what it would add). */
  prometheus: PrometheusConfig | null;
  history: HistoryConfig;
}
