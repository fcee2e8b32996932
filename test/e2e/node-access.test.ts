// How oom-doctor reaches a node, against real sshd, the shipped journal wrapper and real sudo: the key
// may run the wrapper only, the wrapper runs journalctl only with read-only arguments, the sudoers
// lines of docs/operations.md allow exactly the wrapper, and host keys are negotiated by the types
// known_hosts holds.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildConfig } from "../../src/config/load.js";
import type { Result } from "../../src/errors.js";
import type { NodeJournalFetch } from "../../src/ports.js";
import { SshJournalSource } from "../../src/ssh/journal-source.js";
import { parseKnownHosts } from "../../src/ssh/known-hosts.js";
import { fixturePath, ROOT } from "../harness/fixtures.js";
import { type FleetNode, SshFleet } from "../harness/ssh-fleet.js";

// The seed incident's kill on k8s-node-04 lies in this window.
const WINDOW = {
  sinceEpoch: Date.parse("2021-07-12T03:50:00Z") / 1000,
  untilEpoch: Date.parse("2021-07-12T04:30:00Z") / 1000,
};
const JOURNAL = fixturePath("cluster", "seed", "journal", "k8s-node-04.export");
// A journald cursor's shape, naming no entry of any journal here.
const CURSOR = "s=0123456789abcdef0123456789abcdef;i=1;b=0123456789abcdef0123456789abcdef;m=0;t=0;x=0";

