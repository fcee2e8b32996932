// Usage text lives apart from the commands, so that help never loads a command's dependencies.

export const SCAN_USAGE = `Usage:
  oom-doctor scan NAMESPACE [options]

Lists the namespace's pods, reads each involved node's journal over SSH around every OOM kill, and
reports what happened.

Options:
  --pod NAME            only this pod
  --format FORMAT       text (default), markdown or json
  --kubeconfig FILE     default: $KUBECONFIG, then ~/.kube/config (or kubernetes.inCluster)
  --context NAME        a kubeconfig context other than the current one
  --config FILE         the YAML configuration (default: $OOM_DOCTOR_CONFIG); see config.example.yaml
  --no-color            plain text even on a terminal`;

export const CONFIG_USAGE = `Usage:
  oom-doctor config [--config FILE]

Prints the configuration scan would use (YAML file from --config or $OOM_DOCTOR_CONFIG, plus the
environment), checked, with secrets redacted.`;
