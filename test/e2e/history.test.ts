// Memory history end to end on the seed cluster: a real Prometheus (its TSDB made by promtool from the
// seed's generated history) behind a loopback server that can play a slow or failing one, the real
// Kubernetes client against the fake API server, real sshd and journals; `oom-doctor scan` in
// process, and the bot with the fake Slack.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { HistorySummary } from "../../src/history/model.js";
import { COARSE_STEP_SECONDS } from "../../src/history/queries.js";
import { summariseWorkingSet } from "../../src/history/stats.js";
import { backtest } from "../bench/history-backtest.js";
import { startBotOn, type TestBot } from "../harness/bot.js";
import { runCli } from "../harness/cli.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { HOUR_MS, MI, MINUTE_MS, RSS_FRACTION } from "../harness/container-memory.js";
import type { StoredMessage } from "../harness/fake-slack.js";
import { investigationIn } from "../harness/investigation.js";
import { FrontServer, OwnPrometheus } from "../harness/prometheus.js";
import {
  LEAK_BYTES_PER_HOUR,
  REPLACED_POD,
  SEED_CONTAINER,
  SEED_KILLS,
  type SeedHistory,
  seedHistory,
  seedPod,
} from "../harness/seed-history.js";

/** Three hours after hx5lt's kill: every pod has restarted, and hx5lt leaks again. */
const NOW = SEED_KILLS.hx5lt + 3 * HOUR_MS;
/** The detail's start: six hours before the earliest kill, on the minute grid the days' span starts. */
const DETAIL_START = Date.parse("2021-07-11T19:52:20.000Z");
const DAY_MS = 24 * HOUR_MS;
const PICTURE = "memory_production_Deployment_systembusiness-deployment_systembusiness.png";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Finding {
  pod: string;
  history: HistorySummary | null;
  recommendation: {
    memoryLimit: string;
    memoryRequest: string | null;
    reasons: string[];
    notes: Array<{ kind: string }>;
  } | null;
}
interface Report {
  findings: Finding[];
  warnings: string[];
}

let cluster: HarnessCluster;
let prometheus: OwnPrometheus;
let front: FrontServer;
let history: SeedHistory;
/** The backtest's error: 90 % of its predictions fall within this many minutes of the real kill. */
let statedErrorMinutes: number;
const scratch = mkdtempSync(join(tmpdir(), "oomdoctor-history-e2e-"));

function config(name: string, prometheusSection: Record<string, unknown> | null): string {
  return cluster.writeConfig({}, prometheusSection === null ? {} : { prometheus: prometheusSection }, name);
}

async function scan(configPath: string, ...args: string[]) {
  return runCli(["scan", "production", "--config", configPath, ...args], { nowMs: NOW });
}

