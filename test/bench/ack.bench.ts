// `npm run bench:ack`: how fast `serve` acknowledges /oom (Slack allows 3 s): 200 signed requests,
// 50 at a time, against the real serve process on the real Redis (each request a new channel, so
// each one posts a root message and enqueues a job, after the ack), and, in the same run, against a bare Bolt app
// that only acknowledges. Both run as processes of their own; the load comes from this one.
// Last line: {"ackP99Ms", "ackP99RatioToBare"}. Target: p99 under 1.5x the bare app.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { botEnv, dropPrefix, uniquePrefix } from "../harness/bot.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { slashCommand } from "../harness/slack-requests.js";
import { percentile } from "./bench-cluster.js";
import { startListening, stop } from "./processes.js";

const REQUESTS = 200;
const CONCURRENCY = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const channelPrefix = (run: number) => `C${String(run).padStart(3, "0")}`;

/** Milliseconds from `since` until every request of the run has its root message in the fake Slack. */
async function allQueued(slack: FakeSlack, run: number, since: number): Promise<number> {
  const prefix = channelPrefix(run);
  const posted = () =>
    slack.messages.filter((m) => m.threadTs === null && m.channel.startsWith(prefix)).length;
  await slack.until(() => posted() >= REQUESTS, `${REQUESTS} root messages`);
  return performance.now() - since;
}

/** Sends the requests, `CONCURRENCY` at a time; returns each one's milliseconds to the HTTP answer. */
async function load(url: string, slack: FakeSlack, run: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const index = next++;
      const started = performance.now();
      const answer = await slashCommand(url, {
        text: "production",
        channel: `${channelPrefix(run)}${String(index).padStart(6, "0")}`,
        responseUrl: slack.responseUrl(`ack-${run}-${index}`),
      });
      latencies.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return latencies;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), "oom-doctor-bench-ack-"));
const slack = new FakeSlack();
await slack.start();
const prefixes: string[] = [];
try {
  const results = {
    bot: { p50: [] as number[], p99: [] as number[] },
    bare: { p50: [] as number[], p99: [] as number[] },
  };
  const queuedWithin: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const config = join(dir, `config-${run}.yaml`);
    writeFileSync(config, `queue:\n  prefix: ${prefix}\nslack:\n  channels:\n    "*": ["*"]\n`);
    const env = botEnv(slack, config);
    for (const [name, args] of [
      ["bare", ["test/bench/bare-bolt.mjs"]],
      ["bot", ["bin/oom-doctor.js", "serve"]],
    ] as const) {
      const server = await startListening([...args], env);
      try {
        // Warm-up (connections, JIT, Redis); the measured load starts once its work is all done.
        const warming = performance.now();
        await load(server.url, slack, run);
        if (name === "bot") await allQueued(slack, run, warming);
        const started = performance.now();
        const latencies = await load(server.url, slack, run + 100);
        results[name].p50.push(percentile(latencies, 50));
        results[name].p99.push(percentile(latencies, 99));
        // The work after the ack is not dropped for the sake of the ack: every command gets its root
        // message and its job, and this says how soon.
        if (name === "bot") queuedWithin.push(await allQueued(slack, run + 100, started));
      } finally {
        await stop(server.child);
      }
    }
  }
  const bot = { p50: median(results.bot.p50), p99: median(results.bot.p99) };
  const bare = { p50: median(results.bare.p50), p99: median(results.bare.p99) };
  console.log(`${REQUESTS} signed /oom requests, ${CONCURRENCY} at a time, ${RUNS} runs (medians)`);
  console.log(`bare Bolt app (ack only): p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms`);
  console.log(
    `oom-doctor serve (ack, root message, enqueue): p50 ${bot.p50.toFixed(1)} ms, p99 ${bot.p99.toFixed(1)} ms`,
  );
  console.log(
    `all ${REQUESTS} root messages posted and jobs queued within ${median(queuedWithin).toFixed(0)} ms of the first request`,
  );
  console.log(
    `p99 ratio to the bare app: ${(bot.p99 / bare.p99).toFixed(2)}x (target 1.5x; Slack allows 3000 ms)`,
  );
  console.log(
    JSON.stringify({
      ackP99Ms: Number(bot.p99.toFixed(1)),
      ackP99RatioToBare: Number((bot.p99 / bare.p99).toFixed(2)),
    }),
  );
} finally {
  await slack.stop();
  for (const prefix of prefixes) await dropPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
}
