// The SSH adapter: reads journal windows from nodes with node-ssh. Host keys are always checked
// against known_hosts, and only the key types known_hosts holds for that host are offered: a host with
// no entry is never dialled, and a key that differs ends the connection during the key exchange,
// before any credential is sent. What a node sends back is capped per window and per investigation.

import type { Duplex } from "node:stream";
import { NodeSSH } from "node-ssh";
import type { Client } from "ssh2";
import type { JournalWindow } from "../analysis/windows.js";
import type { SshConfig } from "../config/schema.js";
import { type AppError, fail, ok, type Result } from "../errors.js";
import type { FetchedWindow, NodeJournalFetch, NodeJournalSource, NodeTarget } from "../ports.js";
import { ByteBudget, type CappedOutput, execCapped } from "./capped-exec.js";
import { type CommandLimits, EXIT_MARKER, oldestEntryCommand, windowCommand } from "./command.js";
import { fingerprint, hostKeyAlgorithms, type KnownHosts, knownHostsName } from "./known-hosts.js";

/** The SSH settings with the node user known: there is no default user. */
export type SshLogin = SshConfig & { user: string };

// `timeout` exits 124 when it stopped the command; 141 is SIGPIPE, when `head -c` closed the pipe.
const TIMED_OUT = 124;
const PIPE_CLOSED = 141;
// Local guard on top of the remote `timeout`: a node that stops answering mid-command.
const LOCAL_GRACE_MS = 10_000;
// stderr carries journalctl's warnings and the wrapper's exit line: a few lines, never megabytes.
const STDERR_CAP = 64 * 1024;
const WRAPPER_HINT = "is deploy/node/oom-doctor-journal forced for the key in the node's authorized_keys?";

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

export class SshJournalSource implements NodeJournalSource {
  private bastion: Promise<Result<NodeSSH>> | null = null;
  private readonly open = new Set<NodeSSH>();
  /** One source serves one investigation: this is what all its nodes may still send. */
  private readonly budget: ByteBudget;

  constructor(
    private readonly config: SshLogin,
    private readonly knownHosts: KnownHosts,
  ) {
    this.budget = new ByteBudget(config.maxJobOutputBytes);
  }

  private get limits(): CommandLimits {
    return {
      timeoutSeconds: this.config.commandTimeoutSeconds,
      maxOutputBytes: this.config.maxOutputBytes,
    };
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

  private run(ssh: NodeSSH, command: string): Promise<Result<CappedOutput>> {
    return execCapped(ssh.connection as Client, command, {
      // The wrapper sends one byte past the cap when it cut the answer: that byte marks it cut here too.
      stdoutBytes: this.config.maxOutputBytes,
      stderrBytes: STDERR_CAP,
      job: this.budget,
      timeoutMs: this.config.commandTimeoutSeconds * 1000 + LOCAL_GRACE_MS,
    });
  }

  private async readWindow(
    ssh: NodeSSH,
    target: NodeTarget,
    window: JournalWindow,
  ): Promise<Result<FetchedWindow>> {
    // The investigation's budget is spent: later windows are not asked for, and say so.
    if (this.budget.remaining === 0) return ok({ window, bytes: new Uint8Array(), truncated: true });
    const output = await this.run(ssh, windowCommand(window, this.limits));
    if (!output.ok)
      return fail(output.error.kind, `${target.node}: ${output.error.message}`, output.error.hint);
    const { stdout, stderr, cut } = output.value;
    if (cut) return ok({ window, bytes: stdout, truncated: true });
    const exit = new RegExp(`${EXIT_MARKER}(\\d+)`).exec(stderr)?.[1];
    if (exit === undefined && stdout.length === 0) {
      const reason = stderr.trim().split("\n").slice(-1)[0] || "no output";
      return fail("ssh-error", `${target.node}: the journal command failed (${reason})`, WRAPPER_HINT);
    }
    if (
      exit !== undefined &&
      exit !== "0" &&
      Number(exit) !== TIMED_OUT &&
      Number(exit) !== PIPE_CLOSED &&
      stdout.length === 0
    ) {
      const reason = stderr.replace(new RegExp(`${EXIT_MARKER}\\d+`), "").trim() || `exit ${exit}`;
      return fail(
        "ssh-error",
        `${target.node}: journalctl failed (${reason})`,
        "can the node user read the journal: in the systemd-journal group, or the wrapper run through sudo?",
      );
    }
    return ok({ window, bytes: stdout, truncated: Number(exit) === TIMED_OUT });
  }

  private async oldestEntry(ssh: NodeSSH): Promise<number | null> {
    const output = await this.run(ssh, oldestEntryCommand(this.limits));
    if (!output.ok) return null;
    const micros = /"__REALTIME_TIMESTAMP"\s*:\s*"(\d+)"/.exec(output.value.stdout.toString("utf8"))?.[1];
    return micros ? Math.floor(Number(micros) / 1000) : null;
  }

  async fetch(target: NodeTarget, windows: JournalWindow[]): Promise<Result<NodeJournalFetch>> {
    const connected = await this.connectNode(target);
    if (!connected.ok) return connected;
    const ssh = connected.value;
    try {
      const fetched: FetchedWindow[] = [];
      for (const window of windows) {
        const read = await this.readWindow(ssh, target, window);
        if (!read.ok) return read;
        fetched.push(read.value);
      }
      const anyKernel = fetched.some((window) => Buffer.from(window.bytes).includes('"kernel"'));
      return ok({ windows: fetched, oldestEntryMs: anyKernel ? null : await this.oldestEntry(ssh) });
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
}
