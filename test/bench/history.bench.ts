// `npm run bench:history`: what memory history costs a report, and how far its predictions are off.
// The scan bench's cluster (300 pods, 40 OOM-killed, 12 nodes with a real sshd each) laid out as 30
// Deployments of 10 pods, the killed ones the replicas of four of them, and a real Prometheus holding a
// week of every pod's memory at a minute's scrape. Times `oom-doctor scan` with prometheus.url against
// the same scan without it, in the same run, and reports the scan's peak RSS; then the backtest of the
// next-kill prediction on generated leaks whose real kills are known (test/bench/history-backtest.ts).

import { execFileSync } from "node:child_process";
import type { HistorySummary } from "../../src/history/model.js";
import { OwnPrometheus } from "../harness/prometheus.js";
import { buildCluster, type ClusterLayout, KILLED, median, NODES, PODS, timedScan } from "./bench-cluster.js";
import { expectedPattern, writeBenchHistory } from "./bench-history.js";
import { backtest } from "./history-backtest.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LAYOUT: ClusterLayout = { podsPerDeployment: 10 };
const DAYS = 7;

interface Finding {
  pod: string;
  workload: { kind: string; name: string };
  history: HistorySummary | null;
}

const scratch = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
const { cluster, killed } = await buildCluster(scratch, LAYOUT);
// An hour after the last kill: every killed container has restarted, and the leaks climb again.
const nowMs = Math.max(...killed.map((pod) => pod.finishedMs)) + 3_600_000;
let samples = 0;
const started = process.hrtime.bigint();
const prometheus = await OwnPrometheus.startFrom(
  (input) => {
    samples = writeBenchHistory(input, LAYOUT, killed, nowMs, DAYS).samples;
  },
  // Scrapes a minute apart: each step of a query sees the latest, and a container's series ends a
  // minute after its last scrape, as staleness markers end it in a Prometheus that scraped it.
  { lookbackDelta: "1m" },
);
const setupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
try {
  const plain = cluster.writeConfig({ concurrency: NODES }, {}, "plain.yaml");
  const withHistory = cluster.writeConfig(
    { concurrency: NODES },
    { prometheus: { url: prometheus.url }, history: { days: DAYS } },
    "history.yaml",
  );
  process.env.BENCH_NOW_MS = String(nowMs);

  const without = { warm: [] as number[], wall: [] as number[], rss: 0 };
  const withIt = { warm: [] as number[], wall: [] as number[], rss: 0 };
  let findings: Finding[] = [];
  // One of each in turn, so that both meet the machine in the same state.
  for (let i = 0; i < RUNS; i++) {
    for (const [config, into] of [
      [plain, without],
      [withHistory, withIt],
    ] as const) {
      const scan = await timedScan(config);
      into.warm.push(scan.warmSeconds);
      into.wall.push(scan.wallSeconds);
      into.rss = Math.max(into.rss, scan.peakRssMb);
      if (config === withHistory) findings = (JSON.parse(scan.stdout) as { findings: Finding[] }).findings;
    }
  }

  // The history must be whole and right, or the timing means nothing.
  if (findings.length !== KILLED)
    throw new Error(`scan reported ${findings.length} findings, expected ${KILLED}`);
  for (const finding of findings) {
    const history = finding.history;
    if (history === null || history.problems.length > 0 || history.workingSet === null)
      throw new Error(`${finding.pod}: history incomplete: ${history?.problems.join("; ") ?? "none"}`);
    const expected = expectedPattern(finding.workload.name);
    if (history.pattern.pattern !== expected)
      throw new Error(`${finding.pod}: pattern ${history.pattern.pattern}, expected ${expected}`);
  }
  const workloads = new Set(findings.map((finding) => finding.workload.name)).size;
  const predicted = new Set(
    findings.filter((finding) => finding.history?.pattern.prediction).map((finding) => finding.workload.name),
  ).size;
  const points = findings[0]?.history?.queries[0];
  const detail = findings[0]?.history?.queries[1];

  // The server's share: the same queries, one after another, straight to Prometheus.
  const queries = new Map(
    findings
      .flatMap((finding) => finding.history?.queries ?? [])
      .map((query) => [JSON.stringify(query), query]),
  );
  const serverStarted = process.hrtime.bigint();
  for (const query of queries.values()) {
    const answer = await fetch(`${prometheus.url}/api/v1/query_range`, {
      method: "POST",
      body: new URLSearchParams({
        query: query.query,
        start: String(Date.parse(query.start) / 1000),
        end: String(Date.parse(query.end) / 1000),
        step: String(query.stepSeconds),
      }),
    });
    await answer.arrayBuffer();
  }
  const serverSeconds = Number(process.hrtime.bigint() - serverStarted) / 1e9;

  const errors = backtest();
  const result = {
    ratioToNoHistory: Number((median(withIt.warm) / median(without.warm)).toFixed(2)),
    predictionErrorMinutes: Number(errors.all.medianMinutes.toFixed(1)),
    peakRssMb: Number(withIt.rss.toFixed(1)),
  };
  process.stdout.write(
    `cluster: ${PODS} pods in ${PODS / (LAYOUT.podsPerDeployment ?? PODS)} Deployments, ${KILLED} OOM-killed in ${workloads} of them, ${NODES} nodes (one sshd each)\n` +
      `Prometheus: ${(samples / 1e6).toFixed(1)} million samples (working set and RSS of every pod, one a minute over ${DAYS} days), loaded in ${setupSeconds.toFixed(1)} s; each workload read with ${findings[0]?.history?.queries.length} range queries: the working set's peaks ${points?.start} to ${points?.end} at ${points?.stepSeconds} s, working set and RSS ${detail?.start} to ${detail?.end} at ${detail?.stepSeconds} s\n` +
      `scan without history ${median(without.warm).toFixed(2)} s, with history ${median(withIt.warm).toFixed(2)} s once its modules are loaded (${median(without.wall).toFixed(2)} s and ${median(withIt.wall).toFixed(2)} s as a command; medians of ${RUNS})\n` +
      `the report with history takes ${result.ratioToNoHistory}x the report without it (target 1.3x); peak RSS ${result.peakRssMb} MB with history, ${without.rss.toFixed(1)} MB without\n` +
      `Prometheus alone answers the ${queries.size} queries, one after another, in ${serverSeconds.toFixed(2)} s (it shares the machine's cores with the scan and the nodes' sshd)\n` +
      `patterns as generated in all ${KILLED} findings; a next kill predicted for ${predicted} of the ${workloads} workloads\n` +
      `backtest (${errors.all.predicted} predictions of ${errors.all.cases} generated leaks): error median ${errors.all.medianMinutes.toFixed(1)} min, p90 ${errors.all.p90Minutes.toFixed(1)} min; the stated ± covers the real kill in ${(errors.all.coverage * 100).toFixed(0)}% (median stated ±${errors.all.medianStatedMinutes} min); classes right in ${(errors.classification.accuracy * 100).toFixed(0)}% of ${errors.classification.cases} runs\n` +
      `${JSON.stringify(result)}\n`,
  );
} finally {
  await prometheus.stop();
  await cluster.close();
  execFileSync("rm", ["-rf", scratch]);
}
