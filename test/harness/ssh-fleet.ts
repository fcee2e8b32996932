// Real OpenSSH sshd processes, one per fake node on its own loopback address (127.0.1.N), with
// generated host and user keys, and real journal files written by systemd-journal-remote and read by
// the real journalctl through the shipped wrapper (deploy/node/oom-doctor-journal), forced for the
// user's key in each node's authorized_keys as docs/operations.md sets nodes up.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { ROOT } from "./fixtures.js";

const SSHD = "/usr/sbin/sshd";
const JOURNAL_REMOTE = ["/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote"];

export type HostKeyType = "ed25519" | "ecdsa" | "rsa";

export interface FleetNode {
  name: string;
  address: string;
  port: number;
  dir: string;
  /** The node's public host key line (`ssh-ed25519 AAAA...`): its first key type's. */
  hostKey: string;
  /** Every public host key line the node's sshd offers, by type. */
  hostKeys: Partial<Record<HostKeyType, string>>;
  journalDir: string;
  /** The command forced for the user's key: the wrapper reading this node's journal. */
  forcedCommand: string;
  process: ChildProcess | null;
  log: string;
}

function keygen(path: string, type: HostKeyType = "ed25519"): string {
  const size = type === "rsa" ? ["-b", "3072"] : [];
  execFileSync("ssh-keygen", ["-q", "-t", type, ...size, "-N", "", "-C", "", "-f", path], { stdio: "pipe" });
  return readFileSync(`${path}.pub`, "utf8").trim();
}

/** A free TCP port on this address: bound by the kernel, then released for sshd. */
async function freePort(address: string): Promise<number> {
  const server = createServer();
  server.listen(0, address);
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Logging in as root would run root's shell start-up files for every command (on some machines a
// slow pyenv or nvm init); nodes get a dedicated user with a plain shell, as production should.
const TEST_USER = "oomdoctor-test";

function loginUser(): string {
  if (process.getuid?.() !== 0) return userInfo().username;
  try {
    execFileSync("id", ["-u", TEST_USER], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/bin/sh", TEST_USER], {
      stdio: "pipe",
    });
  }
  // No password, but not locked: without PAM, sshd refuses even key logins to a locked ("!") account.
  execFileSync("usermod", ["-p", "*", "-d", "/", TEST_USER], { stdio: "pipe" });
  return TEST_USER;
}

export class SshFleet {
  readonly nodes = new Map<string, FleetNode>();
  readonly userKeyPath: string;
  readonly otherUserKeyPath: string;
  readonly user = loginUser();
  /** The shipped wrapper, installed root-owned and out of the node user's reach to change. */
  readonly wrapperPath: string;
  private readonly publicKey: string;
  private readonly extraServers: Server[] = [];
  private readonly silentSockets: Socket[] = [];

  constructor(private readonly dir: string) {
    mkdirSync("/run/sshd", { recursive: true });
    // The node user must reach authorized_keys, the wrapper and the journals inside this (private) directory.
    chmodSync(dir, 0o755);
    this.userKeyPath = join(dir, "id_ed25519");
    this.publicKey = keygen(this.userKeyPath);
    this.otherUserKeyPath = join(dir, "id_other");
    keygen(this.otherUserKeyPath);
    this.wrapperPath = join(dir, "oom-doctor-journal");
    copyFileSync(join(ROOT, "deploy", "node", "oom-doctor-journal"), this.wrapperPath);
    chmodSync(this.wrapperPath, 0o755);
  }

