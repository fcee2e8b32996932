// Which thread each pending kill of a channel goes to: workload threads of the day, node threads for
// node pressure, one summary past the storm limit; quiet hours hold, minimum severities drop.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AlertSubscription, AlertThread, Kill } from "../../../src/alerts/model.js";
import { type DeliveryInput, deliveryDay, planDelivery } from "../../../src/alerts/storm.js";
import { alertSubscription } from "../../harness/alert-kills.js";

const NOW = Date.parse("2024-01-02T10:00:00Z");
const DAY = "2024-01-02";

const subscription = (overrides: Partial<AlertSubscription> = {}): AlertSubscription =>
  alertSubscription({ scope: "all", ...overrides });

let serial = 0;
function kill(overrides: Partial<Kill> = {}): Kill {
  serial++;
  const workload = overrides.workload ?? "Deployment/api";
  return {
    id: `oom/uid-${serial}/app/${serial}`,
    kind: "oom-killed",
    cluster: "prod-eu",
    namespace: "production",
    pod: `${workload.split("/")[1]}-${serial}`,
    podUid: `uid-${serial}`,
    container: "app",
    node: "k8s-node-01",
    workload,
    at: new Date(NOW - 60_000 + serial).toISOString(),
    message: null,
    process: null,
    ...overrides,
  };
}

const thread = (subject: string, overrides: Partial<AlertThread> = {}): AlertThread => ({
  channel: "C0ALERTS",
  subject,
  day: DAY,
  places: [],
  shown: null,
  ts: "1704189600.000100",
  kills: 1,
  killIds: ["earlier"],
  openedAt: "2024-01-02T08:00:00Z",
  ...overrides,
});

const plan = (kills: Kill[], overrides: Partial<DeliveryInput> = {}) =>
  planDelivery({
    nowMs: NOW,
    channel: "C0ALERTS",
    kills,
    subscriptions: [subscription()],
    threads: [],
    openingsLast10Min: 0,
    limits: { maxNewThreads: 5, nodeStormKills: 5 },
    ...overrides,
  });

const shape = (result: ReturnType<typeof plan>) =>
  result.threads.map((t) => ({ subject: t.subject, existing: t.existing !== null, kills: t.kills.length }));

describe("workload threads", () => {
  it("when a workload is killed for the first time today, then one new thread investigates the kill", () => {
    const first = kill();
    const result = plan([first]);
    assert.deepEqual(result.threads, [
      {
        subject: "workload:production/Deployment/api",
        day: DAY,
        existing: null,
        kills: [first],
        severity: "warning",
        investigate: first,
      },
    ]);
    assert.equal(result.newThreads, 1);
  });

  it("when the workload has a thread today, then its kills go there, and its third kill of the day is critical", () => {
    const today = thread("workload:production/Deployment/api", { kills: 2 });
    const third = kill();
    const result = plan([third], { threads: [today] });
    assert.equal(result.threads[0]?.existing, today);
    assert.equal(result.threads[0]?.severity, "critical");
    assert.equal(result.newThreads, 0);
  });

  it("when yesterday's thread is all there is, then a new one opens", () => {
    const result = plan([kill()], {
      threads: [thread("workload:production/Deployment/api", { day: "2024-01-01" })],
    });
    assert.equal(result.newThreads, 1);
  });

  it("when a workload's kill and a silent kill come together, then both are in its thread and the kill is investigated", () => {
    const oom = kill();
    const child = kill({ kind: "child-process" });
    const result = plan([oom, child]);
    assert.deepEqual(shape(result), [
      { subject: "workload:production/Deployment/api", existing: false, kills: 2 },
    ]);
    assert.equal(result.threads[0]?.investigate, oom);
  });

  it("when only silent kills are in a workload thread, then there is nothing to investigate", () => {
    assert.equal(plan([kill({ kind: "child-process" })]).threads[0]?.investigate, null);
  });
});

describe("node threads", () => {
  it("when node pressure kills enough distinct pods on one node at once, then one node thread takes them all", () => {
    const kills = ["a", "b", "c", "d", "e"].map((name) =>
      kill({ workload: `Deployment/${name}`, node: "k8s-node-04" }),
    );
    const result = plan([...kills, kill({ node: "k8s-node-02" })]);
    assert.deepEqual(shape(result), [
      { subject: "node:k8s-node-04", existing: false, kills: 5 },
      { subject: "workload:production/Deployment/api", existing: false, kills: 1 },
    ]);
    assert.equal(result.threads[0]?.investigate, null);
  });

  it("when the same pod is killed again and again, then it is no node storm", () => {
    const kills = [1, 2, 3, 4, 5].map(() => kill({ podUid: "same", node: "k8s-node-04" }));
    assert.deepEqual(shape(plan(kills)), [
      { subject: "workload:production/Deployment/api", existing: false, kills: 5 },
    ]);
  });

  it("when the node has a thread today, then its later kills go there; silent kills still go to their workload", () => {
    const nodeThread = thread("node:k8s-node-04");
    const result = plan(
      [kill({ node: "k8s-node-04" }), kill({ node: "k8s-node-04", kind: "child-process" })],
      {
        threads: [nodeThread],
      },
    );
    assert.deepEqual(shape(result), [
      { subject: "node:k8s-node-04", existing: true, kills: 1 },
      { subject: "workload:production/Deployment/api", existing: false, kills: 1 },
    ]);
  });

  it("when the node's kernel ran out of memory, then the kill goes to the node's thread, critical", () => {
    const systemOom = kill({ kind: "system-oom", namespace: null, pod: null, podUid: null, workload: null });
    const result = plan([systemOom]);
    assert.deepEqual(shape(result), [{ subject: "node:k8s-node-01", existing: false, kills: 1 }]);
    assert.equal(result.threads[0]?.severity, "critical");
  });
});

