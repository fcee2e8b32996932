// Sweeps of nodes' new kernel messages against real sshd, the shipped wrapper and real journals that grow
// while the test runs (systemd-journal-remote appending): each sweep reads from the journald cursor the
// last one stopped at, and nothing is lost or read twice when an answer is cut, a node is down, or the
// journal moves on to a new file or loses the cursor's entry to rotation.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KernelSweep } from "../../src/alerts/ports.js";
import { buildConfig } from "../../src/config/load.js";
import type { Result } from "../../src/errors.js";
import { SshKernelSweep } from "../../src/ssh/kernel-sweep.js";
import { parseKnownHosts } from "../../src/ssh/known-hosts.js";
import { fixturePath } from "../harness/fixtures.js";
import { type Boot, exportEntry } from "../harness/journal-export.js";
import { type FleetNode, SshFleet } from "../harness/ssh-fleet.js";

// The seed's k8s-node-04: kubelet lines from 04:05 to 04:11, the kernel's OOM report at 04:11:16.
const SEED_JOURNAL = fixturePath("cluster", "seed", "journal", "k8s-node-04.export");
const SEED_BOOT: Boot = { id: "1f0e2d3c4b5a69788796a5b4c3d2e104", startMicros: 1_625_700_000_000_000 };
const BEFORE_THE_KILL = Date.parse("2021-07-12T04:10:00Z") / 1000;
const AFTER_THE_SEED = Date.parse("2021-07-12T05:00:00Z") / 1000;

interface Entry {
  message: string;
  transport: string;
  cursor: string;
}

let dir: string;
let fleet: SshFleet;
// Appended entries are one second apart, after the seed's, in the order they are written.
let nextMicros = AFTER_THE_SEED * 1_000_000;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "oom-doctor-sweep-"));
  fleet = new SshFleet(dir);
});
after(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One sweep as a sweep job makes it, trusting only the node's known_hosts line. */
async function sweep(
  node: FleetNode,
  from: { cursor: string } | { sinceEpoch: number },
  maxOutputBytes?: number,
): Promise<Result<KernelSweep>> {
  const ssh = { user: fleet.user, privateKeyPath: fleet.userKeyPath, connectTimeoutSeconds: 5 };
  const config = buildConfig({ ssh: maxOutputBytes ? { ...ssh, maxOutputBytes } : ssh }, {}, "test");
  assert.ok(config.ok, config.ok ? "" : config.error.message);
  const source = new SshKernelSweep(
    { ...config.value.ssh, user: fleet.user },
    parseKnownHosts(fleet.knownHosts([node.name])),
  );
  try {
    return await source.sweep({ node: node.name, host: node.address, port: node.port }, from);
  } finally {
    await source.close();
  }
}

function swept(result: Result<KernelSweep>): KernelSweep {
  assert.ok(result.ok, result.ok ? "" : `${result.error.kind}: ${result.error.message}`);
  return result.value;
}

/** The entries of `journalctl -o json` output, every line whole. */
function jsonLines(bytes: Uint8Array): Array<Record<string, unknown>> {
  const text = Buffer.from(bytes).toString("utf8");
  if (text === "") return [];
  assert.ok(text.endsWith("\n"), "whole lines only");
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function entriesOf(result: KernelSweep): Entry[] {
  return jsonLines(result.bytes).map((entry) => ({
    message: String(entry.MESSAGE),
    transport: String(entry._TRANSPORT),
    cursor: String(entry.__CURSOR),
  }));
}

/** A sweep with its byte count in place of its bytes. */
const shapeOf = (result: KernelSweep) => ({ ...result, bytes: result.bytes.length });

const messagesOf = (result: KernelSweep) => entriesOf(result).map((entry) => entry.message);

/** The kernel messages of an export file at or after `sinceEpoch`, in the journal's order. */
function kernelMessagesIn(exportFile: string, sinceEpoch: number): string[] {
  return readFileSync(exportFile, "utf8")
    .split("\n\n")
    .map((block) => Object.fromEntries(block.split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2))))
    .filter(
      (fields) =>
        fields._TRANSPORT === "kernel" && Number(fields.__REALTIME_TIMESTAMP) >= sinceEpoch * 1_000_000,
    )
    .map((fields) => String(fields.MESSAGE));
}

/**
 * Appends to the node's journal, while it runs, a kernel line per message, each after a line of kubelet
 * chatter that no sweep may return.
 */
function writeKernel(node: FleetNode, messages: string[], file?: string): void {
  const entries = messages.flatMap((message) => {
    const micros = nextMicros;
    nextMicros += 1_000_000;
    return [
      exportEntry(node.name, micros, `kubelet: syncing pods before ${message}`, false, SEED_BOOT),
      exportEntry(node.name, micros + 1, message, true, SEED_BOOT),
    ];
  });
  fleet.appendJournal(node, entries.join(""), file);
}

