import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  COARSE_STEP_SECONDS,
  exactNames,
  fineSpans,
  historySpan,
  memoryQuery,
  peakMemoryQuery,
  pictureWindows,
  podNamePattern,
  promqlString,
  stepWithinLimit,
} from "../../../src/history/queries.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KILL = Date.parse("2023-07-22T04:26:40Z");
const OPTIONS = { days: 7, hoursBeforeKill: 6, stepSeconds: 60 };

describe("history queries", () => {
  it("when a workload's container is selected, then both metrics name its namespace, pods and container", () => {
    assert.equal(
      memoryQuery("container_memory_working_set_bytes", {
        namespace: "shop",
        container: "api",
        podNames: ["api-7d9f-x2b4q", "api-7d9f-a1c3z"],
      }),
      'max by (namespace, pod, container, id) (container_memory_working_set_bytes{namespace="shop", pod=~"api-7d9f-a1c3z|api-7d9f-x2b4q", container="api"})',
    );
  });

  it("when the days are read coarsely, then each point is the peak of the one step before it", () => {
    assert.equal(
      peakMemoryQuery(
        "container_memory_working_set_bytes",
        { namespace: "shop", container: "api", podNames: ["api-7d9f-x2b4q"] },
        600,
      ),
      'max by (namespace, pod, container, id) (max_over_time(container_memory_working_set_bytes{namespace="shop", pod=~"api-7d9f-x2b4q", container="api"}[600s]))',
    );
  });

  it("when the workload is known, then the pods its controller named before are selected too, and no other workload's", () => {
    const query = memoryQuery("container_memory_rss", {
      namespace: "shop",
      container: "api",
      podNames: ["api-7d9f-x2b4q"],
      workload: { kind: "Deployment", name: "api" },
    });
    assert.equal(
      query,
      'max by (namespace, pod, container, id) (container_memory_rss{namespace="shop", pod=~"api-7d9f-x2b4q|api-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}", container="api"})',
    );
    // PromQL anchors label regexes at both ends; RE2 and JavaScript agree on these.
    const fits = (workload: { kind: string; name: string }, pod: string) =>
      new RegExp(`^(?:${podNamePattern(workload)})$`).test(pod);
    const cases: Array<[string, string, string, boolean]> = [
      ["Deployment", "api", "api-5c6969978b-hx5lt", true],
      ["Deployment", "api", "api-7f9d8c6b45-w7x2k", true],
      ["Deployment", "api", "api-canary-6d8f7b9c5-xk2p4", false],
      ["Deployment", "api", "api-v2-5c6969978b-hx5lt", false],
      ["Deployment", "api", "apix-5c6969978b-hx5lt", false],
      ["Deployment", "api.v1", "apixv1-5c6969978b-hx5lt", false],
      ["ReplicaSet", "api-5c6969978b", "api-5c6969978b-hx5lt", true],
      ["DaemonSet", "node-agent", "node-agent-x2b4q", true],
      ["DaemonSet", "node-agent", "node-agent-admin", false],
      ["Job", "migrate", "migrate-9gq7k", true],
      ["CronJob", "backup", "backup-28173600-9gq7k", true],
      ["CronJob", "backup", "backup-9gq7k", false],
      ["StatefulSet", "db", "db-12", true],
      ["StatefulSet", "db", "db-primary-0", false],
    ];
    for (const [kind, name, pod, expected] of cases)
      assert.equal(fits({ kind, name }, pod), expected, `${kind} ${name}: ${pod}`);
    assert.equal(podNamePattern({ kind: "Pod", name: "debug" }), null);
  });

  it("when names hold regex metacharacters, then the pattern matches each name exactly and nothing else", () => {
    assert.equal(exactNames(["db-0.primary", "db-0"]), "db-0|db-0\\.primary");
    assert.equal(promqlString(exactNames(["db-0.primary"])), '"db-0\\\\.primary"');
    assert.equal(promqlString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    const name = fc.string({ unit: fc.constantFrom(..."ab.-+*?()|[]{}^$\\"), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), name, (names, other) => {
        // PromQL anchors label regexes; RE2 and JavaScript agree on escaped literals and alternation.
        const pattern = new RegExp(`^(?:${exactNames(names)})$`);
        for (const each of names) assert.ok(pattern.test(each), `${each} against ${pattern}`);
        assert.equal(pattern.test(other), names.includes(other));
      }),
      { seed: 20230722, numRuns: 300 },
    );
  });

  it("when the span needs more than 11,000 points at the step asked for, then the step is raised", () => {
    assert.equal(stepWithinLimit(7 * DAY, 60), 60);
    assert.equal(stepWithinLimit(30 * DAY, 60), 236);
    assert.ok((30 * DAY) / 1000 / 236 <= 11_000);
    assert.equal(stepWithinLimit(HOUR, 15), 15);
  });

  it("when there are kills, then the coarse span runs from days before the latest to now, and covers every picture", () => {
    const kills = [KILL - 3 * DAY, KILL];
    assert.deepEqual(historySpan(kills, KILL + 2 * HOUR, OPTIONS), {
      startMs: KILL - 7 * DAY,
      endMs: KILL + 2 * HOUR,
      stepSeconds: COARSE_STEP_SECONDS,
    });
    const older = [KILL - 10 * DAY, KILL];
    assert.equal(historySpan(older, KILL, OPTIONS).startMs, KILL - 10 * DAY - 6 * HOUR);
    assert.equal(historySpan(older, KILL, OPTIONS).stepSeconds, COARSE_STEP_SECONDS);
    assert.equal(
      historySpan(kills, KILL, { ...OPTIONS, days: 90 }).stepSeconds,
      stepWithinLimit(90 * DAY, 60),
    );
    assert.equal(historySpan(kills, KILL, { ...OPTIONS, stepSeconds: 900 }).stepSeconds, 900);
  });

  it("when kills come within hours of each other and of now, then one detailed span runs from the earliest's picture to now", () => {
    assert.deepEqual(fineSpans([KILL - 2 * HOUR, KILL], KILL + HOUR, OPTIONS), [
      { startMs: KILL - 8 * HOUR, endMs: KILL + HOUR, stepSeconds: 60 },
    ]);
  });

  it("when kills lie days apart and long past, then each picture and the last hours are read in detail apart", () => {
    assert.deepEqual(fineSpans([KILL - 3 * DAY, KILL], KILL + 2 * DAY, OPTIONS), [
      { startMs: KILL - 3 * DAY - 6 * HOUR, endMs: KILL - 3 * DAY, stepSeconds: 60 },
      { startMs: KILL - 6 * HOUR, endMs: KILL, stepSeconds: 60 },
      { startMs: KILL + 2 * DAY - 6 * HOUR, endMs: KILL + 2 * DAY, stepSeconds: 60 },
    ]);
    assert.deepEqual(fineSpans([], KILL, OPTIONS), [
      { startMs: KILL - 6 * HOUR, endMs: KILL, stepSeconds: 60 },
    ]);
  });

  it("when a kill falls between two steps, then its detail starts on the coarse span's grid of steps, just before", () => {
    const kills = [KILL - 2 * HOUR - 25_000, KILL];
    assert.equal(historySpan(kills, KILL, OPTIONS).startMs, KILL - 7 * DAY);
    assert.deepEqual(fineSpans(kills, KILL, OPTIONS), [
      { startMs: KILL - 8 * HOUR - 60_000, endMs: KILL, stepSeconds: 60 },
    ]);
  });

  it("when the latest kill is long past, then the span stops days after it; without kills it ends now", () => {
    assert.equal(historySpan([KILL], KILL + 90 * DAY, OPTIONS).endMs, KILL + 7 * DAY);
    assert.equal(historySpan([KILL], KILL - HOUR, OPTIONS).endMs, KILL, "a node clock ahead of ours");
    assert.deepEqual(historySpan([], KILL, OPTIONS), {
      startMs: KILL - 7 * DAY,
      endMs: KILL,
      stepSeconds: COARSE_STEP_SECONDS,
    });
  });

  it("when kills come close together, then their picture windows merge", () => {
    assert.deepEqual(pictureWindows([KILL, KILL - 2 * HOUR, KILL - 3 * DAY], 6), [
      { startMs: KILL - 3 * DAY - 6 * HOUR, endMs: KILL - 3 * DAY },
      { startMs: KILL - 8 * HOUR, endMs: KILL },
    ]);
  });
});

