// New kills in what the watch hands over: a pod judged against what was seen of its containers, and
// the kubelet's SystemOOM node events.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventKill, evictionSeenKey, podKills, seenKeysOf } from "../../../src/alerts/detect.js";
import type { SeenContainer } from "../../../src/alerts/model.js";
import { podObject } from "../../harness/pods.js";

const UID = "3b0f6d7e-5a8c-4b1e-9f2d-7c4e1a9b8d21";
const KEY = `${UID}/app`;
const SINCE = Date.parse("2024-01-01T12:00:00Z");
const options = { cluster: "prod-eu", sinceMs: SINCE };
const seenOf = (...entries: SeenContainer[]) => new Map(entries.map((entry) => [entry.key, entry]));

/** A Deployment's pod whose container `app` was OOM-killed at `finishedAt`, and runs again. */
const oomPod = (finishedAt: string, restartCount = 3) =>
  podObject({
    uid: UID,
    name: "api-7d9c5b6f4-x2x9q",
    namespace: "production",
    node: "k8s-node-04",
    owner: { kind: "ReplicaSet", name: "api-7d9c5b6f4" },
    lastContainerId: "9c41e7d0b2a5",
    currentContainerId: "a1b2c3d4e5f6",
    finishedAt,
    restartCount,
  });