const numbered = (what: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${what} ${index + 1}`);

describe("sweeping a node's kernel messages from cursor to cursor", () => {
  let node: FleetNode;
  let cursor: string;
  before(async () => {
    node = await fleet.addNode("k8s-node-04", "127.0.7.1", [SEED_JOURNAL]);
  });

  it("when a node is swept for the first time, then its kernel messages since that time come, kubelet's do not, and the cursor is the last one's", async () => {
    const first = swept(await sweep(node, { sinceEpoch: BEFORE_THE_KILL }));
    const entries = entriesOf(first);
    assert.deepEqual(
      entries.map((entry) => entry.message),
      kernelMessagesIn(SEED_JOURNAL, BEFORE_THE_KILL),
    );
    assert.equal(entries.length, 41);
    assert.ok(entries.every((entry) => entry.transport === "kernel"));
    assert.match(entries[0]?.message ?? "", /invoked oom-killer/);
    assert.equal(first.cursor, entries.at(-1)?.cursor);
    assert.equal(first.truncated, false);
    assert.equal(first.rotated, false);
    cursor = first.cursor ?? "";
  });

  it("when the journal grew, then the next sweep returns only the new kernel messages, and its bytes are what it read", async () => {
    writeKernel(node, numbered("Memory cgroup out of memory: Killed process", 3));
    const next = swept(await sweep(node, { cursor }));
    assert.deepEqual(messagesOf(next), numbered("Memory cgroup out of memory: Killed process", 3));
    // What journalctl prints for those entries, as many bytes (the fields' order varies from run to
    // run): what a metric of sweep bytes counts.
    const printed = execFileSync("journalctl", [
      `--directory=${node.journalDir}`,
      ...["-o", "json", "-q", "--after-cursor", cursor, "_TRANSPORT=kernel"],
    ]);
    assert.deepEqual(jsonLines(next.bytes), jsonLines(printed));
    assert.equal(next.bytes.length, printed.length);
    assert.notEqual(next.cursor, cursor);
    assert.equal(next.cursor, entriesOf(next).at(-1)?.cursor);
    assert.deepEqual([next.truncated, next.rotated], [false, false]);
    cursor = next.cursor ?? "";
  });

  it("when nothing new was written, then the sweep is empty and gives the cursor back unchanged", async () => {
    const quiet = swept(await sweep(node, { cursor }));
    assert.deepEqual(shapeOf(quiet), { bytes: 0, cursor, truncated: false, rotated: false });
  });

  it("when the journal continues in a new file of the same directory, then the cursor leads into it", async () => {
    writeKernel(node, ["in the new file 1", "in the new file 2"], "part1.journal");
    const next = swept(await sweep(node, { cursor }));
    assert.deepEqual(messagesOf(next), ["in the new file 1", "in the new file 2"]);
    assert.equal(next.rotated, false);
    cursor = next.cursor ?? "";
  });

  it("when a node has no kernel message since the time of its first sweep, then the cursor stays null", async () => {
    const first = swept(await sweep(node, { sinceEpoch: nextMicros / 1_000_000 }));
    assert.deepEqual(shapeOf(first), { bytes: 0, cursor: null, truncated: false, rotated: false });
  });
});

describe("sweeps cut by the byte cap", () => {
  let node: FleetNode;
  before(async () => {
    node = await fleet.addNode("k8s-node-cut", "127.0.7.2", [SEED_JOURNAL]);
  });

  it("when the answer passes the cap mid-line, then the sweep ends at the last whole line and the next resumes there, losing and repeating nothing", async () => {
    const start = swept(await sweep(node, { sinceEpoch: BEFORE_THE_KILL })).cursor ?? "";
    const written = numbered("oom-kill: constraint=CONSTRAINT_MEMCG, task=gunicorn, pid", 12);
    writeKernel(node, written);
    // The answer of one uncut sweep, to compare the cut ones with byte for byte.
    const whole = swept(await sweep(node, { cursor: start }));
    assert.deepEqual(messagesOf(whole), written);

    const CAP = 2048;
    const sweeps: KernelSweep[] = [];
    let cursor = start;
    for (;;) {
      const next = swept(await sweep(node, { cursor }, CAP));
      sweeps.push(next);
      assert.ok(next.bytes.length <= CAP);
      assert.notEqual(next.cursor, null);
      cursor = next.cursor ?? "";
      if (!next.truncated) break;
      assert.ok(next.bytes.length > 0, "a cut sweep still moves on");
      assert.ok(sweeps.length < written.length + 2, "the sweeps come to an end");
    }
    assert.ok(sweeps.length >= 3, `${sweeps.length} sweeps: the cap cut the answer`);
    assert.deepEqual(
      sweeps.flatMap((cut) => messagesOf(cut)),
      written,
    );
    const bytes = Buffer.concat(sweeps.map((cut) => Buffer.from(cut.bytes)));
    assert.deepEqual(jsonLines(bytes), jsonLines(whole.bytes));
    assert.equal(bytes.length, whole.bytes.length);
    assert.equal(cursor, whole.cursor);
  });
});

describe("a node that cannot be reached during a sweep", () => {
  let node: FleetNode;
  before(async () => {
    node = await fleet.addNode("k8s-node-down", "127.0.7.3", [SEED_JOURNAL]);
  });

  it("when sshd is down, then the sweep fails as node-unreachable, and the next sweep from the same cursor reads what was written meanwhile", async () => {
    const cursor = swept(await sweep(node, { sinceEpoch: BEFORE_THE_KILL })).cursor ?? "";
    await fleet.stop(node);
    writeKernel(node, ["written while unreachable"]);
    const down = await sweep(node, { cursor });
    assert.equal(down.ok ? "ok" : down.error.kind, "node-unreachable");

    await fleet.start(node);
    writeKernel(node, ["written once back"]);
    const back = swept(await sweep(node, { cursor }));
    assert.deepEqual(messagesOf(back), ["written while unreachable", "written once back"]);
  });
});

describe("cursors the journal no longer holds", () => {
  it("when the file holding the cursor's entry was vacuumed away, then the sweep says so and starts at the next entry left, losing none of them", async () => {
    const node = await fleet.addNode("k8s-node-vacuumed", "127.0.7.4", [SEED_JOURNAL]);
    const cursor = swept(await sweep(node, { sinceEpoch: BEFORE_THE_KILL })).cursor ?? "";
    writeKernel(node, ["after the rotation 1", "after the rotation 2"], "part1.journal");
    // Vacuuming deletes the oldest files whole: here the seed's, which holds the cursor's entry.
    rmSync(join(node.journalDir, "part0.journal"));
    const next = swept(await sweep(node, { cursor }));
    assert.equal(next.rotated, true);
    assert.deepEqual(messagesOf(next), ["after the rotation 1", "after the rotation 2"]);
    assert.equal(next.cursor, entriesOf(next).at(-1)?.cursor);

    // From the new cursor on, sweeps are ordinary again.
    writeKernel(node, ["after the rotation 3"], "part1.journal");
    const then = swept(await sweep(node, { cursor: next.cursor ?? "" }));
    assert.deepEqual([messagesOf(then), then.rotated], [["after the rotation 3"], false]);
  });

  it("when the cursor is another journal's (the node was reinstalled), then the sweep says so and returns the entries after the cursor's time", async () => {
    const node = await fleet.addNode("k8s-node-reinstalled", "127.0.7.5", []);
    const previous = await fleet.addNode("k8s-node-previous", "127.0.7.6", []);
    writeKernel(node, ["older than the cursor"]);
    writeKernel(previous, ["the cursor's entry"]);
    const theirs = swept(await sweep(previous, { sinceEpoch: AFTER_THE_SEED })).cursor ?? "";
    writeKernel(node, ["newer than the cursor"]);
    const next = swept(await sweep(node, { cursor: theirs }));
    assert.equal(next.rotated, true);
    assert.deepEqual(messagesOf(next), ["newer than the cursor"]);
  });

  it("when the cursor's entry is gone and nothing came after it, then the sweep is empty, says so, and keeps the cursor", async () => {
    const node = await fleet.addNode("k8s-node-quiet", "127.0.7.7", [SEED_JOURNAL]);
    writeKernel(node, ["the cursor's entry"], "part1.journal");
    const cursor = swept(await sweep(node, { sinceEpoch: AFTER_THE_SEED })).cursor ?? "";
    rmSync(join(node.journalDir, "part1.journal"));
    const next = swept(await sweep(node, { cursor }));
    assert.deepEqual(shapeOf(next), { bytes: 0, cursor, truncated: false, rotated: true });
  });
});

describe("cursors oom-doctor will not send", () => {
  let node: FleetNode;
  before(async () => {
    node = await fleet.addNode("k8s-node-guarded", "127.0.7.8", [SEED_JOURNAL]);
  });

  it("when a stored cursor is not a journald cursor, then the sweep fails without asking the node", async () => {
    const before = fleet.commandsRun(node.name);
    const cursor = "s=0123456789abcdef0123456789abcdef;i=1;b=0123456789abcdef0123456789abcdef;m=0;t=0;x=0";
    for (const stored of [`${cursor} 1 1; id`, `${cursor};x=1`, cursor.toUpperCase(), "", "$(id)"]) {
      const refused = await sweep(node, { cursor: stored });
      assert.equal(refused.ok ? "ok" : refused.error.kind, "invalid-journal", stored);
    }
    assert.equal(fleet.commandsRun(node.name), before);
  });
});
