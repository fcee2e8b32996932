// The cluster watch with the real @kubernetes/client-node against the fake API server over HTTPS,
// which speaks the watch protocol as kube-apiserver does: one resourceVersion counter, a bounded
// history to resume from, BOOKMARKs, and `410 Expired` for a resume from before it.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import type { WatchHandlers, WatchStats } from "../../src/alerts/ports.js";
import { KubernetesCluster } from "../../src/k8s/cluster.js";
import { KubernetesWatch } from "../../src/k8s/watch.js";
import type { Level } from "../../src/ops/log.js";
import { FakeKubeApi } from "../harness/fake-kube-api.js";
import { type PodSpec, podObject } from "../harness/pods.js";
import { makeTls, type Tls } from "../harness/tls.js";
import { untilEvent } from "../harness/until.js";

type Json = Record<string, unknown>;

type Call =
  | { kind: "relisted"; pods: Json[] }
  | { kind: "pod"; type: string; pod: Json }
  | { kind: "event"; event: Json };

function nameOf(object: Json): string {
  const meta = object.metadata as Json;
  return `${String(meta.namespace)}/${String(meta.name)}`;
}

/** The first container's last termination time, as the object carries it. */
function finishedAtOf(pod: Json | undefined): unknown {
  const statuses = ((pod?.status as Json | undefined)?.containerStatuses ?? []) as Json[];
  return ((statuses[0]?.lastState as Json | undefined)?.terminated as Json | undefined)?.finishedAt;
}

/** What the watch handed over, told, and logged, with a way to wait for it. */
class Recorder {
  readonly calls: Call[] = [];
  readonly stats = { reconnected: [] as string[], relisted: [] as string[] };
  readonly logs: Array<{ level: Level; message: string; fields: Json }> = [];
  private readonly happened = new EventEmitter();
  /** Blocks pod handler calls until released, to see what the watch does meanwhile. */
  gate: Promise<void> | null = null;

  readonly handlers: WatchHandlers = {
    relisted: async (pods) => this.note({ kind: "relisted", pods: pods as Json[] }),
    pod: async (type, pod) => {
      this.note({ kind: "pod", type, pod: pod as Json });
      await this.gate;
    },
    event: async (event) => this.note({ kind: "event", event: event as Json }),
  };

  readonly watchStats: WatchStats = {
    reconnected: (stream) => {
      this.stats.reconnected.push(stream);
      this.happened.emit("changed");
    },
    relisted: (stream) => {
      this.stats.relisted.push(stream);
      this.happened.emit("changed");
    },
  };

  readonly log = (level: Level, message: string, fields: Json = {}) => {
    this.logs.push({ level, message, fields });
    this.happened.emit("changed");
  };

  /** Pod changes handed over, as `TYPE namespace/name`. */
  podChanges(): string[] {
    return this.calls.flatMap((call) => (call.kind === "pod" ? [`${call.type} ${nameOf(call.pod)}`] : []));
  }

  events(): string[] {
    return this.calls.flatMap((call) =>
      call.kind === "event" ? [`${String(call.event.reason)} ${nameOf(call.event)}`] : [],
    );
  }

  relistedPods(): Json[][] {
    return this.calls.flatMap((call) => (call.kind === "relisted" ? [call.pods] : []));
  }

  relists(): string[][] {
    return this.relistedPods().map((pods) => pods.map(nameOf).sort());
  }

  /** The pods of the changes of one type, in order. */
  changedPods(type: string): Json[] {
    return this.calls.flatMap((call) => (call.kind === "pod" && call.type === type ? [call.pod] : []));
  }

  until<T>(check: () => T | null | undefined | false, describe: () => string): Promise<T> {
    return untilEvent(this.happened, "changed", check, describe, 20_000);
  }

  private note(call: Call): void {
    this.calls.push(call);
    this.happened.emit("changed");
  }
}

function pod(name: string, node = "node-1", extra: Partial<PodSpec> = {}): Json {
  return podObject({ name, uid: `uid-${name}`, namespace: "shop", node, ...extra });
}

function memoryEvent(name: string, reason: string, count = 1, type = "Warning"): Json {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    involvedObject: { kind: "Node", name: "node-1" },
    reason,
    message: `${reason} on node-1`,
    type,
    count,
    source: { component: "kubelet", host: "node-1" },
    lastTimestamp: "2024-01-02T00:00:00Z",
  };
}

