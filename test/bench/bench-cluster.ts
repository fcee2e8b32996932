// The benchmarks' cluster: 300 pods, 40 of them OOM-killed, on 12 nodes with one real sshd each and a
// day of kubelet chatter in each journal, and the operator's way of investigating it by hand (curl
// and `ssh ... journalctl`), scripted: the baselines the scan and the bot are measured against.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { windowCommand } from "../../src/ssh/command.js";
import { type HarnessCluster, startCluster } from "../harness/cluster.js";
import { exportEntry, oomReport } from "../harness/journal-export.js";
import { podObject } from "../harness/pods.js";

export const NODES = 12;
export const PODS = 300;
export const KILLED = 40;
export const NAMESPACE = "shop";
const BASE = Date.parse("2024-06-01T12:00:00Z");

type Json = Record<string, unknown>;

/** Hex digits that depend only on the seed: ids that are the same from one run to the next. */
export function hex(seed: number, length: number): string {
  let out = "";
  let x = seed * 2654435761;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += x.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

export function uid(seed: number): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface Killed {
  pod: string;
  node: string;
  finishedMs: number;
}

/** Letters Kubernetes draws generated names from: pod names as a ReplicaSet gives them. */
const GENERATED = "bcdfghjklmnpqrstvwxz2456789";
const generatedSuffix = (seed: number) =>
  Array.from(
    { length: 5 },
    (_, index) => GENERATED[Math.floor(seed / GENERATED.length ** index) % GENERATED.length],
  ).join("");

export interface ClusterLayout {
  /**
   * Null: every pod is `web-<n>` of one ReplicaSet (its Deployment not in the API). A number: the pods
   * are the replicas of Deployments of that many pods each, named as their ReplicaSets name them.
   */
  podsPerDeployment: number | null;
}

/** Pod `p`'s name and owner in the layout. */
export function podIdentity(p: number, layout: ClusterLayout): { name: string; deployment: string | null } {
  if (layout.podsPerDeployment === null) return { name: `web-${p}`, deployment: null };
  const deployment = `svc-${Math.floor(p / layout.podsPerDeployment)}`;
  return { name: `${deployment}-7d9c5b6f4-${generatedSuffix(p)}`, deployment };
}

export async function buildCluster(
  dir: string,
  layout: ClusterLayout = { podsPerDeployment: null },
): Promise<{ cluster: HarnessCluster; killed: Killed[] }> {
  const pods: Json[] = [];
  const killed: Killed[] = [];
  const journals = new Map<number, string[]>();
  for (let n = 0; n < NODES; n++) {
    // Background chatter: a node's kubelet writes all day long.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(
        exportEntry(
          `bench-node-${n}`,
          (BASE - 3_600_000 + i * 2400) * 1000,
          `I0601 kubelet.go:2191] "SyncLoop (probe)" probe="readiness" status="ready" pod="${NAMESPACE}/web-${i}"`,
          false,
        ),
      );
    }
    journals.set(n, lines);
  }
  for (let p = 0; p < PODS; p++) {
    const n = p % NODES;
    const node = `bench-node-${n}`;
    const id = hex(p + 7, 64);
    const podUid = uid(p + 1);
    const isKilled = p < KILLED;
    const finishedMs = BASE + p * 45_000;
    const { name, deployment } = podIdentity(p, layout);
    pods.push(
      podObject({
        name,
        namespace: NAMESPACE,
        uid: podUid,
        node,
        restartCount: isKilled ? 3 : 0,
        ...(deployment === null ? {} : { owner: { kind: "ReplicaSet", name: `${deployment}-7d9c5b6f4` } }),
        ...(isKilled ? { lastContainerId: id, finishedAt: new Date(finishedMs).toISOString() } : {}),
      }),
    );
    if (isKilled) {
      killed.push({ pod: name, node, finishedMs });
      const micros = (finishedMs - 1000) * 1000;
      for (const [i, line] of oomReport(podUid, id, 10_000 + p).entries())
        journals.get(n)?.push(exportEntry(node, micros + i, line, true));
    }
  }
  const nodes = [];
  for (let n = 0; n < NODES; n++) {
    const file = join(dir, `bench-node-${n}.export`);
    const lines = journals.get(n) ?? [];
    lines.sort(
      (a, b) =>
        Number(/__REALTIME_TIMESTAMP=(\d+)/.exec(a)?.[1]) - Number(/__REALTIME_TIMESTAMP=(\d+)/.exec(b)?.[1]),
    );
    writeFileSync(file, lines.join(""));
    nodes.push({ name: `bench-node-${n}`, address: `127.0.3.${n + 1}`, journal: [file] });
  }
  const deployments = [
    ...new Set(pods.map((_, p) => podIdentity(p, layout).deployment).filter((name) => name !== null)),
  ];
  const replicasets = deployments.map((deployment) => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${deployment}-7d9c5b6f4`,
      namespace: NAMESPACE,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment, controller: true }],
    },
  }));
  return { cluster: await startCluster({ pods, nodes, extra: { replicasets } }), killed };
}

// The fake API server lives in this process: children must run asynchronously so it can answer them.
export function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}

export async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The nearest-rank percentile: of 50 values, p99 is the largest. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `oom-doctor scan` of the bench namespace, built, as a command: its wall time, and what it reports of itself. */
export async function timedScan(config: string) {
  let result = { stdout: "", stderr: "" };
  const wallSeconds = await seconds(async () => {
    result = await run(process.execPath, [
      join(import.meta.dirname, "run-cli.mjs"),
      "scan",
      NAMESPACE,
      "--config",
      config,
      "--format",
      "json",
    ]);
  });
  return {
    wallSeconds,
    /** Once its modules are loaded, as in a long-running worker. */
    warmSeconds: Number(/run-seconds (\S+)/.exec(result.stderr)?.[1]),
    peakRssMb: Number(/peak-rss-kb (\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024,
    stdout: result.stdout,
  };
}

/** The operator's tools, pointed at the bench cluster: the API with curl, the nodes with OpenSSH. */
export function operatorTools(cluster: HarnessCluster, killed: Killed[]) {
  const ca = join(cluster.dir, "ca.crt");
  const curl = (path: string) =>
    run("curl", [
      "-sf",
      "--cacert",
      ca,
      "-H",
      "Authorization: Bearer harness-token",
      `${cluster.api.url}${path}`,
    ]);
  const ssh = (node: string, command: string) => {
    const target = cluster.fleet.nodes.get(node);
    if (!target) throw new Error(node);
    const options = [
      `UserKnownHostsFile=${cluster.knownHostsPath}`,
      "StrictHostKeyChecking=yes",
      "BatchMode=yes",
    ];
    return run("ssh", [
      "-q",
      "-i",
      cluster.fleet.userKeyPath,
      "-p",
      String(target.port),
      ...options.flatMap((option) => ["-o", option]),
      `${cluster.fleet.user}@${target.address}`,
      command,
    ]);
  };
  // The nodes' keys may run only the journal wrapper, by hand as for oom-doctor.
  const journalQuery = (since: number, until: number) =>
    windowCommand(
      { sinceEpoch: since, untilEpoch: until },
      { timeoutSeconds: 30, maxOutputBytes: 16 * 2 ** 20 },
    );
  return {
    curl,
    ssh,
    journalQuery,
    /** By hand, one killed pod after another: its API object, then its node's journal around the kill. */
    async sequentialLoop(): Promise<void> {
      for (const pod of killed) {
        await curl(`/api/v1/namespaces/${NAMESPACE}/pods/${pod.pod}`);
        const at = Math.floor(pod.finishedMs / 1000);
        await ssh(pod.node, journalQuery(at - 600, at + 300));
      }
    },
  };
}
