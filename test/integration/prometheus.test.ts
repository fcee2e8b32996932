// The Prometheus adapter and the history reader against a real Prometheus: its TSDB holds generated
// cAdvisor series (a leak across a restart and a replaced pod, a spike, a container flat at its limit,
// a gap, and the series a query must leave out), and a server in front of it checks what is sent and
// plays a slow or failing server.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { PrometheusConfig } from "../../src/config/schema.js";
import type { Result } from "../../src/errors.js";
import { readHistory } from "../../src/history/fetch.js";
import type { Series } from "../../src/history/model.js";
import {
  COARSE_STEP_SECONDS,
  memoryQuery,
  peakMemoryQuery,
  RSS,
  WORKING_SET,
} from "../../src/history/queries.js";
import { PrometheusSource } from "../../src/metrics/prometheus.js";
import { FrontServer, type GeneratedSeries, OwnPrometheus } from "../harness/prometheus.js";
import { makeTls, type Tls } from "../harness/tls.js";

const MIB = 2 ** 20;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The latest kill of the leaking workload; every other time is set from it.
const KILL = Date.parse("2023-07-22T12:00:00Z");
const NOW = KILL + 3 * HOUR;
const DATA_START = KILL - 30 * HOUR;
const FIRST_KILL = KILL - 20 * HOUR;
const GAP = { from: KILL - 10 * HOUR, to: KILL - 9 * HOUR };
const SPIKE = KILL - 4 * HOUR;
const OPTIONS = { days: 7, hoursBeforeKill: 6, stepSeconds: 60 };

const NODE = { job: "kubelet", instance: "10.0.0.4:10250", image: "registry.example/app:1.4" };

interface Instance {
  namespace: string;
  pod: string;
  container: string;
  id: string;
  from: number;
  to: number;
  workingSet: (ms: number) => number;
  /** Minutes without samples (a scrape that failed for a while). */
  gap?: { from: number; to: number };
}

function samples(instance: Instance, value: (ms: number) => number): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let ms = instance.from; ms <= instance.to; ms += MINUTE)
    if (!(instance.gap && ms >= instance.gap.from && ms < instance.gap.to))
      points.push([ms, Math.round(value(ms))]);
  return points;
}

function stored(instance: Instance, extra: Record<string, string> = {}): GeneratedSeries[] {
  const { namespace, pod, container, id } = instance;
  const labels = { ...NODE, namespace, pod, container, id, ...extra };
  return [
    { metric: WORKING_SET, labels, samples: samples(instance, instance.workingSet) },
    { metric: RSS, labels, samples: samples(instance, (ms) => 0.8 * instance.workingSet(ms)) },
  ];
}

const cgroup = (pod: string, container: string) => `/kubepods/burstable/pod-${pod}/${container}`;
const leak = (from: number, startBytes: number, bytesPerHour: number) => (ms: number) =>
  startBytes + ((ms - from) / HOUR) * bytesPerHour;
const flat = (bytes: number) => () => bytes;

// A leak killed at FIRST_KILL in a pod that was then replaced; the replacement leaks until KILL (with
// an hour of missing data), restarts, and leaks again.
const LEAKY_OLD: Instance = {
  namespace: "shop",
  pod: "leaky-6f7c9d-abcde",
  container: "app",
  id: cgroup("abcde", "c1"),
  from: DATA_START,
  to: FIRST_KILL,
  workingSet: leak(DATA_START, 100 * MIB, 41.2 * MIB),
};
const LEAKY_NEW: Instance = {
  namespace: "shop",
  pod: "leaky-6f7c9d-fghij",
  container: "app",
  id: cgroup("fghij", "c2"),
  from: FIRST_KILL + 2 * MINUTE,
  to: KILL,
  workingSet: leak(FIRST_KILL + 2 * MINUTE, 100 * MIB, 20.6 * MIB),
  gap: GAP,
};
const LEAKY_RESTARTED: Instance = {
  ...LEAKY_NEW,
  id: cgroup("fghij", "c3"),
  from: KILL + MINUTE,
  to: NOW,
  workingSet: leak(KILL + MINUTE, 100 * MIB, 20.6 * MIB),
  gap: undefined,
};
const LEAKY = [LEAKY_OLD, LEAKY_NEW, LEAKY_RESTARTED];