describe("storm control", () => {
  const workloads = (count: number) =>
    Array.from({ length: count }, (_, index) =>
      kill({ workload: `Deployment/svc-${index}`, node: `k8s-node-${index}` }),
    );

  it("when more workloads would open threads than the channel may in ten minutes, then the rest share one summary", () => {
    const kills = workloads(6);
    const result = plan(kills, { openingsLast10Min: 1, limits: { maxNewThreads: 3, nodeStormKills: 5 } });
    assert.deepEqual(
      result.threads.map((t) => t.subject),
      ["workload:production/Deployment/svc-0", "workload:production/Deployment/svc-1", "summary"],
    );
    assert.deepEqual(result.threads[2]?.kills, kills.slice(2));
    assert.equal(result.threads[2]?.investigate, null);
    assert.equal(result.newThreads, 3);
  });

  it("when a summary opened within ten minutes, then it takes the overflow again; an older one does not", () => {
    const limits = { maxNewThreads: 0, nodeStormKills: 5 };
    const recent = thread("summary", { openedAt: new Date(NOW - 9 * 60_000).toISOString() });
    const reused = plan(workloads(2), { limits, threads: [recent] });
    assert.equal(reused.threads[0]?.existing, recent);
    assert.equal(reused.newThreads, 0);
    const old = thread("summary", { openedAt: new Date(NOW - 11 * 60_000).toISOString() });
    const fresh = plan(workloads(2), { limits, threads: [old] });
    assert.equal(fresh.threads[0]?.existing, null);
    assert.equal(fresh.newThreads, 1);
  });

  it("when workloads already have threads today, then storm control does not hold them back", () => {
    const kills = workloads(2);
    const result = plan(kills, {
      openingsLast10Min: 9,
      limits: { maxNewThreads: 3, nodeStormKills: 5 },
      threads: [
        thread("workload:production/Deployment/svc-0"),
        thread("workload:production/Deployment/svc-1"),
      ],
    });
    assert.deepEqual(shape(result), [
      { subject: "workload:production/Deployment/svc-0", existing: true, kills: 1 },
      { subject: "workload:production/Deployment/svc-1", existing: true, kills: 1 },
    ]);
  });
});

describe("quiet hours and minimum severity", () => {
  // 10:00 UTC is 18:00 in Shanghai.
  const evening = { quiet: { from: "17:00", to: "08:00" }, tz: "Asia/Shanghai" };

  it("when every listening subscription is quiet, then kills below critical are held and critical ones posted", () => {
    const warning = kill();
    const critical = kill({ kind: "system-oom", namespace: null, workload: null, pod: null, podUid: null });
    const result = plan([warning, critical], { subscriptions: [subscription(evening)] });
    assert.deepEqual(result.held, [warning]);
    assert.deepEqual(
      result.threads.map((t) => t.kills),
      [[critical]],
    );
  });

  it("when one listening subscription is not quiet, then the kill is posted", () => {
    const result = plan([kill()], { subscriptions: [subscription(evening), subscription({ id: "w2" })] });
    assert.deepEqual(result.held, []);
    assert.equal(result.threads.length, 1);
  });

  it("when the only subscription awake wants louder kills, then a quieter kill is held, not posted", () => {
    const subscriptions = [subscription(evening), subscription({ id: "w2", minSeverity: "critical" })];
    const child = kill({ kind: "child-process" });
    assert.deepEqual(plan([child], { subscriptions }).held, [child]);
  });

  it("when no subscription covering the kill wants it this quiet, or none covers it, then it is dropped", () => {
    const loud = subscription({ minSeverity: "critical" });
    const child = kill({ kind: "child-process" });
    assert.deepEqual(plan([child], { subscriptions: [loud] }).dropped, [child]);
    const elsewhere = kill({ namespace: "staging" });
    assert.deepEqual(plan([elsewhere], { subscriptions: [subscription({ scope: "production" })] }).dropped, [
      elsewhere,
    ]);
  });
});

describe("the delivery day", () => {
  it("when subscriptions are in different zones, then the oldest one's calendar decides", () => {
    const subscriptions = [
      subscription({ id: "b", tz: "UTC", createdAt: "2024-01-01T00:00:00Z" }),
      subscription({ id: "a", tz: "Asia/Shanghai", createdAt: "2023-06-01T00:00:00Z" }),
    ];
    assert.equal(deliveryDay(subscriptions, Date.parse("2024-01-02T17:00:00Z")), "2024-01-03");
    assert.equal(deliveryDay([], Date.parse("2024-01-02T17:00:00Z")), "2024-01-02");
  });
});
