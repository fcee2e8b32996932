// Live alerts' world for end-to-end and fault tests: the seed cluster grown to five nodes (real sshd
// and journals each), pods and kills written as the kubelet and the kernel write them while the bot
// runs, and the alerts as Slack shows them: which kills each channel's threads name, and how often.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type HarnessCluster, nodeObject, seedCluster } from "./cluster.js";
import type { FakeSlack, StoredMessage } from "./fake-slack.js";
import { exportEntry, oomReport } from "./journal-export.js";
import { podObject } from "./pods.js";

type Json = Record<string, unknown>;

/** The seed's three nodes and two more, each with its sshd and journal. */
export const ALERT_NODES = ["k8s-node-01", "k8s-node-02", "k8s-node-03", "k8s-node-04", "k8s-node-08"];
const EXTRA_NODES: Array<[string, string]> = [
  ["k8s-node-02", "127.0.1.2"],
  ["k8s-node-03", "127.0.1.3"],
];

/** The seed cluster (its Deployment, pods and journals) with two more nodes, k8s-node-02 and -03. */
export async function alertCluster(): Promise<HarnessCluster> {
  const cluster = await seedCluster();
  for (const [name, address] of EXTRA_NODES) {
    const journal = join(cluster.dir, `${name}.export`);
    writeFileSync(
      journal,
      exportEntry(name, Date.parse("2021-07-01T00:00:00Z") * 1000, "kubelet started", false),
    );
    cluster.api.state.nodes.push(nodeObject(name, address));
    await cluster.fleet.addNode(name, address, [journal]);
  }
  writeFileSync(cluster.knownHostsPath, cluster.fleet.knownHosts());
  return cluster;
}

/** A 64-digit container id, different for each `seed`. */
export const containerId = (seed: number): string => seed.toString(16).padStart(8, "0").repeat(8);

/** A running pod, never killed, of a Deployment: `<workload>-7d9c5b6f4-<suffix>` (x7k2p by default). */
export function runningPod(spec: {
  namespace: string;
  workload: string;
  suffix?: string;
  node: string;
  uid: string;
  container?: string;
  containerId: string;
}): Json {
  const pod = podObject({
    name: `${spec.workload}-7d9c5b6f4-${spec.suffix ?? "x7k2p"}`,
    namespace: spec.namespace,
    uid: spec.uid,
    node: spec.node,
    container: spec.container ?? "app",
    limit: "512Mi",
    restartCount: 0,
    createdAt: "2021-07-01T00:00:00Z",
    currentContainerId: spec.containerId,
    owner: { kind: "ReplicaSet", name: `${spec.workload}-7d9c5b6f4` },
  });
  const status = (containerStatus(pod).state ?? {}) as Json;
  status.running = { startedAt: "2021-07-01T00:00:10Z" };
  return pod;
}

function containerStatus(pod: Json): Json {
  const statuses = ((pod.status as Json).containerStatuses ?? []) as Json[];
  const first = statuses[0];
  if (!first) throw new Error("the pod has no container status");
  return first;
}

export const podName = (pod: Json): string => String((pod.metadata as Json).name);
export const podUid = (pod: Json): string => String((pod.metadata as Json).uid);
export const nodeOf = (pod: Json): string => String((pod.spec as Json).nodeName);