describe("the cluster watch", () => {
  let dir: string;
  let tls: Tls;
  let api: FakeKubeApi;
  let config: KubeConfig;
  let recorder: Recorder;
  const running: KubernetesWatch[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "oom-doctor-watch-"));
    tls = makeTls(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function cluster(pods: Json[] = [], events: Json[] = []): Promise<void> {
    api = new FakeKubeApi(tls);
    await api.start();
    api.state.pods.push(...pods);
    api.state.events.push(...events);
    config = new KubeConfig();
    config.loadFromFile(api.writeKubeconfig(dir));
    recorder = new Recorder();
  }

  function watcher(): KubernetesWatch {
    const watch = new KubernetesWatch(config, {
      pageSize: 2,
      log: recorder.log,
      backoffMs: { first: 20, max: 200 },
    });
    running.push(watch);
    return watch;
  }

  async function started(): Promise<KubernetesWatch> {
    const watch = watcher();
    const result = await watch.start(recorder.handlers, recorder.watchStats);
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    await untilEvent(
      api.watches.activity,
      "changed",
      () => api.watchCount === 2,
      () => "both watches open",
    );
    return watch;
  }

  function watchesOpenAgain(): Promise<boolean> {
    return untilEvent(
      api.watches.activity,
      "changed",
      () => api.watchCount === 2,
      () => `two open watches (${api.watchCount})`,
    );
  }

  afterEach(async () => {
    for (const watch of running.splice(0)) await watch.stop();
    await api.stop();
  });

  it("when started, then the pod list comes first and live changes follow in order, as the API's JSON", async () => {
    await cluster(
      [
        pod("a", "node-1", { lastContainerId: "c-a", finishedAt: "2024-01-02T03:04:05Z" }),
        pod("b"),
        pod("c"),
      ],
      [
        memoryEvent("oom.1", "SystemOOM"),
        memoryEvent("backoff.1", "BackOff"),
        memoryEvent("pulled.1", "Pulled", 1, "Normal"),
      ],
    );
    await started();
    assert.deepEqual(recorder.relists(), [["shop/a", "shop/b", "shop/c"]], "every page of the list, once");
    assert.equal(recorder.calls[0]?.kind, "relisted", "the list is handed over before anything else");
    assert.equal(
      finishedAtOf(recorder.relistedPods()[0]?.[0]),
      "2024-01-02T03:04:05Z",
      "timestamps as the API wrote them",
    );

    const watches = api.watchRequests;
    assert.deepEqual(
      watches.map((request) => [request.resource, request.resourceVersion, request.allowWatchBookmarks]),
      [
        ["pods", "1", true],
        ["events", "1", true],
      ],
      "each watch starts where its list ended, bookmarks allowed",
    );
    assert.equal(watches[1]?.fieldSelector, "type=Warning", "events are narrowed on the server");

    api.upsertPod(pod("d"));
    api.upsertPod(pod("a", "node-1", { lastContainerId: "c-a2", finishedAt: "2024-01-02T05:06:07Z" }));
    api.deletePod("shop", "b");
    api.upsertEvent(memoryEvent("evicted.1", "Evicted"));
    api.upsertEvent(memoryEvent("backoff.2", "BackOff"));
    api.upsertEvent(memoryEvent("oom.1", "SystemOOM", 2));
    await recorder.until(
      () => recorder.podChanges().length === 3 && recorder.events().length === 3,
      () => `three pod changes and three memory events (${recorder.podChanges()}; ${recorder.events()})`,
    );
    assert.deepEqual(recorder.podChanges(), ["ADDED shop/d", "MODIFIED shop/a", "DELETED shop/b"]);
    assert.deepEqual(
      recorder.events(),
      ["SystemOOM default/oom.1", "Evicted default/evicted.1", "SystemOOM default/oom.1"],
      "memory events only: the listed one, then the live ones, a repeat counted up included",
    );
    assert.equal(finishedAtOf(recorder.changedPods("MODIFIED")[0]), "2024-01-02T05:06:07Z");
  });

  it("when the stream drops, then it resumes from the last resourceVersion: no relist, nothing repeated, nothing missed", async () => {
    await cluster([pod("a"), pod("b")]);
    await started();
    const seen = api.upsertPod(pod("c"));
    await recorder.until(
      () => recorder.podChanges().length === 1,
      () => "the first live change",
    );

    const down = api.hold("/api/v1/pods", "GET");
    api.dropWatches();
    await down.arrived;
    // Changes made while the watch is down are what a resume must bring, once each.
    api.upsertPod(pod("d"));
    api.upsertPod(pod("a", "node-2"));
    api.deletePod("shop", "c");
    down.release();

    await recorder.until(
      () => recorder.podChanges().length === 4,
      () => `the three changes made while down (${recorder.podChanges()})`,
    );
    assert.deepEqual(recorder.podChanges(), [
      "ADDED shop/c",
      "ADDED shop/d",
      "MODIFIED shop/a",
      "DELETED shop/c",
    ]);
    const resumed = api.watchRequests.filter((request) => request.resource === "pods");
    assert.deepEqual(
      resumed.map((request) => request.resourceVersion),
      ["1", seen],
      "resumed from the last change seen",
    );
    assert.equal(recorder.relists().length, 1, "no list after the first");
    assert.deepEqual(recorder.stats.relisted, []);
    assert.ok(recorder.stats.reconnected.includes("pods"));

    api.upsertPod(pod("e"));
    await recorder.until(
      () => recorder.podChanges().includes("ADDED shop/e"),
      () => "a live change after the resume",
    );
    assert.equal(recorder.podChanges().length, 5);
  });

  it("when a BOOKMARK came before the stream ended, then it resumes from the bookmark's resourceVersion", async () => {
    await cluster([pod("a")]);
    await started();
    // Other objects change: the cluster's resourceVersion moves on without a pod change.
    api.upsertEvent(memoryEvent("backoff.1", "BackOff"));
    api.upsertEvent(memoryEvent("backoff.2", "BackOff"));
    const bookmarked = api.watches.revision;
    assert.ok(bookmarked > 1);

    const held = api.hold("/api/v1/pods", "GET");
    // The server's own timeout: a bookmark, then the stream ends cleanly.
    api.bookmark();
    api.endWatches();
    await held.arrived;
    // A resume from before the bookmark could no longer be served.
    api.expireHistory();
    api.upsertPod(pod("b"));
    held.release();

    await recorder.until(
      () => recorder.podChanges().includes("ADDED shop/b"),
      () => "the change made after the bookmark",
    );
    const pods = api.watchRequests.filter((request) => request.resource === "pods");
    assert.deepEqual(
      pods.map((request) => request.resourceVersion),
      ["1", String(bookmarked)],
    );
    assert.ok(!recorder.stats.relisted.includes("pods"), "no relist of pods");
    assert.deepEqual(recorder.relists(), [["shop/a"]]);
  });

  for (const expiredAs of ["event", "status"] as const) {
    it(`when the history is gone mid-burst (410 as ${expiredAs === "event" ? "an ERROR event" : "an HTTP status"}), then the pods are listed again with the full current state`, async () => {
      await cluster([pod("a"), pod("b"), pod("c")]);
      api.watches.expiredAs = expiredAs;
      await started();
      api.upsertPod(pod("d"));
      api.upsertPod(pod("e"));
      await recorder.until(
        () => recorder.podChanges().length === 2,
        () => "the start of the burst",
      );

      const down = api.hold("/api/v1/pods", "GET");
      api.dropWatches();
      await down.arrived;
      api.upsertPod(pod("f"));
      api.deletePod("shop", "a");
      api.upsertPod(pod("b", "node-2"));
      api.expireHistory();
      const relistedAt = String(api.watches.revision);
      down.release();

      await recorder.until(
        () => recorder.relists().length === 2,
        () => "a second list",
      );
      assert.deepEqual(recorder.relists()[1], ["shop/b", "shop/c", "shop/d", "shop/e", "shop/f"]);
      const b = recorder.relistedPods()[1]?.find((one) => nameOf(one) === "shop/b");
      assert.equal((b?.spec as Json | undefined)?.nodeName, "node-2", "the list shows each pod as it is now");
      assert.deepEqual(
        recorder.podChanges(),
        ["ADDED shop/d", "ADDED shop/e"],
        "nothing replayed one by one",
      );
      assert.ok(recorder.stats.relisted.includes("pods"));
      assert.ok(!recorder.stats.reconnected.includes("pods"), "a refused resume is no resume");

      await watchesOpenAgain();
      api.upsertPod(pod("g"));
      await recorder.until(
        () => recorder.podChanges().includes("ADDED shop/g"),
        () => "a live change after the relist",
      );
      const last = api.watchRequests.filter((request) => request.resource === "pods").at(-1);
      assert.equal(last?.resourceVersion, relistedAt, "watching again from where the new list ended");
    });
  }

  it("when stopped while a handler runs, then no handler is called after stop resolves", async () => {
    await cluster([pod("a")]);
    const watch = await started();
    const witness = new Recorder();
    const other = new KubernetesWatch(config, { pageSize: 10, backoffMs: { first: 20, max: 200 } });
    running.push(other);
    assert.ok((await other.start(witness.handlers, witness.watchStats)).ok);

    let release = () => {};
    recorder.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    api.upsertPod(pod("b"));
    api.upsertPod(pod("c"));
    api.upsertPod(pod("d"));
    await recorder.until(
      () => recorder.podChanges().length === 1,
      () => "the first change, held in its handler",
    );
    await witness.until(
      () => witness.podChanges().length === 3,
      () => "the witness saw all three",
    );

    const stopping = watch.stop();
    release();
    await stopping;
    api.upsertPod(pod("e"));
    await witness.until(
      () => witness.podChanges().includes("ADDED shop/e"),
      () => "the witness saw the change made after stop",
    );
    assert.deepEqual(
      recorder.podChanges(),
      ["ADDED shop/b"],
      "what was queued behind the running handler was dropped",
    );
    assert.equal(
      api.watchRequests.filter((request) => request.resource === "pods").length,
      2,
      "the stopped watch did not come back (one request each)",
    );
  });

  it("when the cluster-wide watch of pods is forbidden at start, then the error names the grant, and no handler ran", async () => {
    await cluster([pod("a")]);
    api.clusterWideForbidden.add("watch pods");
    const result = await watcher().start(recorder.handlers, recorder.watchStats);
    assert.equal(result.ok, false);
    assert.equal(result.ok ? null : result.error.kind, "forbidden");
    assert.match(
      result.ok ? "" : result.error.message,
      /cannot watch pods in all namespaces: grant watch on pods/,
    );
    assert.deepEqual(recorder.calls, [], "the list was not handed over");
    assert.equal(api.watchCount, 0);
  });

  it("when listing events cluster-wide is forbidden at start, then the error names that grant", async () => {
    await cluster([pod("a")]);
    api.clusterWideForbidden.add("list events");
    const result = await watcher().start(recorder.handlers, recorder.watchStats);
    assert.match(
      result.ok ? "" : result.error.message,
      /cannot list events in all namespaces: grant list on events/,
    );
    assert.deepEqual(recorder.calls, []);
    await untilEvent(
      api.watches.activity,
      "changed",
      () => api.watchCount === 0,
      () => "the pod watch closed",
    );
  });

  it("when resuming fails after start, then it retries with a growing wait, logs each failure, and resumes", async () => {
    await cluster([pod("a")]);
    await started();
    api.upsertPod(pod("b"));
    await recorder.until(
      () => recorder.podChanges().length === 1,
      () => "a live change",
    );
    api.clusterWideForbidden.add("watch pods");
    api.dropWatches();
    await recorder.until(
      () => recorder.logs.filter((log) => log.message === "resuming the watch failed").length >= 3,
      () => "three failed resumes",
    );
    const waits = recorder.logs
      .filter((log) => log.message === "resuming the watch failed" && log.fields.stream === "pods")
      .map((log) => Number(log.fields.retryInMs));
    assert.deepEqual(waits.slice(0, 3), [20, 40, 80]);
    const failure = recorder.logs.find((log) => log.message === "resuming the watch failed");
    assert.match(String(failure?.fields.error), /403/);

    api.upsertPod(pod("c"));
    api.clusterWideForbidden.delete("watch pods");
    await recorder.until(
      () => recorder.podChanges().includes("ADDED shop/c"),
      () => "the change made while the grant was missing",
    );
    assert.deepEqual(recorder.podChanges(), ["ADDED shop/b", "ADDED shop/c"]);
    assert.deepEqual(recorder.stats.relisted, []);
  });
});