describe("kills in a pod", () => {
  it("when a container's last termination is a new OOMKilled, then it is one kill with the conventional id, and seen", () => {
    const { kills, seen } = podKills(oomPod("2024-01-02T03:04:05Z"), new Map(), options);
    assert.deepEqual(kills, [
      {
        id: `oom/${UID}/app/2024-01-02T03:04:05Z`,
        kind: "oom-killed",
        cluster: "prod-eu",
        namespace: "production",
        pod: "api-7d9c5b6f4-x2x9q",
        podUid: UID,
        container: "app",
        node: "k8s-node-04",
        workload: "Deployment/api",
        at: "2024-01-02T03:04:05Z",
        message: null,
        process: null,
      },
    ]);
    assert.deepEqual(seen, [{ key: KEY, finishedAt: "2024-01-02T03:04:05Z", restartCount: 3 }]);
  });

  it("when the same termination was seen already, then there is no kill and nothing to record", () => {
    const before = seenOf({ key: KEY, finishedAt: "2024-01-02T03:04:05Z", restartCount: 3 });
    assert.deepEqual(podKills(oomPod("2024-01-02T03:04:05Z"), before, options), { kills: [], seen: [] });
  });

  it("when a later termination follows the seen one, then it is a kill even before watching began", () => {
    const before = seenOf({ key: KEY, finishedAt: "2023-12-30T00:00:00Z", restartCount: 2 });
    const { kills } = podKills(oomPod("2023-12-31T00:00:00Z"), before, options);
    assert.deepEqual(
      kills.map((kill) => kill.id),
      [`oom/${UID}/app/2023-12-31T00:00:00Z`],
    );
  });

  it("when a termination never seen finished before watching began, then it is history: no kill, but seen", () => {
    const { kills, seen } = podKills(oomPod("2024-01-01T11:59:59Z"), new Map(), options);
    assert.deepEqual(kills, []);
    assert.equal(seen[0]?.finishedAt, "2024-01-01T11:59:59Z");
  });

  it("when a stale copy of the pod shows an older termination than seen, then nothing alerts and seen stays", () => {
    const before = seenOf({ key: KEY, finishedAt: "2024-01-03T00:00:00Z", restartCount: 4 });
    assert.deepEqual(podKills(oomPod("2024-01-02T03:04:05Z"), before, options), { kills: [], seen: [] });
  });

  it("when only the restart count moved, then it is recorded without a kill", () => {
    const before = seenOf({ key: KEY, finishedAt: "2024-01-02T03:04:05Z", restartCount: 3 });
    const { kills, seen } = podKills(oomPod("2024-01-02T03:04:05Z", 4), before, options);
    assert.deepEqual(kills, []);
    assert.deepEqual(seen, [{ key: KEY, finishedAt: "2024-01-02T03:04:05Z", restartCount: 4 }]);
  });

  it("when the termination was not an OOM kill, then it is seen but not a kill", () => {
    const pod = podObject({ uid: UID, lastContainerId: "9c41", reason: "Error", exitCode: 1 });
    const { kills, seen } = podKills(pod, new Map(), { ...options, sinceMs: 0 });
    assert.deepEqual(kills, []);
    assert.equal(seen.length, 1);
  });

  it("when an init container was OOM-killed, then it is a kill too", () => {
    const pod = oomPod("2024-01-02T03:04:05Z") as {
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    pod.spec.initContainers = [{ name: "migrate", resources: { limits: { memory: "64Mi" } } }];
    pod.status.initContainerStatuses = [
      {
        name: "migrate",
        restartCount: 1,
        state: { running: { startedAt: "2024-01-02T03:00:10Z" } },
        lastState: {
          terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: "2024-01-02T03:00:09Z" },
        },
      },
    ];
    const { kills } = podKills(pod, new Map(), options);
    assert.deepEqual(kills.map((kill) => kill.container).sort(), ["app", "migrate"]);
  });

  const memoryEviction = {
    phase: "Failed",
    reason: "Evicted",
    message:
      "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52400Ki. Container app was using 1200Mi, request is 256Mi, has larger consumption of request. ",
    conditions: [{ type: "DisruptionTarget", status: "True", lastTransitionTime: "2024-01-02T05:00:00Z" }],
    containerStatuses: [
      { name: "app", restartCount: 0, state: { terminated: { reason: "ContainerStatusUnknown" } } },
    ],
  };

  it("when the kubelet evicted the pod for memory, then it is one evicted kill, at the disruption, naming the container", () => {
    const pod = podObject({ uid: UID, namespace: "production", status: memoryEviction });
    const { kills, seen } = podKills(pod, new Map(), options);
    assert.equal(kills.length, 1);
    assert.equal(kills[0]?.id, `evicted/${UID}`);
    assert.equal(kills[0]?.kind, "evicted");
    assert.equal(kills[0]?.at, "2024-01-02T05:00:00Z");
    assert.equal(kills[0]?.container, "app");
    assert.match(kills[0]?.message ?? "", /low on resource: memory/);
    assert.deepEqual(seen, [
      { key: evictionSeenKey(UID), finishedAt: "2024-01-02T05:00:00Z", restartCount: 0 },
    ]);
    assert.deepEqual(podKills(pod, new Map(seen.map((entry) => [entry.key, entry])), options).kills, []);
  });

  it("when the evicted containers show when they stopped, then the latest stop is the eviction's time", () => {
    const status = {
      ...memoryEviction,
      containerStatuses: [
        {
          name: "app",
          restartCount: 0,
          state: { terminated: { reason: "Error", exitCode: 137, finishedAt: "2024-01-02T04:59:58Z" } },
        },
      ],
    };
    assert.equal(
      podKills(podObject({ uid: UID, status }), new Map(), options).kills[0]?.at,
      "2024-01-02T04:59:58Z",
    );
  });

  it("when the eviction happened before watching began, then it is history: seen, no kill", () => {
    const { kills, seen } = podKills(podObject({ uid: UID, status: memoryEviction }), new Map(), {
      ...options,
      sinceMs: Date.parse("2024-01-03T00:00:00Z"),
    });
    assert.deepEqual(kills, []);
    assert.deepEqual(
      seen.map((entry) => entry.key),
      [evictionSeenKey(UID)],
    );
  });

  it("when the eviction was for disk, then it is no kill", () => {
    const status = {
      ...memoryEviction,
      message: "The node was low on resource: ephemeral-storage. Container app was using 10Gi, request is 0.",
    };
    assert.deepEqual(podKills(podObject({ uid: UID, status }), new Map(), options).kills, []);
  });

  it("when the pod has no UID or is not a pod, then nothing, and nothing throws", () => {
    const noUid = podObject({ uid: UID }) as { metadata: Record<string, unknown> };
    delete noUid.metadata.uid;
    for (const input of [
      noUid,
      null,
      42,
      "pod",
      [],
      { kind: "List", items: [oomPod("2024-01-02T00:00:00Z")] },
    ])
      assert.deepEqual(podKills(input, new Map(), options), { kills: [], seen: [] });
  });

  it("when asked which keys to fetch, then every container's and the eviction's", () => {
    assert.deepEqual(seenKeysOf(oomPod("2024-01-02T00:00:00Z")), [KEY, evictionSeenKey(UID)]);
    assert.deepEqual(seenKeysOf({}), []);
  });
});

