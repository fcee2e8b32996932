// Kill-to-alert latency: the built bot (`oom-doctor all`, a process of its own, on the real Redis)
// watches the fake API server while this process writes OOM kills into it, one after another, each in a
// workload of its own; each kill is timed from the pod's change to its alert thread's root message in
// the fake Slack, and to the investigation's report in that thread. In the same process, on the same
// API server, a bare @kubernetes/client-node Watch of the pods times the watch event's own delivery.

import { EventEmitter } from "node:events";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { botEnv, dropPrefix, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, startCluster } from "../harness/cluster.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { type Boot, exportEntry, oomReport } from "../harness/journal-export.js";
import { podObject } from "../harness/pods.js";
import { untilEvent } from "../harness/until.js";
import { hex, uid } from "./bench-cluster.js";
import { startListening, stop } from "./processes.js";

const NAMESPACE = "shop";
const CHANNEL = "CALERTBENCH";
const NODES = 3;
const TEMPLATE_HASH = "7d9c5b6f4";
/** `alerts.batchSeconds`, the default: part of what the alert's latency measures. */
export const BATCH_SECONDS = 1;
const BOOT: Boot = {
  id: "9e8d7c6b5a4938271605f4e3d2c1b0a9",
  startMicros: Date.now() * 1000 - 86_400_000_000,
};
/** What an investigation's reply in the thread says once its report is done. */
const REPORT = new RegExp(`OOM investigation of \`${NAMESPACE}\`: \\d+ container`);

type Json = Record<string, unknown>;

export interface LatencySamples {
  /** From writing the kill to the alert's root message in Slack. */
  alertMs: number[];
  /** From writing the kill to the bare watch's event. */
  watchMs: number[];
  /** From writing the kill to the investigation's report in the alert's thread. */
  reportMs: number[];
}

/** A Deployment of one pod, on one of the nodes: the kill's workload. */
interface Workload {
  name: string;
  pod: string;
  uid: string;
  deploymentUid: string;
  node: string;
  /** The container the kill ends, and the one that replaces it. */
  killedContainerId: string;
  nextContainerId: string;
  /** `Deployment/<name>`, as the alert names it. */
  alertName: RegExp;
}

function workload(index: number): Workload {
  const name = `svc-${String(index).padStart(3, "0")}`;
  return {
    name,
    pod: `${name}-${TEMPLATE_HASH}-${hex(index, 5)}`,
    uid: uid(10_000 + index),
    deploymentUid: uid(20_000 + index),
    node: `alert-node-${index % NODES}`,
    killedContainerId: hex(30_000 + index, 64),
    nextContainerId: hex(40_000 + index, 64),
    alertName: new RegExp(`Deployment/${name}\\b`),
  };
}

/** The workload's pod, running; or, given `killed`, restarted after its last container was OOM-killed. */
function pod(of: Workload, killed?: { finishedAt: string }): Json {
  return podObject({
    name: of.pod,
    namespace: NAMESPACE,
    uid: of.uid,
    node: of.node,
    container: "app",
    // The limit the kernel's report prints.
    limit: "1000Mi",
    owner: { kind: "ReplicaSet", name: `${of.name}-${TEMPLATE_HASH}` },
    labels: { app: of.name, "pod-template-hash": TEMPLATE_HASH },
    restartCount: killed ? 1 : 0,
    currentContainerId: killed ? of.nextContainerId : of.killedContainerId,
    ...(killed
      ? {
          lastContainerId: of.killedContainerId,
          startedAt: new Date(Date.parse(killed.finishedAt) - 3_600_000).toISOString(),
          finishedAt: killed.finishedAt,
        }
      : {}),
  });
}

