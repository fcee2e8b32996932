// The one configuration: what oom-doctor reads from its environment and its optional YAML file,
// typed and checked once at start-up. Every error names the key (or variable) and what it expects.

export interface SshTarget {
  host: string;
  port: number;
}

export interface NodeOverride {
  host?: string;
  port?: number;
  /** The journal command for this node, when it differs from ssh.journalCommand. */
  journalCommand?: string;
}

export interface SshConfig {
  user: string;
  port: number;
  privateKeyPath: string | null;
  passphrase: string | null;
  knownHostsPath: string;
  bastion: (SshTarget & { user: string; privateKeyPath: string | null }) | null;
  nodes: Record<string, NodeOverride>;
  sudo: boolean;
  journalCommand: string;
  concurrency: number;
  connectTimeoutSeconds: number;
  commandTimeoutSeconds: number;
  maxOutputBytes: number;
  /** Which node address to dial when no override names one. */
  addressType: "InternalIP" | "ExternalIP" | "Hostname";
}

export interface Config {
  kubernetes: { kubeconfig: string | null; context: string | null; inCluster: boolean };
  ssh: SshConfig;
  window: { beforeSeconds: number; afterSeconds: number };
  scan: { restartThreshold: number; pageSize: number };
  recommendation: { headroomPercent: number; minStepBytes: number; maxLimitBytes: number | null };
}
