// The Prometheus metrics every bot process exposes on /metrics. One registry per process (not the
// library's global one), so tests can run several processes' worth side by side. Every label takes a
// bounded set of values: each series stays in memory and in every scrape until it is removed, so
// nothing that grows without end (upload URLs, node names as a cluster scales) becomes a label.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Nodes that keep a series of their own in oom_doctor_ssh_fetch_seconds: those fetched most recently. */
export const NODE_SERIES = 100;

const SLACK_METHOD = /\/api\/([a-zA-Z]+(?:\.[a-zA-Z]+)+)$/;
const SLACK_ERROR = /^[a-z_]{1,64}$/;

/** A Web API method from a request URL; file uploads go to a URL made for each file, hence one label. */
export function slackMethodLabel(url: string): string {
  return SLACK_METHOD.exec(url.split("?")[0] ?? "")?.[1] ?? "file-upload";
}

/** A Slack error code (`channel_not_found`) as a label; anything else Slack or a library says, "other". */
export function slackErrorLabel(code: string): string {
  return SLACK_ERROR.test(code) ? code : "other";
}

export class Metrics {
  readonly registry = new Registry();
  readonly commands: Counter<"command">;
  readonly jobs: Counter<"queue" | "outcome">;
  readonly stepSeconds: Histogram<"step">;
  private readonly sshFetchSeconds: Histogram<"node">;
  private readonly slackApiErrors: Counter<"method" | "error">;
  /** Cluster watch streams resumed after a break, and listed again (410 Gone, failed resume). */
  readonly watchReconnects: Counter<"stream">;
  readonly watchRelists: Counter<"stream">;
  /** Alert messages posted, by what they were (thread, update, summary, quiet-summary). */
  readonly alertsSent: Counter<"message">;
  /** Kills that went into a storm summary or a node thread instead of a thread of their own. */
  readonly alertsSuppressed: Counter<"reason">;
  /** This process holds the cluster's watch lease (1) or not (0); changes counted. */
  readonly leaseHeld: Gauge;
  readonly leaseChanges: Counter<"change">;
  private readonly sweepSeconds: Histogram<"node">;
  private readonly sweepBytes: Counter<"node">;
  /** The nodes with a series, least recently used first. */
  private readonly nodes = new Set<string>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "oom_doctor_" });
    this.commands = new Counter({
      name: "oom_doctor_commands_total",
      help: "Slash commands received, by subcommand (investigate, status, help, invalid, denied).",
      labelNames: ["command"],
      registers,
    });
    this.jobs = new Counter({
      name: "oom_doctor_jobs_total",
      help: "Jobs finished, by queue and outcome (completed, retried, failed).",
      labelNames: ["queue", "outcome"],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: "oom_doctor_step_duration_seconds",
      help: "Duration of an investigation's steps.",
      labelNames: ["step"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.sshFetchSeconds = new Histogram({
      name: "oom_doctor_ssh_fetch_seconds",
      help: "Time to fetch a node's journal windows over SSH.",
      labelNames: ["node"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.slackApiErrors = new Counter({
      name: "oom_doctor_slack_api_errors_total",
      help: "Slack Web API calls that failed or were rate limited, by method and error.",
      labelNames: ["method", "error"],
      registers,
    });
    this.watchReconnects = new Counter({
      name: "oom_doctor_watch_reconnects_total",
      help: "Cluster watch streams resumed from their last resourceVersion after a break, by stream.",
      labelNames: ["stream"],
      registers,
    });
    this.watchRelists = new Counter({
      name: "oom_doctor_watch_relists_total",
      help: "Cluster watch streams listed again (410 Gone, or a resume that failed), by stream.",
      labelNames: ["stream"],
      registers,
    });
    this.alertsSent = new Counter({
      name: "oom_doctor_alerts_sent_total",
      help: "Alert messages posted, by message (thread, update, summary, quiet-summary).",
      labelNames: ["message"],
      registers,
    });
    this.alertsSuppressed = new Counter({
      name: "oom_doctor_alerts_suppressed_total",
      help: "Kills folded by storm control instead of opening a thread, by reason (node-storm, channel-storm).",
      labelNames: ["reason"],
      registers,
    });
    this.leaseHeld = new Gauge({
      name: "oom_doctor_alerts_leader",
      help: "1 while this process holds the cluster's watch lease.",
      registers,
    });
    this.leaseChanges = new Counter({
      name: "oom_doctor_alerts_lease_changes_total",
      help: "Times this process took (acquired) or lost the cluster's watch lease.",
      labelNames: ["change"],
      registers,
    });
    this.sweepSeconds = new Histogram({
      name: "oom_doctor_sweep_seconds",
      help: "Time to read a node's new kernel messages over SSH.",
      labelNames: ["node"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.sweepBytes = new Counter({
      name: "oom_doctor_sweep_bytes_total",
      help: "Bytes of kernel messages read by sweeps, by node.",
      labelNames: ["node"],
      registers,
    });
  }

  /** Marks the node most recently used; past NODE_SERIES, the least recent one's series go. */
  private touchNode(node: string): void {
    this.nodes.delete(node);
    this.nodes.add(node);
    if (this.nodes.size > NODE_SERIES) {
      const oldest = this.nodes.values().next().value as string;
      this.nodes.delete(oldest);
      this.sshFetchSeconds.remove({ node: oldest });
      this.sweepSeconds.remove({ node: oldest });
      this.sweepBytes.remove({ node: oldest });
    }
  }

  /** Records one sweep of a node: how long it took and how much it read. */
  sweepDone(node: string, seconds: number, bytes: number): void {
    this.touchNode(node);
    this.sweepSeconds.observe({ node }, seconds);
    this.sweepBytes.inc({ node }, bytes);
  }

  /** Starts timing a node's journal fetch; the least recently fetched node's series goes past NODE_SERIES. */
  sshFetchTimer(node: string): () => void {
    this.touchNode(node);
    const stop = this.sshFetchSeconds.startTimer({ node });
    return () => {
      // A node dropped while its fetch ran is not brought back by its end.
      if (this.nodes.has(node)) stop();
    };
  }

  /** Counts a Web API call that failed or was rate limited. */
  slackApiError(method: string, error: string): void {
    this.slackApiErrors.inc({ method, error: slackErrorLabel(error) });
  }
}