/** The Deployment and ReplicaSet the pod belongs to, as the investigation reads them. */
function owners(of: Workload): { deployment: Json; replicaset: Json } {
  const labels = { app: of.name };
  const template = {
    metadata: { labels },
    spec: { containers: [{ name: "app", resources: { limits: { memory: "1000Mi" } } }] },
  };
  return {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: of.name, namespace: NAMESPACE, uid: of.deploymentUid, generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: labels }, template },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 },
    },
    replicaset: {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${of.name}-${TEMPLATE_HASH}`,
        namespace: NAMESPACE,
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: of.name,
            uid: of.deploymentUid,
            controller: true,
          },
        ],
      },
    },
  };
}

/** The bare client's watch of every pod: when each pod's restart arrived, in this process's clock. */
async function bareWatch(cluster: HarnessCluster) {
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfig);
  const arrived = new Map<string, number>();
  const events = new EventEmitter();
  let ended: Error | null = null;
  const controller = await new Watch(config).watch(
    "/api/v1/pods",
    { resourceVersion: String(cluster.api.watches.revision) },
    (type, object: { metadata?: { name?: string }; status?: { containerStatuses?: Json[] } }) => {
      const name = object.metadata?.name;
      if (type !== "MODIFIED" || !name || arrived.has(name)) return;
      if (Number(object.status?.containerStatuses?.[0]?.restartCount) > 0) {
        arrived.set(name, performance.now());
        events.emit("arrived");
      }
    },
    (error) => {
      ended = error instanceof Error ? error : new Error("the bare watch ended");
      events.emit("arrived");
    },
  );
  return {
    /** When the pod's restart arrived. */
    arrival: (name: string) =>
      untilEvent(
        events,
        "arrived",
        () => {
          const at = arrived.get(name);
          if (at === undefined && ended) throw ended;
          return at;
        },
        () => `the bare watch's event for ${name}`,
      ),
    stop: () => controller.abort(),
  };
}

/**
 * Writes `warmUp + kills` kills, one after another (each once the previous one's report is in), and
 * times the last `kills` of them.
 */
export async function measureKillToAlert(kills: number, warmUp: number): Promise<LatencySamples> {
  const workloads = Array.from({ length: warmUp + kills }, (_, index) => workload(index));
  const cluster = await startCluster({
    pods: workloads.map((each) => pod(each)),
    nodes: Array.from({ length: NODES }, (_, n) => ({
      name: `alert-node-${n}`,
      address: `127.0.8.${n + 1}`,
      journal: [],
    })),
    extra: {
      deployments: workloads.map((each) => owners(each).deployment),
      replicasets: workloads.map((each) => owners(each).replicaset),
    },
  });
  const slack = new FakeSlack();
  await slack.start();
  const prefix = uniquePrefix();
  try {
    const config = writeBotConfig(cluster, prefix, {
      alerts: {
        cluster: "bench",
        routes: [{ namespaces: NAMESPACE, channel: CHANNEL }],
        batchSeconds: BATCH_SECONDS,
        // Every kill opens a thread of its own: none is folded into a storm's summary or a node's thread.
        maxNewThreads: 100,
        nodeStormKills: 1000,
      },
    });
    const bot = await startListening(["bin/oom-doctor.js", "all"], botEnv(slack, config));
    const samples: LatencySamples = { alertMs: [], watchMs: [], reportMs: [] };
    let watch: Awaited<ReturnType<typeof bareWatch>> | null = null;
    try {
      watch = await bareWatch(cluster);
      await bot.logged(/alerts: watching the cluster/);
      for (const [index, each] of workloads.entries()) {
        // The kernel's report is in the node's journal before the kubelet notices the container died.
        const killedMs = Date.now();
        const node = cluster.fleet.nodes.get(each.node);
        if (!node) throw new Error(`no node ${each.node}`);
        const report = oomReport(each.uid, each.killedContainerId, 20_000 + index);
        cluster.fleet.appendJournal(
          node,
          report
            .map((line, at) => exportEntry(each.node, (killedMs - 1000) * 1000 + at, line, true, BOOT))
            .join(""),
        );
        const finishedAt = `${new Date(killedMs).toISOString().slice(0, 19)}Z`;
        const written = performance.now();
        cluster.api.upsertPod(pod(each, { finishedAt }));
        const watched = watch.arrival(each.pod);
        const root = await slack.until(
          () => slack.rootMessages(CHANNEL).find((message) => each.alertName.test(message.text)),
          `the alert for ${each.name}`,
          30_000,
        );
        const alerted = performance.now();
        await slack.until(
          () => slack.replies(CHANNEL, root.ts).some((reply) => REPORT.test(reply.text)),
          `the report in the thread of ${each.name}`,
          60_000,
        );
        const reported = performance.now();
        const delivered = await watched;
        if (index < warmUp) continue;
        samples.alertMs.push(alerted - written);
        samples.watchMs.push(delivered - written);
        samples.reportMs.push(reported - written);
      }
      const roots = slack.rootMessages(CHANNEL).length;
      if (roots !== workloads.length) throw new Error(`${roots} threads for ${workloads.length} kills`);
    } finally {
      watch?.stop();
      await stop(bot.child);
    }
    return samples;
  } finally {
    await slack.stop();
    await cluster.close();
    await dropPrefix(prefix);
  }
}