describe("pods of one node", () => {
  let dir: string;
  let api: FakeKubeApi;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "oom-doctor-node-pods-"));
    api = new FakeKubeApi(makeTls(dir));
    await api.start();
  });
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when listed, then every page holds only the node's pods, of every namespace", async () => {
    api.state.pods.push(
      podObject({ name: "a", uid: "a", namespace: "shop", node: "node-1" }),
      podObject({ name: "b", uid: "b", namespace: "shop", node: "node-2" }),
      podObject({ name: "c", uid: "c", namespace: "billing", node: "node-1" }),
      podObject({ name: "d", uid: "d", namespace: "kube-system", node: "node-1" }),
    );
    const config = new KubeConfig();
    config.loadFromFile(api.writeKubeconfig(dir));
    const pods = await new KubernetesCluster(config).listPodsOnNode("node-1", 2);
    assert.ok(pods.ok);
    assert.deepEqual(pods.value.map((one) => nameOf(one as Json)).sort(), [
      "billing/c",
      "kube-system/d",
      "shop/a",
    ]);
    const lists = api.requests.filter((request) => request.startsWith("GET /api/v1/pods?"));
    assert.equal(lists.length, 2, "two pages");
    assert.ok(
      lists.every(
        (request) =>
          new URL(request.slice(4), api.url).searchParams.get("fieldSelector") === "spec.nodeName=node-1",
      ),
    );
  });
});
