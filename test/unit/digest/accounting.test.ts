// Restart accounting over a scripted two-day history: pods restart, one is replaced, one deleted.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { readPods } from "../../../src/analysis/pod.js";
import { containerKey, observe, type RestartEvent, type Seen } from "../../../src/digest/accounting.js";
import { summarise } from "../../../src/digest/summary.js";
import type { FindingJson, Report } from "../../../src/report/model.js";
import { groupByWorkload } from "../../../src/slack/render/workloads.js";
import { fixturePath } from "../../harness/fixtures.js";
import { type PodSpec, podObject } from "../../harness/pods.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-06-01T09:00:00Z");

interface Snapshots {
  seen: Map<string, Seen>;
  atMs: number | null;
  events: RestartEvent[];
}

/** One snapshot of the given pods, as the digest job takes it. */
function snapshot(state: Snapshots, atMs: number, pods: PodSpec[]): Snapshots {
  const parsed = readPods(pods.map(podObject));
  assert.ok(parsed.ok);
  const seen = new Map<string, Seen>();
  const events = [...state.events];
  for (const container of parsed.cases) {
    const key = containerKey(container);
    const observed = observe(container, state.seen.get(key), state.atMs, atMs);
    seen.set(key, observed.seen);
    if (observed.event) events.push(observed.event);
  }
  return { seen, atMs, events };
}

const web = (name: string, uid: string, restarts: number, extra: Partial<PodSpec> = {}): PodSpec => ({
  name,
  uid,
  namespace: "shop",
  owner: { kind: "ReplicaSet", name: "web-7d9c5b6f4" },
  restartCount: restarts,
  createdAt: "2026-05-01T00:00:00Z",
  ...extra,
});

describe("restart accounting from snapshots", () => {
  it("when a workload restarts, then its digest line carries the key a report groups and snoozes it by", () => {
    let state: Snapshots = { seen: new Map(), atMs: null, events: [] };
    state = snapshot(state, T0, [web("web-a", "a", 5)]);
    state = snapshot(state, T0 + HOUR, [web("web-a", "a", 6)]);
    const [line] = summarise(state.events, T0 + HOUR).top;
    assert.equal(line?.key, "shop/Deployment/web");
    const seed = JSON.parse(
      readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
    ) as Report;
    const finding = { ...seed.findings[0], namespace: "shop", workload: { kind: "Deployment", name: "web" } };
    const report = { ...seed, findings: [finding as FindingJson] };
    assert.equal(groupByWorkload(report)[0]?.key, line?.key);
  });

  it("when pods restart, are replaced and deleted over two days, then each day's counts are exact", () => {
    let state: Snapshots = { seen: new Map(), atMs: null, events: [] };
    // Day 0, 09:00: the baseline. Restarts before it are history, not news.
    state = snapshot(state, T0, [web("web-a", "a", 5), web("web-b", "b", 1)]);
    assert.equal(state.events.length, 0);
    // 10:00: web-a restarted twice, the last time OOM-killed.
    const killed = { lastContainerId: "c1", reason: "OOMKilled", finishedAt: "2026-06-01T09:40:00Z" };
    state = snapshot(state, T0 + HOUR, [web("web-a", "a", 7, killed), web("web-b", "b", 1)]);
    // 11:00: web-b restarted once more, then it was deleted and replaced by web-c, which restarted 3 times.
    state = snapshot(state, T0 + 2 * HOUR, [
      web("web-a", "a", 7, killed),
      web("web-b", "b", 2, { lastContainerId: "c2", reason: "Error", finishedAt: "2026-06-01T10:30:00Z" }),
    ]);
    state = snapshot(state, T0 + 3 * HOUR, [
      web("web-a", "a", 7, killed),
      web("web-c", "c", 3, { createdAt: "2026-06-01T11:10:00Z" }),
    ]);
    // Day 1: web-a OOM-killed once more (a new kill: a later finishedAt).
    state = snapshot(state, T0 + 25 * HOUR, [
      web("web-a", "a", 8, { ...killed, finishedAt: "2026-06-02T09:30:00Z" }),
      web("web-c", "c", 3, { createdAt: "2026-06-01T11:10:00Z" }),
    ]);

    const dayOne = summarise(state.events, T0 + 24 * HOUR);
    assert.deepEqual(dayOne.today, { restarts: 6, oomKills: 1, podsAffected: 3, lowerBound: false });
    assert.deepEqual(
      dayOne.top.map((line) => [line.workload, line.restarts, line.oomKills, line.reasons]),
      [["Deployment/web", 6, 1, ["Error", "OOMKilled"]]],
    );
    const dayTwo = summarise(state.events, T0 + 48 * HOUR);
    assert.deepEqual(dayTwo.today, { restarts: 1, oomKills: 1, podsAffected: 1, lowerBound: false });
    assert.deepEqual(dayTwo.yesterday, { restarts: 6, oomKills: 1, podsAffected: 3, lowerBound: false });
  });

  it("when the same OOM kill is still the last termination, then it is not counted again", () => {
    let state: Snapshots = { seen: new Map(), atMs: null, events: [] };
    const killed = { lastContainerId: "c1", reason: "OOMKilled", finishedAt: "2026-06-01T08:00:00Z" };
    state = snapshot(state, T0, [web("web-a", "a", 1, killed)]);
    state = snapshot(state, T0 + HOUR, [web("web-a", "a", 1, killed)]);
    // The first snapshot's count of the kill, as a lower bound; the second adds nothing.
    assert.deepEqual(
      state.events.map((event) => [event.oomKills, event.lowerBound]),
      [[1, true]],
    );
  });
});