/** The id of the container the pod runs now, without its runtime's scheme. */
export function runningContainerId(pod: Json): string {
  return String(containerStatus(pod).containerID).replace(/^[a-z]+:\/\//, "");
}

/**
 * The pod as the kubelet reports it after its first container was OOM-killed at `atMs` and started
 * again as `nextContainerId`: the kill in lastState, one more restart.
 */
export function afterOomKill(pod: Json, atMs: number, nextContainerId: string): Json {
  const next = structuredClone(pod);
  const status = containerStatus(next);
  const previous = String(status.containerID);
  const scheme = previous.includes("://") ? previous.split("://")[0] : "containerd";
  const startedAt = ((status.state as Json | undefined)?.running as Json | undefined)?.startedAt;
  status.lastState = {
    terminated: {
      reason: "OOMKilled",
      exitCode: 137,
      startedAt: startedAt ?? "2021-07-01T00:00:10Z",
      finishedAt: new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
      containerID: previous,
    },
  };
  status.state = { running: { startedAt: new Date(atMs + 1000).toISOString().replace(/\.\d{3}Z$/, "Z") } };
  status.containerID = `${scheme}://${nextContainerId}`;
  status.restartCount = Number(status.restartCount ?? 0) + 1;
  return next;
}

/**
 * Appends to the node's journal, while its sshd runs, the kernel's report of a memcg OOM kill of
 * `pid` (named `comm`) in the pod's container, written a second before `atMs`.
 */
export function writeKernelReport(
  cluster: HarnessCluster,
  kill: { node: string; podUid: string; containerId: string; pid: number; atMs: number; comm?: string },
): void {
  const node = cluster.fleet.nodes.get(kill.node);
  if (!node) throw new Error(`no node ${kill.node}`);
  const micros = (kill.atMs - 1000) * 1000;
  const lines = oomReport(kill.podUid, kill.containerId, kill.pid, kill.comm);
  cluster.fleet.appendJournal(
    node,
    lines.map((message, index) => exportEntry(kill.node, micros + index, message, true)).join(""),
  );
}

/** A kernel line that is no OOM report, `atMs`: something for a node's first sweep to stop at. */
export function writeKernelChatter(cluster: HarnessCluster, nodeName: string, atMs: number): void {
  const node = cluster.fleet.nodes.get(nodeName);
  if (!node) throw new Error(`no node ${nodeName}`);
  cluster.fleet.appendJournal(node, exportEntry(nodeName, atMs * 1000, "eth0: link becomes ready", true));
}

/** A SystemOOM event about the node, as the kubelet records it (`count` grows with each repeat). */
export function systemOomEvent(node: string, uid: string, atMs: number, count = 1): Json {
  const at = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${node}.systemoom`, namespace: "default", uid },
    involvedObject: { kind: "Node", name: node, uid: node },
    reason: "SystemOOM",
    message: "System OOM encountered, victim process: java, pid: 31337",
    source: { component: "kubelet", host: node },
    type: "Warning",
    count,
    firstTimestamp: at,
    lastTimestamp: at,
  };
}

/** The texts of a message's sections (their fields too) and contexts. */
export function blockTexts(message: StoredMessage): string[] {
  return message.blocks.flatMap((block) => {
    const texts: string[] = [];
    const text = (block.text as Json | undefined)?.text;
    if (typeof text === "string") texts.push(text);
    for (const field of (block.fields ?? []) as Json[])
      if (typeof field.text === "string") texts.push(field.text);
    for (const element of (block.elements ?? []) as Json[])
      if (typeof element.text === "string") texts.push(element.text);
    return texts;
  });
}

/** The root of a workload's thread: "OOM kill: production / Deployment/api — 1st kill today". */
export const WORKLOAD_ROOT = /^(OOM kill|Evicted for memory|Silent OOM kill): .+ — \d+\w\w kill today$/;
/** A reply listing kills: "3 new kills:". */
const KILL_LIST = /^\d+ new kills?:$/;
/** A kill line's pod and container: "· web-7d9c5b6f4-x7k2p / app ·". */
const POD_IN_LINE = /· ([a-z0-9][a-z0-9.-]*) \/ [a-z0-9-]+ ·/;

/**
 * What a thread is about, as its root says it, without the counts that change as kills come: its
 * workload ("OOM kill: production / Deployment/api"), its node ("Node k8s-node-01"), or a storm.
 */
export function rootSubject(root: StoredMessage): string {
  // A storm's summary thread: one at a time in a channel.
  if (/^Alert storm: /.test(root.text)) return "Alert storm";
  return root.text
    .replace(/ — \d+\w\w kill today$/, "")
    .replace(/ (under memory pressure: .*|ran out of memory)$/, "");
}

/** The pod a workload thread's root names. */
export function rootPod(root: StoredMessage): string | null {
  const field = blockTexts(root).find((text) => text.startsWith("*Pod*\n"));
  return field ? field.slice("*Pod*\n".length) : null;
}

/** The kill lines of the channel's replies that list kills (in one thread, if given), in the order posted. */
export function killLines(slack: FakeSlack, channel: string, threadTs?: string): string[] {
  return slack.messages
    .filter(
      (message) =>
        message.channel === channel &&
        message.threadTs !== null &&
        (threadTs === undefined || message.threadTs === threadTs) &&
        KILL_LIST.test(message.text),
    )
    .flatMap((message) => blockTexts(message).flatMap((text) => text.split("\n")))
    .filter((line) => line.startsWith("• "));
}

/**
 * The pods whose kills the channel's alert threads name, once per mention: each workload thread's
 * root names one, each line of a kill list one. A kill named twice is there twice.
 */
export function namedKills(slack: FakeSlack, channel: string): string[] {
  const roots = slack
    .rootMessages(channel)
    .filter((root) => WORKLOAD_ROOT.test(root.text))
    .map(rootPod)
    .filter((pod): pod is string => pod !== null);
  const lines = killLines(slack, channel)
    .map((line) => POD_IN_LINE.exec(line)?.[1] ?? null)
    .filter((pod): pod is string => pod !== null);
  return [...roots, ...lines].sort();
}