async function scanJson(configPath: string): Promise<Report> {
  const run = await scan(configPath, "--format", "json");
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

/** Each run's points within [startMs, endMs], as a server with a 30 s look-back samples them. */
function runsWithin(startMs: number, endMs: number) {
  // Each evaluation step sees the scrape up to 30 s before it (the server's look-back).
  const within = ([ms]: [number, number]) => ms >= startMs - 30_000 && ms <= endMs;
  return history.runs.map((run) => ({
    labels: { pod: run.spec.pod, container: SEED_CONTAINER },
    points: run.points.filter(within),
  }));
}

/**
 * Each run's highest sample within each step of the coarse read: what `max_over_time` over one step
 * returns (Prometheus 2 counts a sample at the window's start too).
 */
function peaksPerStep(startMs: number, endMs: number, stepMs: number) {
  return history.runs.map((run) => {
    const points: Array<[number, number]> = [];
    for (let ms = startMs; ms <= endMs; ms += stepMs) {
      const inStep = run.points.filter(([at]) => at >= ms - stepMs && at <= ms);
      if (inStep.length > 0) points.push([ms, Math.max(...inStep.map(([, bytes]) => bytes))]);
    }
    return { labels: { pod: run.spec.pod, container: SEED_CONTAINER }, points };
  });
}

/**
 * What the history of the workload's container should be: the figures from each step's peak over the
 * days, RSS over the hours read in detail (from the picture's start before the earliest kill to now).
 */
function expectedFigures(startMs: number, detailStartMs: number, endMs: number) {
  const coarse = peaksPerStep(startMs, endMs, COARSE_STEP_SECONDS * 1000);
  const rssMax = Math.max(
    ...runsWithin(detailStartMs, endMs).flatMap((one) =>
      one.points.map(([, bytes]) => Math.round(bytes * RSS_FRACTION)),
    ),
  );
  return { workingSet: summariseWorkingSet(coarse), rssMax, series: coarse };
}

const hx5lt = (report: Report) => report.findings.find((finding) => finding.pod === seedPod("hx5lt"));

before(async () => {
  history = seedHistory(NOW);
  statedErrorMinutes = backtest().all.p90Minutes;
  cluster = await seedCluster();
  // Scrapes a minute apart, and a look-back shorter than that: a killed container's series ends at
  // its last scrape, as staleness markers make it end in a Prometheus that scraped it.
  prometheus = await OwnPrometheus.start(history.series, { lookbackDelta: "30s" });
  front = await FrontServer.start(prometheus.url);
});

after(async () => {
  await front?.close();
  await prometheus?.stop();
  await cluster?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("memory history on the seed cluster", () => {
  let report: Report;

  before(async () => {
    front.behaviour = { kind: "proxy" };
    report = await scanJson(config("history.yaml", { url: front.url }));
  });

  it("when Prometheus holds the pods' history, then every finding carries the workload's figures, read across restarts, the replaced pod and the gap", () => {
    assert.equal(report.findings.length, 3);
    const summary = hx5lt(report)?.history;
    assert.ok(summary, "hx5lt has a history");
    for (const finding of report.findings) assert.deepEqual(finding.history, summary, finding.pod);
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.days, 7);
    const expected = expectedFigures(SEED_KILLS.hx5lt - 7 * DAY_MS, DETAIL_START, NOW);
    assert.deepEqual(summary.workingSet, expected.workingSet);
    assert.equal(summary.rssMax, expected.rssMax);
    // The replaced pod's five days at 450 MiB weigh in the median; the canary's 2000 MiB do not.
    const withoutReplaced = summariseWorkingSet(
      expected.series.filter((one) => one.labels.pod !== REPLACED_POD),
    );
    assert.notEqual(summary.workingSet?.p50, withoutReplaced?.p50);
    assert.ok((summary.workingSet?.max ?? 0) < 1000 * MI, "nothing of the canary's 2000 MiB");
  });

  it("then the pattern is the leak hx5lt was killed by, with its growth and the next kill predicted within the backtest's error", () => {
    const pattern = hx5lt(report)?.history?.pattern;
    assert.equal(pattern?.pattern, "leak");
    const slope = pattern?.slopeBytesPerHour ?? 0;
    assert.ok(Math.abs(slope - LEAK_BYTES_PER_HOUR) < 0.02 * LEAK_BYTES_PER_HOUR, `${slope / MI} MiB/h`);
    assert.ok((pattern?.rSquared ?? 0) > 0.99, `R² ${pattern?.rSquared}`);
    const prediction = pattern?.prediction;
    assert.ok(prediction, "a next kill");
    const offMinutes = Math.abs(Date.parse(prediction.at) - history.nextKillMs) / MINUTE_MS;
    assert.ok(
      offMinutes <= statedErrorMinutes,
      `predicted ${prediction.at}, killed at ${new Date(history.nextKillMs).toISOString()}: ${offMinutes.toFixed(1)} min off, the backtest's p90 is ${statedErrorMinutes.toFixed(1)} min`,
    );
    assert.ok(offMinutes <= prediction.errorMinutes, `within its own ±${prediction.errorMinutes} min`);
  });

  it("then the queries sent are recorded with their span, and select the workload's pods, replaced ones too", () => {
    const summary = hx5lt(report)?.history;
    const queries = summary?.queries ?? [];
    // The figures' peaks over the days; working set and RSS in detail from six hours before the
    // earliest kill (all three kills lie within six hours of each other) to now.
    assert.deepEqual(
      queries.map((query) => [query.start, query.end, query.stepSeconds]),
      [
        ["2021-07-05T04:10:20.000Z", "2021-07-12T07:10:20.000Z", COARSE_STEP_SECONDS],
        ["2021-07-11T19:52:20.000Z", "2021-07-12T07:10:20.000Z", 60],
        ["2021-07-11T19:52:20.000Z", "2021-07-12T07:10:20.000Z", 60],
      ],
    );
    assert.match(
      queries[0]?.query ?? "",
      /^max by \(namespace, pod, container, id\) \(max_over_time\(container_memory_working_set_bytes\{namespace="production", pod=~"[^"]+", container="systembusiness"\}\[600s\]\)\)$/,
    );
    assert.match(
      queries[1]?.query ?? "",
      /^max by \(namespace, pod, container, id\) \(container_memory_working_set_bytes\{namespace="production", pod=~"[^"]+", container="systembusiness"\}\)$/,
    );
    assert.match(queries[2]?.query ?? "", /container_memory_rss\{/);
    const sent = front.requests.filter((request) => request.path.startsWith("/api/v1/query_range"));
    const sentQueries = sent.map((request) => new URLSearchParams(request.body).get("query"));
    for (const query of queries) assert.ok(sentQueries.includes(query.query), `${query.query} was sent`);
  });

  it("then the recommendation is sized from the history, and its notes carry the figures", () => {
    const finding = hx5lt(report);
    const summary = finding?.history;
    const recommendation = finding?.recommendation;
    assert.ok(summary?.workingSet && recommendation);
    assert.deepEqual(
      recommendation.notes.map((note) => note.kind),
      ["leak-first", "sized-from-history", "request-from-history"],
    );
    const reasons = recommendation.reasons.join("\n");
    assert.match(reasons, /12\.7 MiB\/h/);
    assert.match(reasons, /99th percentile over 7 days/);
    assert.match(reasons, /90th percentile over 7 days/);
    assert.ok(reasons.includes("1010.8 MiB"), "the resident figure at the kill");
  });

  it("when the report is Markdown written to a file, then the picture is a PNG beside it, linked from it", async () => {
    const dir = mkdtempSync(join(scratch, "markdown-"));
    const output = join(dir, "report.md");
    const run = await scan(
      config("history.yaml", { url: front.url }),
      "--format",
      "markdown",
      "--output",
      output,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /wrote .*report\.md and 1 picture beside it/);
    assert.deepEqual(readdirSync(dir).sort(), [PICTURE, "report.md"]);
    const png = readFileSync(join(dir, PICTURE));
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    assert.ok(png.length > 10_000, `${png.length} bytes: more than an empty card`);
    const markdown = readFileSync(output, "utf8");
    assert.ok(
      markdown.includes(
        `![memory of production/Deployment/systembusiness-deployment (systembusiness) before its kills](${PICTURE})`,
      ),
    );
    assert.match(markdown, /### Memory history/);
    assert.match(
      markdown,
      /pattern: leak: at \+12\.7 MiB\/h from \S+ MiB, the limit is reached around 2021-07-14 \d\d:\d\d UTC, ±\d+ min/,
    );
  });

  it("when Prometheus is not configured, then the report is as before and says what history would add", async () => {
    const plain = await scanJson(config("plain.yaml", null));
    assert.ok(plain.findings.every((finding) => finding.history === null));
    assert.equal(hx5lt(plain)?.recommendation?.memoryLimit, "1280Mi");
    assert.ok(
      plain.warnings.some((warning) =>
        /^no memory history \(prometheus\.url is not set\): with it, each workload would show/.test(warning),
      ),
      plain.warnings.join("\n"),
    );
    const dir = mkdtempSync(join(scratch, "plain-"));
    const run = await scan(
      config("plain.yaml", null),
      "--format",
      "markdown",
      "--output",
      join(dir, "report.md"),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(dir), ["report.md"]);
    assert.doesNotMatch(readFileSync(join(dir, "report.md"), "utf8"), /Memory before the kills/);
  });
});

describe("memory history when Prometheus fails", () => {
  const failures: Array<{ name: string; set: () => Promise<string>; problem: RegExp }> = [
    {
      name: "is down",
      set: async () => {
        const gone = await FrontServer.start(prometheus.url);
        await gone.close();
        return gone.url;
      },
      problem: /^working set and RSS: Prometheus at \S+ cannot be reached \(ECONNREFUSED\)/,
    },
    {
      name: "never answers",
      set: async () => {
        front.behaviour = { kind: "silent" };
        return front.url;
      },
      problem: /^working set and RSS: Prometheus at \S+ did not answer within 1 s/,
    },
    {
      name: "answers with errors",
      set: async () => {
        front.behaviour = {
          kind: "answer",
          status: 503,
          contentType: "application/json",
          body: '{"status":"error","errorType":"unavailable","error":"too many queries in flight"}',
        };
        return front.url;
      },
      problem:
        /^working set and RSS: Prometheus at \S+ is not answering queries \(503\): too many queries in flight/,
    },
  ];

  for (const failure of failures) {
    it(`when it ${failure.name}, then the report still comes, with the kernel's sizing and a "history incomplete" line`, async () => {
      const url = await failure.set();
      const configPath = config(`failing-${failure.name.replaceAll(" ", "-")}.yaml`, {
        url,
        timeoutSeconds: 1,
      });
      try {
        const json = await scanJson(configPath);
        const summary = hx5lt(json)?.history;
        assert.ok(summary, "a history that says what is missing");
        assert.equal(summary.workingSet, null);
        assert.equal(summary.pattern.pattern, "unknown");
        assert.equal(summary.problems.length, 1, summary.problems.join("\n"));
        assert.match(summary.problems[0] ?? "", failure.problem);
        assert.equal(hx5lt(json)?.recommendation?.memoryLimit, "1280Mi");
        const text = await scan(configPath, "--format", "text");
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /history incomplete: working set and RSS: /);
      } finally {
        front.behaviour = { kind: "proxy" };
      }
    });
  }
});

describe("memory history in Slack", () => {
  let bot: TestBot;
  let root: StoredMessage;
  const workloadReply = (channel: string, thread: StoredMessage) => {
    const reply = bot.slack
      .replies(channel, thread.ts)
      .find((message) => /systembusiness-deployment/.test(message.text) && message.blocks !== undefined);
    assert.ok(reply, "the workload's reply");
    return JSON.stringify(reply.blocks);
  };

  before(async () => {
    front.behaviour = { kind: "proxy" };
    bot = await startBotOn(cluster, () => NOW, { prometheus: { url: front.url, timeoutSeconds: 2 } });
    root = await investigationIn(bot.slack, bot.url, "C0HISTORY");
  });
  after(async () => {
    front.behaviour = { kind: "proxy" };
    await bot?.close();
  });

  it("when a workload was OOM-killed, then its reply carries the pattern and the next kill, within the backtest's error of the real one", () => {
    const blocks = workloadReply("C0HISTORY", root);
    assert.match(blocks, /Memory before the kills/);
    assert.match(blocks, /\*Leak\*: it grows steadily, \+12\.7 MiB\/h/);
    const next = /limit is reached around \*?(2021-07-\d\d \d\d:\d\d) UTC\*?, ±(\d+) min/.exec(blocks);
    assert.ok(next?.[1], `a next kill in ${blocks}`);
    const predictedMs = Date.parse(`${next[1].replace(" ", "T")}:00Z`);
    // The reply rounds to the minute.
    const offMinutes = Math.abs(predictedMs - history.nextKillMs) / MINUTE_MS;
    assert.ok(offMinutes <= statedErrorMinutes + 1, `${offMinutes} min off`);
  });

  it("then the picture is uploaded into the workload's thread as a PNG", () => {
    const pictures = bot.slack.files.filter((file) => file.threadTs === root.ts && file.filename === PICTURE);
    assert.equal(pictures.length, 1, bot.slack.files.map((file) => file.filename).join(", "));
    const [picture] = pictures;
    assert.deepEqual(picture?.bytes.subarray(0, 8), PNG_SIGNATURE);
    assert.match(picture?.title ?? "", /systembusiness-deployment/);
  });

  it("when Prometheus then fails, then the next report still comes, saying its history is incomplete", async () => {
    front.behaviour = { kind: "answer", status: 500, contentType: "text/plain", body: "internal error" };
    const failed = await investigationIn(bot.slack, bot.url, "C0HISTORYDOWN");
    assert.match(failed.text, /OOM investigation of `production`: 3 containers/);
    const blocks = workloadReply("C0HISTORYDOWN", failed);
    assert.match(blocks, /incomplete/i);
    assert.equal(
      bot.slack.files.filter((file) => file.threadTs === failed.ts && file.filename === PICTURE).length,
      1,
      "a picture that says there are no samples",
    );
  });
});