let dir: string;
let fleet: SshFleet;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "oom-doctor-access-"));
  fleet = new SshFleet(dir);
});
after(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the window from the node as oom-doctor does, trusting only `knownHosts`. */
function fetchWindow(
  node: FleetNode,
  knownHosts = fleet.knownHosts([node.name]),
): Promise<Result<NodeJournalFetch>> {
  const config = buildConfig(
    { ssh: { user: fleet.user, privateKeyPath: fleet.userKeyPath, connectTimeoutSeconds: 5 } },
    {},
    "test",
  );
  assert.ok(config.ok);
  const user = config.value.ssh.user ?? "";
  const source = new SshJournalSource({ ...config.value.ssh, user }, parseKnownHosts(knownHosts));
  return source
    .fetch({ node: node.name, host: node.address, port: node.port }, [WINDOW])
    .finally(() => source.close());
}

function kernelReportIn(fetched: Result<NodeJournalFetch>): boolean {
  assert.ok(fetched.ok, fetched.ok ? "" : fetched.error.message);
  return Buffer.from(fetched.value.windows[0]?.bytes ?? []).includes("invoked oom-killer");
}

/** Runs a command on the node with the OpenSSH client and oom-doctor's key, as anyone holding it could. */
function sshRun(
  node: FleetNode,
  command: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const known = join(dir, `known_hosts-${node.name}`);
  writeFileSync(known, fleet.knownHosts([node.name]));
  const options = ["BatchMode=yes", "StrictHostKeyChecking=yes", `UserKnownHostsFile=${known}`];
  const args = [
    "-n",
    "-T",
    "-i",
    fleet.userKeyPath,
    "-p",
    String(node.port),
    ...options.flatMap((o) => ["-o", o]),
  ];
  return new Promise((resolve) =>
    execFile("ssh", [...args, `${fleet.user}@${node.address}`, ...command], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  );
}

/** Each journal file's name, size and modification time: what vacuuming or rotating would change. */
function journalState(node: FleetNode): string[] {
  return readdirSync(node.journalDir).map((name) => {
    const stat = statSync(join(node.journalDir, name));
    return `${name} ${stat.size} ${stat.mtimeMs}`;
  });
}

describe("the journal wrapper behind a forced command", () => {
  let node: FleetNode;
  before(async () => {
    node = await fleet.addNode("wrapped", "127.0.4.1", [JOURNAL]);
  });

  it("when oom-doctor asks for a window, then the wrapper answers with the kernel's report", async () => {
    assert.ok(kernelReportIn(await fetchWindow(node)));
    const direct = await sshRun(node, [
      "oom-doctor-journal",
      "window",
      String(WINDOW.sinceEpoch),
      String(WINDOW.untilEpoch),
      "10",
      "1048576",
    ]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /invoked oom-killer/);
    assert.match(direct.stderr, /oom-doctor-journalctl-exit:0/);
  });

  it("when oom-doctor asks for kernel entries since a time, then from a cursor, then the wrapper answers with kernel entries only, the cursor's first", async () => {
    const since = await sshRun(node, [
      "oom-doctor-journal",
      "kernel-since",
      String(WINDOW.sinceEpoch),
      "10",
      "1048576",
    ]);
    assert.equal(since.code, 0, since.stderr);
    assert.match(since.stderr, /oom-doctor-journalctl-exit:0/);
    const entries = since.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { _TRANSPORT: string; MESSAGE: string; __CURSOR: string });
    assert.ok(entries.some((entry) => /invoked oom-killer/.test(entry.MESSAGE)));
    assert.ok(entries.every((entry) => entry._TRANSPORT === "kernel"));

    const cursor = entries.at(-2)?.__CURSOR ?? "";
    const from = await sshRun(node, ["oom-doctor-journal", "kernel-from", cursor, "10", "1048576"]);
    assert.equal(from.code, 0, from.stderr);
    assert.deepEqual(
      from.stdout
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { __CURSOR: string }).__CURSOR),
      entries.slice(-2).map((entry) => entry.__CURSOR),
    );
  });

  const refused: Array<[string, string[]]> = [
    ["journalctl --vacuum-time=1s", ["journalctl", "--vacuum-time=1s"]],
    ["journalctl --rotate", ["journalctl", "--rotate"]],
    ["journalctl --flush", ["journalctl", "--flush"]],
    [
      "a window with --vacuum-time appended",
      ["oom-doctor-journal", "window", "1", "2", "10", "100", "--vacuum-time=1s"],
    ],
    ["the wrapper asked to rotate", ["oom-doctor-journal", "--rotate"]],
    ["another program", ["id"]],
    ["a shell", ["/bin/sh", "-c", "id"]],
    ["a command after a semicolon", ["oom-doctor-journal", "oldest", "5;", "id"]],
    ["a command substitution", ["oom-doctor-journal", "oldest", "$(id)"]],
    ["backticks", ["oom-doctor-journal", "oldest", "`id`"]],
    ["a pipe", ["oom-doctor-journal", "oldest", "5", "|", "id"]],
    ["a redirection", ["oom-doctor-journal", "oldest", "5", ">", "/tmp/x"]],
    ["a glob", ["oom-doctor-journal", "window", "*", "2", "10", "100"]],
    ["a timeout out of range", ["oom-doctor-journal", "oldest", "100000"]],
    ["a command after a cursor", ["oom-doctor-journal", "kernel-from", `${CURSOR};id`, "10", "100"]],
    ["a cursor with a field too many", ["oom-doctor-journal", "kernel-from", `${CURSOR};x=1`, "10", "100"]],
    ["a cursor in capitals", ["oom-doctor-journal", "kernel-from", CURSOR.toUpperCase(), "10", "100"]],
    [
      "a cursor with too many digits",
      ["oom-doctor-journal", "kernel-from", CURSOR.replace("i=1", "i=11111111111111111"), "10", "100"],
    ],
    ["a cursor over two lines", ["oom-doctor-journal", "kernel-from", `${CURSOR}\n${CURSOR}`, "10", "100"]],
    ["a cursor that is a substitution", ["oom-doctor-journal", "kernel-from", "$(id)", "10", "100"]],
    ["a cursor that is a glob", ["oom-doctor-journal", "kernel-from", "s=*", "10", "100"]],
    [
      "a cursor with --vacuum-time appended",
      ["oom-doctor-journal", "kernel-from", CURSOR, "10", "100", "--vacuum-time=1s"],
    ],
    ["a cursor where a time belongs", ["oom-doctor-journal", "kernel-since", CURSOR, "10", "100"]],
    ["a cursor in a window", ["oom-doctor-journal", "window", CURSOR, "2", "10", "100"]],
    ["a cursor as a word of its own", ["oom-doctor-journal", "oldest", "10", CURSOR]],
    ["a request that is too long", ["oom-doctor-journal", "kernel-from", CURSOR, "1".repeat(200), "100"]],
    ["an interactive login", []],
  ];
  for (const [what, command] of refused) {
    it(`when the key asks for ${what}, then the wrapper refuses it and the journal is untouched`, async () => {
      const before = journalState(node);
      const run = await sshRun(node, command);
      assert.match(run.stderr, /oom-doctor-journal: refused: /);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.deepEqual(journalState(node), before);
    });
  }
});