describe("a scope's first snapshot", () => {
  const killedAt = (iso: string, reason = "OOMKilled") => ({
    lastContainerId: "c1",
    reason,
    finishedAt: iso,
  });
  // 09:00: three pods OOM-killed at 08:00, one that failed yesterday morning, one never restarted.
  const pods = [
    web("web-a", "a", 4, killedAt("2026-06-01T08:00:00Z")),
    web("web-b", "b", 9, killedAt("2026-06-01T08:01:00Z")),
    web("web-c", "c", 1, killedAt("2026-06-01T08:02:00Z")),
    web("web-d", "d", 2, killedAt("2026-05-31T08:59:00Z", "Error")),
    web("web-e", "e", 0),
  ];

  it("when containers were OOM-killed in the day before it, then each last termination counts, as a lower bound", () => {
    const first = snapshot({ seen: new Map(), atMs: null, events: [] }, T0, pods);
    assert.deepEqual(
      first.events.map((event) => [event.pod, event.atMs, event.restarts, event.oomKills, event.lowerBound]),
      [
        ["a", Date.parse("2026-06-01T08:00:00Z"), 1, 1, true],
        ["b", Date.parse("2026-06-01T08:01:00Z"), 1, 1, true],
        ["c", Date.parse("2026-06-01T08:02:00Z"), 1, 1, true],
      ],
    );
    const model = summarise(first.events, T0);
    assert.deepEqual(model.today, { restarts: 3, oomKills: 3, podsAffected: 3, lowerBound: true });
    assert.deepEqual(model.yesterday, { restarts: 0, oomKills: 0, podsAffected: 0, lowerBound: false });
    assert.deepEqual(model.series[0]?.perDay, [0, 0, 0, 0, 0, 0, 3]);
  });

  it("when the next snapshot sees the same terminations, then they are not counted again, and its own counts are exact", () => {
    let state = snapshot({ seen: new Map(), atMs: null, events: [] }, T0, pods);
    state = snapshot(state, T0 + HOUR, [
      ...pods.slice(0, 4),
      web("web-e", "e", 1, killedAt("2026-06-01T09:30:00Z")),
    ]);
    assert.deepEqual(
      state.events.slice(3).map((event) => [event.pod, event.restarts, event.oomKills, event.lowerBound]),
      [["e", 1, 1, undefined]],
    );
  });
});

describe("new and chronic offenders", () => {
  const event = (day: number, workload: string): RestartEvent => ({
    atMs: T0 + 7 * 24 * HOUR - day * 24 * HOUR - HOUR,
    namespace: "shop",
    pod: `${workload}-${day}`,
    workload,
    restarts: 1,
    oomKills: 0,
    reason: "Error",
  });

  it("when one restarts only today and another every day for four days, then they are new and chronic", () => {
    const events = [event(0, "Deployment/new"), ...[0, 1, 2, 3].map((day) => event(day, "Deployment/old"))];
    const model = summarise(events, T0 + 7 * 24 * HOUR);
    assert.deepEqual(model.newOffenders, ["shop/Deployment/new"]);
    assert.deepEqual(model.chronic, [{ workload: "shop/Deployment/old", days: 4 }]);
    assert.deepEqual(
      model.series.find((line) => line.workload === "shop/Deployment/old")?.perDay,
      [0, 0, 0, 1, 1, 1, 1],
    );
  });
});
