// Sweep cost: one node with a real sshd, the shipped wrapper and a real journal (systemd-journal-remote)
// holding an hour of a busy node's messages, swept by SshKernelSweep as the sweep job sweeps it: the
// whole hour in one sweep (as after an hour the node could not be read), then, as the journal grows
// five minutes at a time, from cursor to cursor (the sweeps of every hour after). Each sweep is timed
// with the parse of what it read for OOM reports; in the same run, plain `journalctl -o json` reads the
// same entries of the same files locally.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelSweep } from "../../src/alerts/ports.js";
import { parseJournal } from "../../src/analysis/parse-journal.js";
import { buildConfig } from "../../src/config/load.js";
import { SshKernelSweep } from "../../src/ssh/kernel-sweep.js";
import { parseKnownHosts } from "../../src/ssh/known-hosts.js";
import type { Boot } from "../harness/journal-export.js";
import { type FleetNode, SshFleet } from "../harness/ssh-fleet.js";
import { median } from "./bench-cluster.js";
import { busyNodeSpan } from "./journal-generator.js";

const NODE = "sweep-node";
const HOUR_SECONDS = 3600;
/** `alerts.sweepMinutes`' default: how much journal each sweep after the first finds. */
export const SWEEP_MINUTES = 5;
const SLICE_SECONDS = SWEEP_MINUTES * 60;
const RUNS = 5;

export interface SweepFigures {
  /** Sweeps made: one for the hour, or one per slice. */
  sweeps: number;
  /** The sweeps' seconds, each the median of RUNS: the read over SSH and the parse. */
  sweepSeconds: number;
  parseSeconds: number;
  /** Plain `journalctl -o json` over the same entries, locally. */
  localSeconds: number;
  /** What the sweeps read: the kernel entries as JSON lines. */
  bytes: number;
  kernelEntries: number;
  reports: number;
}

export interface SweepCost {
  /** The whole hour in one sweep, since its start. */
  firstHour: SweepFigures;
  /** The next hour, swept every SLICE_SECONDS from the last cursor. */
  nextHour: SweepFigures;
  /** A sweep that finds nothing new: what every sweep costs (the connection, the wrapper, journalctl). */
  emptySweepSeconds: number;
  /** Lines of other units the journal holds per hour, which the sweeps leave on the node. */
  chatterPerHour: number;
}

