// The Prometheus metrics every bot process exposes on /metrics. One registry per process (not the
// library's global one), so tests can run several processes' worth side by side. Every label takes a
// bounded set of values: each series stays in memory and in every scrape until it is removed, so
// nothing that grows without end (upload URLs, node names as a cluster scales) becomes a label.

import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

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
  /** The nodes with a series, least recently fetched first. */
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
  }

  /** Starts timing a node's journal fetch; the least recently fetched node's series goes past NODE_SERIES. */
  sshFetchTimer(node: string): () => void {
    this.nodes.delete(node);
    this.nodes.add(node);
    if (this.nodes.size > NODE_SERIES) {
      const oldest = this.nodes.values().next().value as string;
      this.nodes.delete(oldest);
      this.sshFetchSeconds.remove({ node: oldest });
    }
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
