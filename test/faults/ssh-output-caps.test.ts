// Nodes that send far more than asked (a broken or hostile journal command: one sent 400 MiB and took
// the client to 2 GiB), against real sshd. What the client received is counted on the wire by a relay
// in front of the node, so the bound holds whatever the client keeps, and nothing depends on timing.

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { JournalWindow } from "../../src/analysis/windows.js";
import { buildConfig } from "../../src/config/load.js";
import { SshJournalSource } from "../../src/ssh/journal-source.js";
import { parseKnownHosts } from "../../src/ssh/known-hosts.js";
import { type FleetNode, SshFleet } from "../harness/ssh-fleet.js";

const MiB = 2 ** 20;
// What the stand-in sends: 64 times the window cap used below.
const FLOOD_BYTES = 64 * MiB;
// SSH flow control: after the client closes the channel, the node may still send what the channel's
// window allowed (ssh2 grants 2 MiB), plus packet framing.
const IN_FLIGHT = 3 * MiB;
// One window's cap, with room to spare in the investigation's.
const WINDOW_CAPS = { maxOutputBytes: 1 * MiB, maxJobOutputBytes: 64 * MiB };
const KERNEL_LINE = '{"_TRANSPORT":"kernel","MESSAGE":"a journal that never ends"}';

const windows = (count: number): JournalWindow[] =>
  Array.from({ length: count }, (_, index) => ({
    sinceEpoch: 1_700_000_000 + index * 3600,
    untilEpoch: 1_700_000_900 + index * 3600,
  }));

let dir: string;
let fleet: SshFleet;
let node: FleetNode;

/** A journalctl stand-in that ignores the request and its byte cap, writing `stream` without end. */
function floodScript(name: string, stream: "stdout" | "stderr"): string {
  const path = join(dir, name);
  const redirect = stream === "stderr" ? " >&2" : "";
  writeFileSync(path, `#!/bin/sh\nyes '${KERNEL_LINE}' | head -c ${FLOOD_BYTES}${redirect}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Reads `count` windows through a metering relay with these caps; the bytes received come back too. */
async function readThroughMeter(count: number, caps: { maxOutputBytes: number; maxJobOutputBytes: number }) {
  const meter = await fleet.meter(node);
  const config = buildConfig(
    {
      ssh: {
        user: fleet.user,
        privateKeyPath: fleet.userKeyPath,
        connectTimeoutSeconds: 5,
        commandTimeoutSeconds: 60,
        ...caps,
      },
    },
    {},
    "test",
  );
  assert.ok(config.ok, config.ok ? "" : config.error.message);
  const known = parseKnownHosts(`[${node.address}]:${meter.port} ${node.hostKey}\n`);
  const source = new SshJournalSource({ ...config.value.ssh, user: fleet.user }, known);
  const commandsBefore = fleet.commandsRun(node.name);
  const fetched = await source.fetch(
    { node: node.name, host: node.address, port: meter.port },
    windows(count),
  );
  await source.close();
  assert.ok(fetched.ok, fetched.ok ? "" : fetched.error.message);
  return {
    windows: fetched.value.windows,
    received: meter.bytesToClient(),
    commands: fleet.commandsRun(node.name) - commandsBefore,
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "oom-doctor-flood-"));
  fleet = new SshFleet(dir);
  node = await fleet.addNode("k8s-node-flood", "127.0.5.1", []);
});
after(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a node that floods stdout", () => {
  before(() => fleet.authorize(node, "restrict", floodScript("flood-stdout", "stdout")));

  it("when the answer passes the window's cap, then the channel is closed there, the window is cut, and little more was received", async () => {
    const { windows, received } = await readThroughMeter(1, WINDOW_CAPS);
    assert.equal(windows[0]?.truncated, true);
    assert.equal(windows[0]?.bytes.length, 1 * MiB);
    assert.ok(received < 1 * MiB + IN_FLIGHT, `received ${received} bytes`);
  });

  it("when several windows pass the investigation's cap, then later windows are cut or never asked for", async () => {
    const {
      windows: read,
      received,
      commands,
    } = await readThroughMeter(3, {
      maxOutputBytes: 1 * MiB,
      maxJobOutputBytes: 1.5 * MiB,
    });
    assert.deepEqual(
      read.map((window) => [window.bytes.length, window.truncated]),
      [
        [1 * MiB, true],
        [0.5 * MiB, true],
        [0, true],
      ],
    );
    assert.equal(commands, 2, "the third window is not asked for");
    assert.ok(received < 1.5 * MiB + 2 * IN_FLIGHT, `received ${received} bytes`);
  });
});

describe("a node that floods stderr", () => {
  before(() => fleet.authorize(node, "restrict", floodScript("flood-stderr", "stderr")));

  it("when stderr passes its cap, then the channel is closed and the window is marked cut", async () => {
    const { windows, received } = await readThroughMeter(1, WINDOW_CAPS);
    assert.equal(windows[0]?.truncated, true);
    assert.equal(windows[0]?.bytes.length, 0);
    assert.ok(received < IN_FLIGHT, `received ${received} bytes`);
  });
});
