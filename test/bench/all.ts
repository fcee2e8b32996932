// `npm run bench`: every benchmark, one after the other (they would disturb each other side by side),
// then docs/benchmarks.md with the machine, the date, and what each printed: its figures as ratios
// against a baseline measured in the same run, and its targets.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "../harness/fixtures.js";

interface Bench {
  script: string;
  title: string;
  baseline: string;
  targets: string;
  /** How to run it alone, and what to keep in mind when reading it. */
  notes?: string;
}

const BENCHES: Bench[] = [
  {
    script: "test/bench/parse.bench.ts",
    title: "Journal parsing",
    baseline: "`grep -c 'Killed process'` over the same generated journals",
    targets: "no target; throughput and memory recorded",
  },
  {
    script: "test/bench/scan.bench.ts",
    title: "Live scan (300 pods, 12 nodes with a real sshd each)",
    baseline: "the operator's sequential loop, and the critical path (one pod list plus the slowest node)",
    targets: "8x faster than the sequential loop; within 1.5x of the critical path",
  },
  {
    script: "test/bench/digest.bench.ts",
    title: "Cluster-wide digest (10,000 pods, 200 namespaces)",
    baseline: "one bare paginated listing of the same pods with the same client",
    targets: "within 2x of the floor; under 300 MB peak RSS",
  },
  {
    script: "test/bench/ack.bench.ts",
    title: "Ack latency (200 signed /oom, 50 at a time)",
    baseline: "a bare Bolt app that only acknowledges",
    targets: "p99 under 1.5x the bare app, far below Slack's 3 s",
  },
  {
    script: "test/bench/e2e.bench.ts",
    title: "End to end (/oom on the scan's cluster, to the finished report in Slack)",
    baseline: "`oom-doctor scan` on the same cluster, and the operator's sequential loop",
    targets: "faster than the sequential loop; the queue and Slack add at most a quarter to the scan",
  },
  {
    script: "test/bench/alerts.bench.ts",
    title: "Live alerts (50 kills to their alerts; sweeps of a node's hour of journal)",
    baseline:
      "a bare @kubernetes/client-node Watch's event for the same kills on the same API server; plain `journalctl -o json` over the same journal files, locally",
    targets:
      "every kill in its channel, investigated, within 5 s plus the journal fetch; sweeps: no target, cost recorded",
    notes: [
      "`npm run bench:alerts` runs it alone (about 90 s with the build; `BENCH_KILLS` sets the number of kills,",
      "50 by default, at most 95). The built `oom-doctor all` runs as a process on the real Redis; the fake API",
      "server and the fake Slack run in the bench's process. Each kill is written once the previous one's report",
      "is in its thread, so each is timed on an otherwise idle bot. The alert's latency includes",
      "`alerts.batchSeconds` (1 s, the default), the wait that lets a storm become one message: the ratio to the",
      "bare watch is mostly that second, and it moves with the watch's own 1 to 2 ms from run to run. With 50",
      "kills, p99 is the slowest one. Sweeps read one node on loopback, opening an SSH connection each, which is",
      "about what a five-minute sweep costs here; across a real network each sweep adds its round trips. The",
      "bench, the bot, Redis and sshd share the machine's cores.",
    ].join("\n"),
  },
  {
    script: "test/bench/history.bench.ts",
    title:
      "Memory history (the scan's cluster as 30 Deployments; a week of every pod's memory in a real Prometheus)",
    baseline:
      "the same `oom-doctor scan` without prometheus.url; for the prediction, generated leaks whose real kills are known",
    targets: "the report with history within 1.3x of the report without it; the prediction's error recorded",
    notes: [
      "`npm run bench:history` runs it alone (about 45 s with the build, most of it promtool making the blocks).",
      "The 40 killed pods are the replicas of four Deployments (two leak, one spikes, one sits at its limit);",
      "the scan reads each of them with two range queries over the week at a minute's step, and the bench checks",
      "that every finding has its whole history and the generated pattern before it trusts the times. Prometheus,",
      "the scan and the nodes' sshd share the machine's cores: the line on Prometheus alone shows how much of",
      "what history adds is the server answering (it returns every scrape of the week). The prediction's error is",
      "the backtest's (test/bench/history-backtest.ts): leaks of 1 to 40 % of the limit an hour, asked for 20 to",
      "80 % of the way to their next kill.",
    ].join("\n"),
  },
];

const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const sections: string[] = [];
let failed = false;
for (const bench of BENCHES) {
  process.stdout.write(`\n== ${bench.title}\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", bench.script], { cwd: ROOT, encoding: "utf8" });
  process.stdout.write(run.stdout);
  if (run.status !== 0) {
    failed = true;
    process.stderr.write(run.stderr);
  }
  const output =
    run.status === 0
      ? run.stdout.trim()
      : `failed (exit ${run.status}): ${run.stderr.trim().split("\n").at(-1)}`;
  sections.push(
    [
      `## ${bench.title}`,
      "",
      `Baseline, measured in the same run: ${bench.baseline}. Targets: ${bench.targets}.`,
      "",
      ...(bench.notes ? [bench.notes, ""] : []),
      "```text",
      output,
      "```",
    ].join("\n"),
  );
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
writeFileSync(
  join(ROOT, "docs", "benchmarks.md"),
  [
    "# Benchmarks",
    "",
    "Written by `npm run bench`. Each figure is a ratio against a baseline measured in the same run on the",
    "same machine, so that the machine's own speed and load cancel out; absolute times are for context.",
    "",
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node.js ${process.version}, ${process.platform}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    "",
    ...sections.flatMap((section) => [section, ""]),
  ].join("\n"),
);
process.stdout.write("\nwrote docs/benchmarks.md\n");
process.exitCode = failed ? 1 : 0;