// Flat, then a jump of 340 MiB within a minute, killed a minute later; flat again after the restart.
const SPIKY: Instance = {
  namespace: "shop",
  pod: "spiky-0",
  container: "worker",
  id: cgroup("spiky-0", "s1"),
  from: DATA_START,
  to: SPIKE + 2 * MINUTE,
  workingSet: (ms) => (ms <= SPIKE ? 150 * MIB : 490 * MIB),
};
const SPIKY_RESTARTED: Instance = {
  ...SPIKY,
  id: cgroup("spiky-0", "s2"),
  from: SPIKE + 3 * MINUTE,
  to: NOW,
  workingSet: flat(150 * MIB),
};

// Flat within a few MiB of its 512 MiB limit, in a pod whose name has a dot.
const STEADY: Instance = {
  namespace: "shop",
  pod: "db.primary-0",
  container: "db",
  id: cgroup("db.primary-0", "d1"),
  from: DATA_START,
  to: NOW,
  workingSet: (ms) => 500 * MIB + ((ms / MINUTE) % 5) * MIB,
};

// What a query for those containers must leave out.
const DECOYS: Instance[] = [
  { ...LEAKY_NEW, container: "proxy", id: cgroup("fghij", "p1"), workingSet: flat(30 * MIB), gap: undefined },
  { ...LEAKY_NEW, container: "", id: cgroup("fghij", ""), workingSet: flat(700 * MIB), gap: undefined },
  { ...LEAKY_NEW, container: "POD", id: cgroup("fghij", "pause"), workingSet: flat(MIB), gap: undefined },
  { ...LEAKY_OLD, pod: "leaky-6f7c9d-abcdef", id: cgroup("abcdef", "x1") },
  { ...LEAKY_OLD, namespace: "shop-staging", id: cgroup("staging", "x2") },
  { ...STEADY, pod: "dbxprimary-0", id: cgroup("dbxprimary-0", "x3"), workingSet: flat(64 * MIB) },
];

const SERIES: GeneratedSeries[] = [
  ...[...LEAKY, SPIKY, SPIKY_RESTARTED, STEADY, ...DECOYS].flatMap((instance) => stored(instance)),
  // The same container scraped twice (a second job on the kubelet): one series in answers.
  ...stored(LEAKY_NEW, { job: "kubelet-cadvisor" }),
];

/** The labels and points a query should return for these containers, within [startMs, endMs]. */
function expected(instances: Instance[], startMs: number, endMs: number, rss = false): Series[] {
  return instances.map((instance) => ({
    labels: {
      namespace: instance.namespace,
      pod: instance.pod,
      container: instance.container,
      id: instance.id,
    },
    points: samples(instance, rss ? (ms) => 0.8 * instance.workingSet(ms) : instance.workingSet).filter(
      ([ms]) => ms >= startMs && ms <= endMs,
    ),
  }));
}

/**
 * What a read at two resolutions should return: each instance's highest sample within every 10-minute
 * step of [startMs, endMs] (Prometheus 2 counts a sample at a window's start too), and within `detail`
 * every sample in place of those peaks.
 */
function expectedMerged(
  instances: Instance[],
  startMs: number,
  endMs: number,
  detail: Array<[number, number]>,
): Series[] {
  const stepMs = COARSE_STEP_SECONDS * 1000;
  const inDetail = (ms: number) => detail.some(([from, to]) => ms >= from && ms <= to);
  return expected(instances, startMs - stepMs, endMs).map((series) => {
    const peaks: Array<[number, number]> = [];
    for (let ms = startMs; ms <= endMs; ms += stepMs) {
      const inStep = series.points.filter(([at]) => at >= ms - stepMs && at <= ms);
      if (!inDetail(ms) && inStep.length > 0) peaks.push([ms, Math.max(...inStep.map(([, bytes]) => bytes))]);
    }
    const fine = series.points.filter(([ms]) => inDetail(ms));
    return { ...series, points: [...peaks, ...fine].sort((a, b) => a[0] - b[0]) };
  });
}

const byId = (series: Series[]) =>
  [...series].sort((a, b) => (a.labels.id ?? "").localeCompare(b.labels.id ?? ""));

function config(url: string, overrides: Partial<PrometheusConfig> = {}): PrometheusConfig {
  return {
    url,
    bearerTokenFile: null,
    bearerToken: null,
    basicAuth: null,
    caFile: null,
    ca: null,
    headers: {},
    timeoutSeconds: 10,
    ...overrides,
  };
}

function errorOf(result: Result<Series[]>): { kind: string; message: string } {
  assert.equal(result.ok, false, "expected an error");
  return result.ok ? { kind: "", message: "" } : result.error;
}

let prometheus: OwnPrometheus;
let front: FrontServer;
let tls: Tls;
const tlsDir = mkdtempSync(join(tmpdir(), "oomdoctor-prometheus-tls-"));