describe("the wrapper through sudo, with the sudoers lines of docs/operations.md", () => {
  const sudoersFile = `/etc/sudoers.d/oomdoctor-test-${randomBytes(4).toString("hex")}`;
  let node: FleetNode;

  /** The documented lines for this user and wrapper path, `""` replaced by `args` when given. */
  function documentedSudoers(args?: string): string {
    const documented = readFileSync(join(ROOT, "docs", "operations.md"), "utf8")
      .split("\n")
      .filter((line) => /^(Defaults!|oomdoctor ALL=)\/?.*oom-doctor-journal/.test(line));
    assert.equal(documented.length, 2, "docs/operations.md shows the Defaults! line and the user's line");
    return documented
      .map((line) =>
        line
          .replaceAll("/usr/local/libexec/oom-doctor-journal", fleet.wrapperPath)
          .replace(/^oomdoctor /, `${fleet.user} `)
          .replace(/ ""$/, args === undefined ? ' ""' : ` ${args}`),
      )
      .join("\n")
      .concat("\n");
  }

  function installSudoers(text: string): void {
    writeFileSync(sudoersFile, text, { mode: 0o440 });
    execFileSync("visudo", ["-c", "-q", "-f", sudoersFile]);
  }

  /** Runs a command as the node user on this machine, as someone with a shell as that user could. */
  function asUser(command: string[], env: Record<string, string> = {}): { code: number; stderr: string } {
    try {
      execFileSync(
        "runuser",
        ["-u", fleet.user, "--", "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      return { code: 0, stderr: "" };
    } catch (error) {
      const failed = error as { status: number | null; stderr: Buffer };
      return { code: failed.status ?? -1, stderr: failed.stderr.toString() };
    }
  }

  const allowed = (command: string[]) => asUser(["sudo", "-n", "-l", ...command]).code === 0;

  before(async () => {
    assert.equal(process.getuid?.(), 0, "these tests install a sudoers file: run them as root (CI does)");
    try {
      execFileSync("sudo", ["-V"], { stdio: "ignore" });
    } catch {
      throw new Error("sudo is not installed: apt-get install sudo (.ci/run does)");
    }
    node = await fleet.addNode("sudoed", "127.0.4.2", [JOURNAL]);
    // The journal is root's alone: only the wrapper run as root can read it.
    chmodSync(node.journalDir, 0o700);
  });
  after(() => rmSync(sudoersFile, { force: true }));

  it("when the documented lines are installed, then the user may run the wrapper without arguments as root, and nothing else", () => {
    installSudoers(documentedSudoers());
    assert.equal(allowed([fleet.wrapperPath]), true);
    assert.equal(allowed([fleet.wrapperPath, "--directory=/"]), false, "the wrapper with arguments");
    assert.equal(allowed(["/usr/bin/journalctl", "--vacuum-time=1s"]), false);
    assert.equal(allowed(["/usr/bin/journalctl", "--rotate"]), false);
    assert.equal(
      allowed(["env", "LC_ALL=C", "timeout", "30", "journalctl", "-o", "json"]),
      false,
      "the command of earlier releases",
    );
    assert.equal(allowed(["/bin/sh"]), false);
    // sudo hands the request on: the wrapper, as root, sees it and judges it.
    const refused = asUser(["sudo", "-n", fleet.wrapperPath], {
      SSH_ORIGINAL_COMMAND: "oom-doctor-journal rotate",
    });
    assert.match(refused.stderr, /oom-doctor-journal: refused: unknown request/);
    const vacuum = asUser(["sudo", "-n", "/usr/bin/journalctl", "--vacuum-time=1s"]);
    assert.notEqual(vacuum.code, 0);
    assert.match(vacuum.stderr, /sudo: a password is required/);
  });

  it("when the node forces `sudo -n` and the wrapper, then oom-doctor reads the journal only root may read", async () => {
    installSudoers(documentedSudoers(`--directory=${node.journalDir}`));
    fleet.authorize(node, "restrict", `sudo -n ${node.forcedCommand}`);
    const before = journalState(node);
    assert.ok(kernelReportIn(await fetchWindow(node)));
    assert.deepEqual(journalState(node), before);
    // Without sudo the same wrapper cannot read it: the grant is what made the difference.
    fleet.authorize(node);
    const unprivileged = await fetchWindow(node);
    assert.equal(unprivileged.ok, false);
    assert.match(unprivileged.ok ? "" : unprivileged.error.message, /sudoed: journalctl failed/);
  });
});

describe("host keys", () => {
  let node: FleetNode;
  before(async () => {
    node = await fleet.addNode("three-keys", "127.0.4.3", [JOURNAL], {
      hostKeyTypes: ["ed25519", "ecdsa", "rsa"],
    });
  });
  const only = (line: string | undefined) => `[${node.address}]:${node.port} ${line}\n`;

  it("when known_hosts holds only the node's ECDSA key, then only ECDSA is negotiated and the window is read", async () => {
    assert.ok(kernelReportIn(await fetchWindow(node, only(node.hostKeys.ecdsa))));
  });

  it("when known_hosts holds only the node's RSA key, then it is verified with SHA-2 signatures", async () => {
    assert.ok(kernelReportIn(await fetchWindow(node, only(node.hostKeys.rsa))));
  });

  it("when known_hosts holds an ECDSA key that is not the node's, then the node is still refused", async () => {
    const other = join(dir, "other_ecdsa_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", other]);
    const fetched = await fetchWindow(node, only(readFileSync(`${other}.pub`, "utf8").trim()));
    assert.equal(fetched.ok ? "ok" : fetched.error.kind, "host-key-mismatch");
  });

  it("when known_hosts holds only a key type oom-doctor cannot verify, then the node is never dialled", async () => {
    const connections = (node.log.match(/Connection from/g) ?? []).length;
    const fetched = await fetchWindow(node, only(`ssh-dss ${Buffer.from("a DSA key").toString("base64")}`));
    assert.equal(fetched.ok ? "ok" : fetched.error.kind, "host-key-unknown");
    assert.match(
      fetched.ok ? "" : fetched.error.message,
      /holds no ssh-ed25519, ecdsa-sha2-\* or ssh-rsa key/,
    );
    assert.equal((node.log.match(/Connection from/g) ?? []).length, connections);
  });
});
