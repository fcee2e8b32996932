// Connections to nodes with node-ssh, for every adapter that reads a node's journal. Host keys are
// always checked against known_hosts, and only the key types known_hosts holds for that host are
// offered: a host with no entry is never dialled, and a key that differs ends the connection during the
// key exchange, before any credential is sent. A command's answer is capped (src/ssh/capped-exec.ts).

import type { Duplex } from "node:stream";
import { NodeSSH } from "node-ssh";
import type { Client } from "ssh2";
import type { SshConfig } from "../config/schema.js";
import { type AppError, fail, ok, type Result } from "../errors.js";
import type { NodeTarget } from "../ports.js";
import { ByteBudget, type CappedOutput, execCapped } from "./capped-exec.js";
import type { CommandLimits } from "./command.js";
import { fingerprint, hostKeyAlgorithms, type KnownHosts, knownHostsName } from "./known-hosts.js";

/** The SSH settings with the node user known: there is no default user. */
export type SshLogin = SshConfig & { user: string };

/** A connected node: runs commands until the connector's `withNode` returns. */
export interface NodeSession {
  /**
   * Runs `command`, keeping at most `ssh.maxOutputBytes` of its stdout, and drawing on `budget` when
   * given (what several commands may receive together).
   */
  run(command: string, budget?: ByteBudget): Promise<Result<CappedOutput>>;
}

// Local guard on top of the remote `timeout`: a node that stops answering mid-command.
const LOCAL_GRACE_MS = 10_000;
// stderr carries journalctl's warnings and the wrapper's exit line: a few lines, never megabytes.
const STDERR_CAP = 64 * 1024;

interface Endpoint {
  label: string;
  host: string;
  port: number;
  user: string;
  privateKeyPath: string | null;
}

class HostKeyCheck {
  mismatch: Buffer | null = null;
  constructor(
    private readonly known: Buffer[],
    private readonly knownHosts: KnownHosts,
  ) {}

  verify = (key: Buffer): boolean => {
    if (this.knownHosts.isRevoked(key) || !this.known.some((candidate) => candidate.equals(key))) {
      this.mismatch = key;
      return false;
    }
    return true;
  };
}

function unknownHost(endpoint: Endpoint, knownHostsPath: string): AppError {
  const name = knownHostsName(endpoint.host, endpoint.port);
  return {
    kind: "host-key-unknown",
    message: `${endpoint.label}: ${name} is not in ${knownHostsPath}; not connecting`,
    hint: `check the node's key fingerprint, then add it: ssh-keyscan -p ${endpoint.port} ${endpoint.host} >> ${knownHostsPath}`,
  };
}

function unsupportedKeyTypes(endpoint: Endpoint, config: SshLogin): AppError {
  const name = knownHostsName(endpoint.host, endpoint.port);
  return {
    kind: "host-key-unknown",
    message: `${endpoint.label}: ${config.knownHostsPath} holds no ssh-ed25519, ecdsa-sha2-* or ssh-rsa key for ${name}; not connecting`,
    hint: `add one of those keys: ssh-keyscan -t ed25519,ecdsa,rsa -p ${endpoint.port} ${endpoint.host}`,
  };
}