describe("the names a workload's controller gives its pods", () => {
  const matches = (pattern: string | null, name: string) =>
    pattern !== null && new RegExp(`^(?:${pattern})$`).test(name);

  it("when the workload is a Deployment, then its replaced pods match and a sibling Deployment's do not", () => {
    const pattern = podNamePattern({ kind: "Deployment", name: "systembusiness-deployment" });
    assert.ok(matches(pattern, "systembusiness-deployment-5c6969978b-hx5lt"));
    assert.ok(matches(pattern, "systembusiness-deployment-7d4b9c8f6d-q2w9z"));
    assert.ok(!matches(pattern, "systembusiness-deployment-v2-5c6969978b-hx5lt"));
    assert.ok(!matches(pattern, "systembusiness-deployment-5c6969978b-hx5lt-extra"));
  });

  it("when the workload is a StatefulSet, a CronJob or a bare pod, then its own naming applies", () => {
    assert.ok(matches(podNamePattern({ kind: "StatefulSet", name: "db.primary" }), "db.primary-12"));
    assert.ok(!matches(podNamePattern({ kind: "StatefulSet", name: "db.primary" }), "dbxprimary-12"));
    assert.ok(matches(podNamePattern({ kind: "CronJob", name: "report" }), "report-28470960-x7k2p"));
    assert.equal(podNamePattern({ kind: "Pod", name: "lonely" }), null);
  });
});
