// Usage text lives apart from the commands, so that help never loads a command's dependencies.

export const SCAN_USAGE = `Usage:
  oom-doctor scan NAMESPACE [options]

Lists the namespace's pods, reads each involved node's journal over SSH around every OOM kill, and
reports what happened.

Options:
  --pod NAME            only this pod
  --format FORMAT       text (default), markdown or json
  --output FILE         write the report to FILE instead of standard output; with markdown and
                        memory history (prometheus.url), each workload's picture goes beside it
  --kubeconfig FILE     default: $KUBECONFIG, then ~/.kube/config (or kubernetes.inCluster)
  --context NAME        a kubeconfig context other than the current one
  --config FILE         the YAML configuration (default: $OOM_DOCTOR_CONFIG); see config.example.yaml
  --no-color            plain text even on a terminal`;

export const CONFIG_USAGE = `Usage:
  oom-doctor config [--config FILE]

Prints the configuration scan would use (YAML file from --config or $OOM_DOCTOR_CONFIG, plus the
environment), checked, with secrets redacted.`;

export const BOT_USAGE = `Usage:
  oom-doctor serve [--config FILE]    the Slack side: /oom commands and buttons
  oom-doctor worker [--config FILE]   runs the queued investigations
  oom-doctor all [--config FILE]      both in one process (small installs; npm start)

Environment: SLACK_BOT_TOKEN (xoxb-...), SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN
(xapp-..., Socket Mode), SLACK_API_URL, REDIS_URL (default redis://127.0.0.1:6379), PORT (default
3000), KUBECONFIG, OOM_DOCTOR_CONFIG. Secrets may also come from files: SLACK_BOT_TOKEN_FILE, ...
Serves /healthz, /readyz and /metrics on PORT, and /slack/events in HTTP mode. SIGTERM stops taking
work and lets active investigations finish (queue.shutdownGraceSeconds).`;