before(async () => {
  tls = makeTls(tlsDir);
  // Samples a minute apart, and a look-back shorter than that: each point answered is one sample.
  prometheus = await OwnPrometheus.start(SERIES, { lookbackDelta: "30s" });
  front = await FrontServer.start(prometheus.url, tls);
});

after(async () => {
  await front?.close();
  await prometheus?.stop();
  rmSync(tlsDir, { recursive: true, force: true });
});

beforeEach(() => {
  front.behaviour = { kind: "proxy" };
  front.requests.length = 0;
});

describe("memory history from a real Prometheus", () => {
  it("when a leak spans a replaced pod, a restart and a gap, then every container instance comes back, and only those", async () => {
    const source = new PrometheusSource(config(prometheus.url));
    const history = await readHistory(
      source,
      {
        namespace: "shop",
        container: "app",
        podNames: ["leaky-6f7c9d-abcde", "leaky-6f7c9d-fghij"],
        killsMs: [FIRST_KILL, KILL],
        nowMs: NOW,
      },
      OPTIONS,
    );
    assert.deepEqual(history.problems, []);
    const start = KILL - 7 * DAY;
    // In detail: the six hours before each kill, joined with the hours since the latest; the fourteen
    // hours between the kills at the coarse step.
    const detail: Array<[number, number]> = [
      [FIRST_KILL - 6 * HOUR, FIRST_KILL],
      [KILL - 6 * HOUR, NOW],
    ];
    assert.deepEqual(byId(history.workingSet), expectedMerged(LEAKY, start, NOW, detail));
    const rssInDetail = expected(LEAKY, start, NOW, true).map((series) => ({
      ...series,
      points: series.points.filter(([ms]) => detail.some(([from, to]) => ms >= from && ms <= to)),
    }));
    assert.deepEqual(byId(history.rss), rssInDetail);
    const replacement = history.workingSet.find((series) => series.labels.id === LEAKY_NEW.id);
    // A coarse point stands for the step before it: the one at the gap's start holds the samples
    // before the gap, and none lies inside it.
    assert.ok(
      replacement?.points.every(([ms]) => ms <= GAP.from || ms >= GAP.to),
      "no point inside the gap",
    );
    const selector = {
      namespace: "shop",
      container: "app",
      podNames: ["leaky-6f7c9d-abcde", "leaky-6f7c9d-fghij"],
    };
    const fine = [
      { start: "2023-07-21T10:00:00.000Z", end: "2023-07-21T16:00:00.000Z", stepSeconds: 60 },
      { start: "2023-07-22T06:00:00.000Z", end: "2023-07-22T15:00:00.000Z", stepSeconds: 60 },
    ];
    assert.deepEqual(history.queries, [
      {
        query: peakMemoryQuery(WORKING_SET, selector, COARSE_STEP_SECONDS),
        start: "2023-07-15T12:00:00.000Z",
        end: "2023-07-22T15:00:00.000Z",
        stepSeconds: COARSE_STEP_SECONDS,
      },
      ...fine.map((span) => ({ query: memoryQuery(WORKING_SET, selector), ...span })),
      ...fine.map((span) => ({ query: memoryQuery(RSS, selector), ...span })),
    ]);
  });

  it("when memory jumps within a minute, then the answer holds the jump and the restart after it", async () => {
    const history = await readHistory(
      new PrometheusSource(config(prometheus.url)),
      {
        namespace: "shop",
        container: "worker",
        podNames: ["spiky-0"],
        killsMs: [SPIKE + 2 * MINUTE],
        nowMs: NOW,
      },
      OPTIONS,
    );
    assert.deepEqual(history.problems, []);
    assert.equal(history.workingSet.length, 2);
    const [killed, restarted] = byId(history.workingSet);
    assert.deepEqual(
      killed?.points.find(([ms]) => ms === SPIKE),
      [SPIKE, 150 * MIB],
    );
    assert.deepEqual(
      killed?.points.find(([ms]) => ms === SPIKE + MINUTE),
      [SPIKE + MINUTE, 490 * MIB],
    );
    assert.equal(killed?.points.at(-1)?.[0], SPIKE + 2 * MINUTE);
    assert.equal(restarted?.points[0]?.[0], SPIKE + 3 * MINUTE);
  });

  it("when a pod name has a dot, then it is matched as a dot: the flat-at-limit container only", async () => {
    const history = await readHistory(
      new PrometheusSource(config(prometheus.url)),
      { namespace: "shop", container: "db", podNames: ["db.primary-0"], killsMs: [KILL - HOUR], nowMs: NOW },
      OPTIONS,
    );
    assert.deepEqual(
      history.workingSet,
      expectedMerged([STEADY], KILL - HOUR - 7 * DAY, NOW, [[KILL - 7 * HOUR, NOW]]),
    );
    assert.ok(history.workingSet[0]?.points.every(([, bytes]) => bytes >= 500 * MIB && bytes < 512 * MIB));
  });

  it("when the span is long, then the step is raised to stay within 11,000 points and the server accepts it", async () => {
    const source = new PrometheusSource(config(prometheus.url));
    const history = await readHistory(
      source,
      { namespace: "shop", container: "db", podNames: ["db.primary-0"], killsMs: [KILL], nowMs: KILL },
      { ...OPTIONS, days: 90 },
    );
    assert.deepEqual(history.problems, []);
    const raised = Math.ceil((90 * DAY) / 1000 / 11_000);
    assert.ok(raised > COARSE_STEP_SECONDS);
    assert.equal(history.queries[0]?.stepSeconds, raised);
    assert.match(history.queries[0]?.query ?? "", new RegExp(`\\[${raised}s\\]\\)\\)$`));
    assert.ok((history.workingSet[0]?.points.length ?? 0) > 0);

    const tooFine = await source.range({
      query: memoryQuery(WORKING_SET, { namespace: "shop", container: "db", podNames: ["db.primary-0"] }),
      startMs: KILL - 60 * DAY,
      endMs: KILL,
      stepSeconds: 60,
    });
    const error = errorOf(tooFine);
    assert.equal(error.kind, "metrics-error");
    assert.match(error.message, /exceeded maximum resolution of 11,000 points per timeseries/);
  });

  it("when the query is not PromQL, then the server's own words come back as a metrics-error", async () => {
    const result = await new PrometheusSource(config(prometheus.url)).range({
      query: "container_memory_rss{pod=",
      startMs: KILL - HOUR,
      endMs: KILL,
      stepSeconds: 60,
    });
    const error = errorOf(result);
    assert.equal(error.kind, "metrics-error");
    assert.match(error.message, /\(400\): .*parse error/);
  });
});

