// The Prometheus metrics every bot process exposes on /metrics. One registry per process (not the
// library's global one), so tests can run several processes' worth side by side.

import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly commands: Counter<"command">;
  readonly jobs: Counter<"queue" | "outcome">;
  readonly stepSeconds: Histogram<"step">;
  readonly sshFetchSeconds: Histogram<"node">;
  readonly slackApiErrors: Counter<"method" | "error">;

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
}