function connectError(endpoint: Endpoint, error: unknown, check: HostKeyCheck, config: SshLogin): AppError {
  const where = `${endpoint.label} (${endpoint.host}:${endpoint.port})`;
  if (check.mismatch) {
    return {
      kind: "host-key-mismatch",
      message: `${where}: host key ${fingerprint(check.mismatch)} does not match ${config.knownHostsPath}; refused`,
      hint: "the node was reinstalled, or this is not the node: confirm the fingerprint with its owner, then replace its known_hosts line",
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const level = (error as { level?: unknown }).level;
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENOTFOUND") {
    return {
      kind: "node-unreachable",
      message: `${where}: cannot connect (${code})`,
      hint: "is sshd running, and is the port right?",
    };
  }
  if (/Timed out while waiting for handshake/i.test(message) || code === "ETIMEDOUT") {
    return {
      kind: "timeout",
      message: `${where}: no SSH answer within ${config.connectTimeoutSeconds} s`,
      hint: "a firewall may be dropping packets to port 22",
    };
  }
  if (level === "client-authentication" || /authentication methods failed/i.test(message)) {
    return {
      kind: "auth-refused",
      message: `${where}: the node refused the key for user ${endpoint.user}`,
      hint: "is the public key in that user's authorized_keys?",
    };
  }
  return { kind: "ssh-error", message: `${where}: ${message}` };
}

export class NodeConnector {
  private bastion: Promise<Result<NodeSSH>> | null = null;
  private readonly open = new Set<NodeSSH>();

  constructor(
    private readonly config: SshLogin,
    private readonly knownHosts: KnownHosts,
  ) {}

  /** What every request asks the node's wrapper to keep to. */
  get limits(): CommandLimits {
    return {
      timeoutSeconds: this.config.commandTimeoutSeconds,
      maxOutputBytes: this.config.maxOutputBytes,
    };
  }

  /** Connects to the node (through the bastion when there is one), lets `use` run commands, disconnects. */
  async withNode<T>(
    target: NodeTarget,
    use: (session: NodeSession) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const connected = await this.connectNode(target);
    if (!connected.ok) return connected;
    const ssh = connected.value;
    try {
      return await use({ run: (command, budget) => this.run(ssh, command, budget) });
    } finally {
      this.open.delete(ssh);
      ssh.dispose();
    }
  }

  async close(): Promise<void> {
    for (const ssh of this.open) ssh.dispose();
    this.open.clear();
    const bastion = await this.bastion;
    if (bastion?.ok) bastion.value.dispose();
    this.bastion = null;
  }

  private async connect(endpoint: Endpoint, sock?: Duplex): Promise<Result<NodeSSH>> {
    const known = this.knownHosts.keysFor(endpoint.host, endpoint.port);
    if (known.length === 0) return { ok: false, error: unknownHost(endpoint, this.config.knownHostsPath) };
    // Offer only the key types known_hosts holds for this host: otherwise the node may present
    // another of its keys, which the check below could only refuse.
    const algorithms = hostKeyAlgorithms(this.knownHosts.keyTypesFor(endpoint.host, endpoint.port));
    if (algorithms.length === 0) return { ok: false, error: unsupportedKeyTypes(endpoint, this.config) };
    const check = new HostKeyCheck(known, this.knownHosts);
    const ssh = new NodeSSH();
    try {
      await ssh.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        ...(endpoint.privateKeyPath ? { privateKeyPath: endpoint.privateKeyPath } : {}),
        ...(this.config.passphrase ? { passphrase: this.config.passphrase } : {}),
        hostVerifier: check.verify,
        algorithms: { serverHostKey: algorithms },
        readyTimeout: this.config.connectTimeoutSeconds * 1000,
        ...(sock ? { sock } : {}),
      });
    } catch (error) {
      ssh.dispose();
      return { ok: false, error: connectError(endpoint, error, check, this.config) };
    }
    this.open.add(ssh);
    return ok(ssh);
  }

  private viaBastion(): Promise<Result<NodeSSH>> | null {
    const bastion = this.config.bastion;
    if (!bastion) return null;
    this.bastion ??= this.connect({
      label: "bastion",
      host: bastion.host,
      port: bastion.port,
      user: bastion.user,
      privateKeyPath: bastion.privateKeyPath ?? this.config.privateKeyPath,
    });
    return this.bastion;
  }

  private async connectNode(target: NodeTarget): Promise<Result<NodeSSH>> {
    const endpoint: Endpoint = {
      label: target.node,
      host: target.host,
      port: target.port,
      user: this.config.user,
      privateKeyPath: this.config.privateKeyPath,
    };
    const bastion = this.viaBastion();
    if (!bastion) return this.connect(endpoint);
    const jump = await bastion;
    if (!jump.ok)
      return fail(
        jump.error.kind,
        `${target.node} through the bastion: ${jump.error.message}`,
        jump.error.hint,
      );
    if (this.knownHosts.keysFor(target.host, target.port).length === 0) {
      return { ok: false, error: unknownHost(endpoint, this.config.knownHostsPath) };
    }
    try {
      const channel = await jump.value.forwardOut("127.0.0.1", 0, target.host, target.port);
      return this.connect(endpoint, channel);
    } catch (error) {
      return fail(
        "node-unreachable",
        `${target.node} (${target.host}:${target.port}): the bastion cannot reach it (${(error as Error).message})`,
      );
    }
  }

  private run(ssh: NodeSSH, command: string, budget?: ByteBudget): Promise<Result<CappedOutput>> {
    return execCapped(ssh.connection as Client, command, {
      // The wrapper sends one byte past the cap when it cut the answer: that byte marks it cut here too.
      stdoutBytes: this.config.maxOutputBytes,
      stderrBytes: STDERR_CAP,
      // Without a shared budget, the caps above are the only bound.
      job: budget ?? new ByteBudget(Number.POSITIVE_INFINITY),
      timeoutMs: this.config.commandTimeoutSeconds * 1000 + LOCAL_GRACE_MS,
    });
  }
}