describe("the Prometheus adapter's requests and failures", () => {
  const query = {
    query: memoryQuery(WORKING_SET, { namespace: "shop", container: "db", podNames: ["db.primary-0"] }),
    startMs: KILL - HOUR,
    endMs: KILL,
    stepSeconds: 60,
  };

  it("when a bearer token, a CA and a tenant header are set, then they are sent with a form-encoded POST", async () => {
    const source = new PrometheusSource(
      config(front.url, { bearerToken: "t0ken", ca: tls.ca, headers: { "X-Scope-OrgID": "team-a" } }),
    );
    const result = await source.range(query);
    assert.deepEqual(result, await new PrometheusSource(config(prometheus.url)).range(query));
    const [request] = front.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/api/v1/query_range");
    assert.equal(request?.headers.authorization, "Bearer t0ken");
    assert.equal(request?.headers["x-scope-orgid"], "team-a");
    assert.equal(request?.headers["content-type"], "application/x-www-form-urlencoded");
    const form = new URLSearchParams(request?.body);
    assert.deepEqual(Object.fromEntries(form), {
      query: query.query,
      start: "1690023600.000",
      end: "1690027200.000",
      step: "60",
      timeout: "10s",
    });
  });

  it("when basic auth is set, then the user and password are sent as Basic", async () => {
    const source = new PrometheusSource(
      config(`${front.url}/prometheus`, {
        ca: tls.ca,
        basicAuth: { username: "oom-doctor", passwordFile: "/unused", password: "pa55:word" },
      }),
    );
    front.behaviour = {
      kind: "answer",
      status: 200,
      body: '{"status":"success","data":{"resultType":"matrix","result":[]}}',
      contentType: "application/json",
    };
    assert.deepEqual(await source.range(query), { ok: true, value: [] });
    const [request] = front.requests;
    assert.equal(request?.path, "/prometheus/api/v1/query_range");
    assert.equal(
      request?.headers.authorization,
      `Basic ${Buffer.from("oom-doctor:pa55:word").toString("base64")}`,
    );
  });

  it("when the server's certificate is not from the configured CA, then the TLS failure is a metrics-error", async () => {
    const error = errorOf(await new PrometheusSource(config(front.url)).range(query));
    assert.equal(error.kind, "metrics-error");
    assert.match(error.message, /TLS connection failed/);
  });

  it("when the server never answers, or stops mid-answer, then it is a timeout within the configured time", async () => {
    const source = new PrometheusSource(config(front.url, { ca: tls.ca, timeoutSeconds: 1 }));
    for (const behaviour of [{ kind: "silent" }, { kind: "stalls-mid-answer" }] as const) {
      front.behaviour = behaviour;
      const started = performance.now();
      const error = errorOf(await source.range(query));
      const elapsed = performance.now() - started;
      assert.equal(error.kind, "timeout", behaviour.kind);
      assert.match(error.message, /did not answer within 1 s/);
      assert.ok(elapsed >= 900 && elapsed < 3000, `${behaviour.kind}: gave up after ${elapsed} ms`);
    }
  });

  it("when the server refuses, fails or answers something else, then each comes back as its kind", async () => {
    const source = new PrometheusSource(config(front.url, { ca: tls.ca }));
    const cases: Array<[number, string, string, string, RegExp]> = [
      [401, "text/plain", "Unauthorized", "metrics-refused", /refused the request \(401\)/],
      [403, "application/json", '{"status":"error","error":"no org id"}', "metrics-refused", /no org id/],
      [
        400,
        "application/json",
        '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\""}',
        "metrics-error",
        /\(400\): invalid parameter "query"/,
      ],
      [503, "text/html", "<html>Service Unavailable</html>", "metrics-unreachable", /\(503\)/],
      [
        500,
        "application/json",
        '{"status":"error","errorType":"internal","error":"boom"}',
        "metrics-unreachable",
        /boom/,
      ],
      [200, "text/html", "<html>Sign in</html>", "metrics-error", /not JSON/],
    ];
    for (const [status, contentType, body, kind, words] of cases) {
      front.behaviour = { kind: "answer", status, body, contentType };
      const error = errorOf(await source.range(query));
      assert.equal(error.kind, kind, `${status} ${body}`);
      assert.match(error.message, words);
    }
  });

  it("when nothing listens at the URL, then the server is unreachable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.ok(address !== null && typeof address === "object");
    const error = errorOf(
      await new PrometheusSource(config(`http://127.0.0.1:${address.port}`)).range(query),
    );
    assert.equal(error.kind, "metrics-unreachable");
    assert.match(error.message, /cannot be reached \(ECONNREFUSED\)/);
  });
});

