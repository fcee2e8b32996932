// `npm run bench:e2e`: `/oom shop` on the bench cluster (300 pods, 40 OOM-killed, 12 nodes with a real
// sshd each), from the signed command to the report's last message in the fake Slack, through the
// built `serve` and `worker` processes and the real Redis. In the same run: `oom-doctor scan` on the
// same cluster (what the queue and Slack add to the investigation) and the operator's sequential loop.

import { execFileSync } from "node:child_process";
import { botEnv, dropPrefix, uniquePrefix } from "../harness/bot.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { slashCommand } from "../harness/slack-requests.js";
import {
  buildCluster,
  KILLED,
  median,
  NAMESPACE,
  NODES,
  operatorTools,
  PODS,
  seconds,
  timedScan,
} from "./bench-cluster.js";
import { startListening, stop } from "./processes.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SUMMARY = new RegExp(`OOM investigation of \`${NAMESPACE}\`: ${KILLED} containers`);

const scratch = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
const { cluster, killed } = await buildCluster(scratch);
const slack = new FakeSlack();
await slack.start();
const prefix = uniquePrefix();
try {
  const config = cluster.writeConfig(
    { concurrency: NODES },
    { queue: { prefix }, slack: { channels: { "*": ["*"] } } },
  );
  const env = botEnv(slack, config);
  const serve = await startListening(["bin/oom-doctor.js", "serve"], env);
  const worker = await startListening(["bin/oom-doctor.js", "worker"], env);

  /** One /oom in a channel of its own; seconds until the root message holds the finished summary. */
  const investigate = (run: number) =>
    seconds(async () => {
      const channel = `CE2E${String(run).padStart(4, "0")}`;
      await slashCommand(serve.url, { text: NAMESPACE, channel, responseUrl: slack.responseUrl(channel) });
      const root = await slack.until(
        () => slack.rootMessages(channel).find((message) => SUMMARY.test(message.text)),
        `the report in ${channel}`,
        300_000,
      );
      if (slack.replies(channel, root.ts).length === 0) throw new Error(`no workload reply in ${channel}`);
    });

  const botRuns: number[] = [];
  try {
    await investigate(0); // warm-up: connections, JIT
    for (let i = 1; i <= RUNS; i++) botRuns.push(await investigate(i));
  } finally {
    await stop(serve.child);
    await stop(worker.child);
  }

  const scanRuns: number[] = [];
  const warmScanRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const scan = await timedScan(config);
    scanRuns.push(scan.wallSeconds);
    warmScanRuns.push(scan.warmSeconds);
  }

  const { sequentialLoop } = operatorTools(cluster, killed);
  const sequentialRuns: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) sequentialRuns.push(await seconds(sequentialLoop));

  const bot = median(botRuns);
  const scan = median(scanRuns);
  const warmScan = median(warmScanRuns);
  const sequential = median(sequentialRuns);
  const result = {
    e2eSeconds: Number(bot.toFixed(2)),
    e2eRatioToScan: Number((bot / warmScan).toFixed(2)),
    e2eSpeedupVsSequential: Number((sequential / bot).toFixed(2)),
  };
  process.stdout.write(
    `cluster: ${PODS} pods, ${KILLED} OOM-killed, ${NODES} nodes (one sshd each); medians of ${RUNS} runs\n` +
      `/oom to the finished report in Slack: ${bot.toFixed(2)} s (serve and worker processes, Redis, fake Slack)\n` +
      `oom-doctor scan: ${scan.toFixed(2)} s as a command, ${warmScan.toFixed(2)} s once its modules are loaded (as in the worker)\n` +
      `operator's sequential loop: ${sequential.toFixed(2)} s\n` +
      `/oom takes ${result.e2eRatioToScan}x the scan once its modules are loaded (the worker's code has run before and is compiled; each scan is a new process), and is ${result.e2eSpeedupVsSequential}x faster than the sequential loop\n` +
      `${JSON.stringify(result)}\n`,
  );
} finally {
  await slack.stop();
  await cluster.close();
  await dropPrefix(prefix);
  execFileSync("rm", ["-rf", scratch]);
}