  /**
   * Starts a node's sshd. `exportFiles` become its journal, written by systemd-journal-remote. The host
   * keys are of `hostKeyTypes` (ed25519 alone by default), offered in that order.
   */
  async addNode(
    name: string,
    address: string,
    exportFiles: string[],
    options: { forwarding?: boolean; hostKeyTypes?: HostKeyType[] } = {},
  ): Promise<FleetNode> {
    const dir = join(this.dir, name);
    const journalDir = join(dir, "journal");
    mkdirSync(journalDir, { recursive: true });
    const hostKeyTypes = options.hostKeyTypes ?? ["ed25519"];
    const hostKeys: Partial<Record<HostKeyType, string>> = {};
    for (const type of hostKeyTypes) hostKeys[type] = keygen(join(dir, `ssh_host_${type}_key`), type);
    for (const [index, file] of exportFiles.entries()) {
      writeJournal(join(journalDir, `part${index}.journal`), file);
    }
    readableByNodeUser(journalDir);
    const port = await freePort(address);
    const config = [
      `ListenAddress ${address}:${port}`,
      ...hostKeyTypes.map((type) => `HostKey ${join(dir, `ssh_host_${type}_key`)}`),
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin no",
      "UsePAM no",
      `AllowTcpForwarding ${options.forwarding ? "yes" : "no"}`,
      // A jump host logs each forwarded connection (`server_request_direct_tcpip`) at DEBUG1.
      `LogLevel ${options.forwarding ? "DEBUG1" : "VERBOSE"}`,
      "MaxStartups 100",
      "MaxSessions 10",
    ];
    writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`);
    const node: FleetNode = {
      name,
      address,
      port,
      dir,
      hostKey: hostKeys[hostKeyTypes[0] ?? "ed25519"] ?? "",
      hostKeys,
      journalDir,
      forcedCommand: `${this.wrapperPath} --directory=${journalDir}`,
      process: null,
      log: "",
    };
    // A jump host forwards connections; `restrict` would forbid that.
    this.authorize(node, options.forwarding ? "restrict,port-forwarding" : "restrict");
    this.nodes.set(name, node);
    await this.start(node);
    return node;
  }

  /**
   * Appends entries (`journalctl -o export` form) to one of the node's journal files while its sshd
   * runs, as journald appends to the active file; a file not there yet is a new one in the same
   * directory, as after a rotation.
   */
  appendJournal(node: FleetNode, entries: string, file = "part0.journal"): void {
    journalRemote(join(node.journalDir, file), Buffer.from(entries));
    readableByNodeUser(node.journalDir);
  }

  /**
   * Writes the node's authorized_keys: the user's key with these options and the node's forced command.
   * sshd reads it at every login, so a change applies to the next connection.
   */
  authorize(node: FleetNode, options = "restrict", command = node.forcedCommand): void {
    writeFileSync(join(node.dir, "authorized_keys"), `${options},command="${command}" ${this.publicKey}\n`);
  }

  /** Starts sshd and resolves once it says it is listening: readiness without sleeping. */
  async start(node: FleetNode): Promise<void> {
    const child = spawn(SSHD, ["-D", "-e", "-f", join(node.dir, "sshd_config")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    node.process = child;
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (data: Buffer) => {
        node.log += data.toString();
        if (node.log.includes("Server listening on")) resolve();
      });
      child.once("exit", (code) =>
        reject(new Error(`sshd for ${node.name} exited with ${code}: ${node.log}`)),
      );
    });
  }

  async stop(node: FleetNode): Promise<void> {
    const child = node.process;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    await once(child, "exit");
    node.process = null;
  }

  /** A listener that accepts connections and never says a word: a node that does not answer. */
  async silentNode(
    address: string,
  ): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
    let count = 0;
    const server = createServer((socket) => {
      count++;
      this.silentSockets.push(socket);
    });
    server.listen(0, address);
    await once(server, "listening");
    this.extraServers.push(server);
    return {
      port: (server.address() as { port: number }).port,
      connections: () => count,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  /** known_hosts lines for these nodes (all of them by default). */
  knownHosts(names = [...this.nodes.keys()], replace: Record<string, string> = {}): string {
    return names
      .map((name) => {
        const node = this.nodes.get(name);
        if (!node) throw new Error(`no node ${name}`);
        return `[${node.address}]:${node.port} ${replace[name] ?? node.hostKey}`;
      })
      .join("\n")
      .concat("\n");
  }

  /** How many commands a node's sshd has run: one per journal query. */
  commandsRun(name: string): number {
    return (this.nodes.get(name)?.log.match(/Starting session: (?:forced-)?command/g) ?? []).length;
  }

  /**
   * A relay on the node's address in front of its sshd that counts the bytes the node sends towards the
   * client: what the client really received, whatever it kept.
   */
  async meter(node: FleetNode): Promise<{ port: number; bytesToClient: () => number }> {
    let bytes = 0;
    const server = createServer((client) => {
      const upstream = connect(node.port, node.address);
      upstream.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      upstream.pipe(client);
      client.pipe(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
    });
    server.listen(0, node.address);
    await once(server, "listening");
    this.extraServers.push(server);
    return { port: (server.address() as { port: number }).port, bytesToClient: () => bytes };
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) await this.stop(node);
    for (const socket of this.silentSockets) socket.destroy();
    for (const server of this.extraServers) server.close();
  }
}

/** The node user reads the journal files as the systemd-journal group would. */
function readableByNodeUser(journalDir: string): void {
  execFileSync("chmod", ["-R", "a+rX", journalDir]);
}

export function writeJournal(path: string, exportFile: string): void {
  journalRemote(path, readFileSync(exportFile));
}

/** Writes entries into a journal file with systemd-journal-remote, which appends to a file that exists. */
function journalRemote(path: string, entries: Buffer): void {
  const remote = JOURNAL_REMOTE.find((candidate) => {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  if (!remote)
    throw new Error("systemd-journal-remote is not installed (apt-get install systemd-journal-remote)");
  execFileSync(remote, ["-o", path, "-"], {
    input: entries,
    stdio: ["pipe", "ignore", "pipe"],
  });
}