describe("reading history when the server fails", () => {
  const request = {
    namespace: "shop",
    container: "app",
    podNames: ["leaky-6f7c9d-fghij"],
    killsMs: [KILL],
    nowMs: NOW,
  };

  it("when the server is too slow, then every query is recorded and one problem names both metrics", async () => {
    front.behaviour = { kind: "silent" };
    const source = new PrometheusSource(config(front.url, { ca: tls.ca, timeoutSeconds: 1 }));
    const history = await readHistory(source, request, OPTIONS);
    assert.deepEqual(history.workingSet, []);
    assert.deepEqual(history.rss, []);
    // The days' peaks, and working set and RSS in detail from six hours before the kill to now.
    assert.equal(history.queries.length, 3);
    assert.equal(front.requests.length, 3);
    assert.equal(history.problems.length, 1);
    assert.match(
      history.problems[0] ?? "",
      /^working set and RSS: Prometheus at https:\/\/127\.0\.0\.1:\d+ did not answer within 1 s/,
    );
  });

  it("when the server knows no such series, then each metric says so, with the pods and the span", async () => {
    const history = await readHistory(
      new PrometheusSource(config(prometheus.url)),
      { ...request, podNames: ["gone-0"] },
      OPTIONS,
    );
    assert.deepEqual(history.problems, [
      'working set: no series for container "app" of gone-0 in namespace shop from 2023-07-15T12:00:00.000Z to 2023-07-22T15:00:00.000Z (is the kubelet\'s /metrics/cadvisor scraped?)',
      'RSS: no series for container "app" of gone-0 in namespace shop from 2023-07-15T12:00:00.000Z to 2023-07-22T15:00:00.000Z (is the kubelet\'s /metrics/cadvisor scraped?)',
    ]);
  });

  it("when no pod is named, then nothing is asked and the problem says why", async () => {
    const history = await readHistory(
      new PrometheusSource(config(front.url, { ca: tls.ca })),
      { ...request, podNames: [] },
      OPTIONS,
    );
    assert.equal(front.requests.length, 0);
    assert.deepEqual(history.queries, []);
    assert.match(history.problems[0] ?? "", /no pod of container "app" in namespace shop/);
  });
});