/** A SystemOOM event as the kubelet records it (core/v1 Event, JSON). */
const systemOom = (message: string, overrides: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: {
    name: "k8s-node-04.17a9f0c2b3d4e5f6",
    namespace: "default",
    uid: "5e1f0c1a-0a6b-4e44-9d0b-1f8c2a7d3e11",
  },
  involvedObject: { kind: "Node", name: "k8s-node-04", uid: "k8s-node-04" },
  reason: "SystemOOM",
  message,
  source: { component: "kubelet", host: "k8s-node-04" },
  firstTimestamp: "2024-01-02T03:00:00Z",
  lastTimestamp: "2024-01-02T03:04:05Z",
  count: 2,
  type: "Warning",
  ...overrides,
});

describe("kills in events", () => {
  it("when the kubelet reports a system OOM with its victim, then it is a system-oom kill of the node", () => {
    const kill = eventKill(systemOom("System OOM encountered, victim process: java, pid: 31337"), "prod-eu");
    assert.deepEqual(kill, {
      id: "system-oom/5e1f0c1a-0a6b-4e44-9d0b-1f8c2a7d3e11/2",
      kind: "system-oom",
      cluster: "prod-eu",
      namespace: null,
      pod: null,
      podUid: null,
      container: null,
      node: "k8s-node-04",
      workload: null,
      at: "2024-01-02T03:04:05Z",
      message: "System OOM encountered, victim process: java, pid: 31337",
      process: { name: "java", pid: 31337, residentBytes: null, limitBytes: null },
    });
  });

  it("when the victim's name holds a comma and a space, then the pid is still the last number", () => {
    const kill = eventKill(systemOom("System OOM encountered, victim process: py (wk), 2, pid: 77"), "c");
    assert.deepEqual(kill?.process, { name: "py (wk), 2", pid: 77, residentBytes: null, limitBytes: null });
  });

  it("when cAdvisor did not know the victim, then the kill has no process", () => {
    const kill = eventKill(systemOom("System OOM encountered"), "c");
    assert.equal(kill?.process, null);
    assert.equal(kill?.message, "System OOM encountered");
  });

  it("when the event is a series with an event time only, then its time and series count are used", () => {
    const kill = eventKill(
      systemOom("System OOM encountered", {
        lastTimestamp: null,
        firstTimestamp: null,
        count: undefined,
        eventTime: "2024-01-02T03:04:05.123456Z",
        series: { count: 5, lastObservedTime: "2024-01-02T03:04:05.123456Z" },
      }),
      "c",
    );
    assert.equal(kill?.at, "2024-01-02T03:04:05.123456Z");
    assert.equal(kill?.id, "system-oom/5e1f0c1a-0a6b-4e44-9d0b-1f8c2a7d3e11/5");
  });

  it("when the event is another reason, about a pod, or has no time, then it is no kill", () => {
    assert.equal(eventKill(systemOom("x", { reason: "Evicted" }), "c"), null);
    assert.equal(eventKill(systemOom("x", { involvedObject: { kind: "Pod", name: "p" } }), "c"), null);
    assert.equal(
      eventKill(systemOom("x", { lastTimestamp: null, firstTimestamp: "soon", eventTime: undefined }), "c"),
      null,
    );
    assert.equal(eventKill(undefined, "c"), null);
  });
});