function seconds<T>(work: () => T): { seconds: number; value: T } {
  const started = process.hrtime.bigint();
  const value = work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

async function secondsOf<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

/** A sweep as the sweep job makes it: a reader of its own, trusting only the node's known_hosts line. */
function sweeper(fleet: SshFleet, node: FleetNode) {
  const config = buildConfig(
    { ssh: { user: fleet.user, privateKeyPath: fleet.userKeyPath, connectTimeoutSeconds: 5 } },
    {},
    "bench",
  );
  if (!config.ok) throw new Error(config.error.message);
  const login = { ...config.value.ssh, user: fleet.user };
  const hosts = parseKnownHosts(fleet.knownHosts([node.name]));
  const target = { node: node.name, host: node.address, port: node.port };
  return async (from: { cursor: string } | { sinceEpoch: number }) => {
    const source = new SshKernelSweep(login, hosts);
    try {
      const read = await secondsOf(() => source.sweep(target, from));
      if (!read.value.ok) throw new Error(`${read.value.error.kind}: ${read.value.error.message}`);
      const swept: KernelSweep = read.value.value;
      if (swept.truncated || swept.rotated) throw new Error("the sweep was cut or lost its cursor");
      const parse = seconds(() => parseJournal(swept.bytes, node.name).events.length);
      return { sweep: swept, readSeconds: read.seconds, parseSeconds: parse.seconds, reports: parse.value };
    } finally {
      await source.close();
    }
  };
}

/** Plain journalctl on this machine over the node's journal files: the kernel entries `selection` picks. */
function localRead(node: FleetNode, selection: string[]): { seconds: number; bytes: number } {
  const read = seconds(() =>
    execFileSync(
      "journalctl",
      [`--directory=${node.journalDir}`, "-o", "json", "--no-pager", "-q", ...selection, "_TRANSPORT=kernel"],
      { maxBuffer: 256 * 2 ** 20 },
    ),
  );
  return { seconds: read.seconds, bytes: read.value.length };
}

/** The same sweep RUNS times (nothing is written meanwhile): the medians, and what it read. */
async function timedSweep(
  sweep: ReturnType<typeof sweeper>,
  node: FleetNode,
  from: { cursor: string } | { sinceEpoch: number },
) {
  const runs = [];
  const local = [];
  for (let run = 0; run < RUNS; run++) {
    runs.push(await sweep(from));
    local.push(
      localRead(
        node,
        "cursor" in from ? ["--after-cursor", from.cursor] : ["--since", `@${from.sinceEpoch}`],
      ),
    );
  }
  const first = runs[0];
  if (!first) throw new Error("no sweep");
  if (local[0]?.bytes !== first.sweep.bytes.length)
    throw new Error(`the sweep read ${first.sweep.bytes.length} bytes, journalctl ${local[0]?.bytes}`);
  return {
    sweep: first.sweep,
    reports: first.reports,
    sweepSeconds: median(runs.map((run) => run.readSeconds + run.parseSeconds)),
    parseSeconds: median(runs.map((run) => run.parseSeconds)),
    localSeconds: median(local.map((each) => each.seconds)),
  };
}

export async function measureSweepCost(): Promise<SweepCost> {
  const dir = mkdtempSync(join(tmpdir(), "oom-doctor-bench-sweep-"));
  const fleet = new SshFleet(dir);
  try {
    // Two hours ago, so that every entry written is in the past.
    const hourStart = Math.floor(Date.now() / 1000) - 2 * HOUR_SECONDS;
    const boot: Boot = { id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", startMicros: (hourStart - 86_400) * 1e6 };
    const span = (startSecond: number, length: number) =>
      busyNodeSpan(NODE, boot, startSecond * 1_000_000, length);
    const hour = span(hourStart, HOUR_SECONDS);
    const exportFile = join(dir, "hour.export");
    writeFileSync(exportFile, hour.entries);
    const node = await fleet.addNode(NODE, "127.0.9.1", [exportFile]);
    const sweep = sweeper(fleet, node);

    const first = await timedSweep(sweep, node, { sinceEpoch: hourStart });
    const lines = first.sweep.bytes.filter((byte) => byte === 0x0a).length;
    if (lines !== hour.kernelEntries || first.reports !== hour.reports)
      throw new Error(
        `swept ${lines} entries, ${first.reports} reports of ${hour.kernelEntries}, ${hour.reports}`,
      );
    const firstHour: SweepFigures = {
      sweeps: 1,
      sweepSeconds: first.sweepSeconds,
      parseSeconds: first.parseSeconds,
      localSeconds: first.localSeconds,
      bytes: first.sweep.bytes.length,
      kernelEntries: hour.kernelEntries,
      reports: hour.reports,
    };

    const nextHour: SweepFigures = {
      sweeps: 0,
      sweepSeconds: 0,
      parseSeconds: 0,
      localSeconds: 0,
      bytes: 0,
      kernelEntries: 0,
      reports: 0,
    };
    let cursor = first.sweep.cursor;
    for (let start = HOUR_SECONDS; start < 2 * HOUR_SECONDS; start += SLICE_SECONDS) {
      if (cursor === null) throw new Error("no cursor to sweep from");
      const slice = span(hourStart + start, SLICE_SECONDS);
      fleet.appendJournal(node, slice.entries);
      const next = await timedSweep(sweep, node, { cursor });
      if (next.reports !== slice.reports) throw new Error(`${next.reports} reports of ${slice.reports}`);
      nextHour.sweeps += 1;
      nextHour.sweepSeconds += next.sweepSeconds;
      nextHour.parseSeconds += next.parseSeconds;
      nextHour.localSeconds += next.localSeconds;
      nextHour.bytes += next.sweep.bytes.length;
      nextHour.kernelEntries += slice.kernelEntries;
      nextHour.reports += slice.reports;
      cursor = next.sweep.cursor;
    }
    if (cursor === null) throw new Error("no cursor to sweep from");
    const empty = await timedSweep(sweep, node, { cursor });
    return {
      firstHour,
      nextHour,
      emptySweepSeconds: empty.sweepSeconds,
      chatterPerHour: hour.chatterEntries,
    };
  } finally {
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
