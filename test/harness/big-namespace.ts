// A namespace with 61 OOM-killed workloads, one pod each, all hitting their container limit: as a
// report (built from the seed's finding) for the renderers, and as a live cluster (pods plus one
// node whose journal holds every kill) for the bot. `svc-37` is the worst, with 71 restarts; by name
// it would come 38th.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FindingJson, Report } from "../../src/report/model.js";
import { type HarnessCluster, startCluster } from "./cluster.js";
import { fixturePath } from "./fixtures.js";
import { exportEntry, oomReport } from "./journal-export.js";
import { podObject } from "./pods.js";

export const NAMESPACE = "production";
export const WORKLOADS = 61;
export const WORST = { name: "svc-37", restarts: 71 };
/** The bot's clock: an hour after the last kill. */
export const CAPTURED = Date.parse("2024-06-01T14:00:00Z");
const FIRST_KILL = Date.parse("2024-06-01T12:00:00Z");
const CREATED = "2024-05-25T12:00:00Z";
const NODE = { name: "big-node-1", address: "127.0.4.1" };

export interface BigWorkload {
  name: string;
  restarts: number;
  /** When the kubelet saw the kill, ISO; the kernel's report is a second earlier. */
  finishedAt: string;
  podUid: string;
  containerId: string;
}

export function bigWorkloads(): BigWorkload[] {
  return Array.from({ length: WORKLOADS }, (_, i) => {
    const name = `svc-${String(i).padStart(2, "0")}`;
    return {
      name,
      restarts: name === WORST.name ? WORST.restarts : 1 + ((i * 7) % 23),
      finishedAt: new Date(FIRST_KILL + i * 60_000).toISOString(),
      podUid: `5b1e0000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      containerId: i.toString(16).padStart(2, "0").repeat(32),
    };
  });
}

const podName = (workload: BigWorkload) => `${workload.name}-5c6969978b-x7k2p`;

/** The report an investigation of the namespace gives, for the renderers. */
export function bigReport(): Report {
  const seed = JSON.parse(
    readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
  ) as Report;
  const template = seed.findings.find((finding) => finding.kernelEvent !== null);
  if (!template?.kernelEvent) throw new Error("the seed report has no finding with a kernel report");
  const kernelEvent = template.kernelEvent;
  const findings = bigWorkloads().map(
    (workload): FindingJson => ({
      ...template,
      namespace: NAMESPACE,
      pod: podName(workload),
      podUid: workload.podUid,
      containerId: workload.containerId,
      workload: { kind: "Deployment", name: workload.name },
      restartCount: workload.restarts,
      restartsPerDay: Number((workload.restarts / 7).toFixed(2)),
      lastTermination: {
        reason: "OOMKilled",
        exitCode: 137,
        startedAt: CREATED,
        finishedAt: workload.finishedAt,
      },
      kernelEvent: { ...kernelEvent, time: workload.finishedAt },
      kubernetesEvents: [],
    }),
  );
  return {
    ...seed,
    namespace: NAMESPACE,
    summary: { ...seed.summary, findings: findings.length },
    findings,
    workloads: [],
    kernelEvents: findings.map((finding, index) => ({
      ...kernelEvent,
      time: finding.kernelEvent?.time ?? null,
      verdict: "container-limit",
      finding: index,
    })),
    warnings: [],
  };
}

/** The namespace as a live cluster: its pods and ReplicaSets, and one node whose journal has every kill. */
export async function bigCluster(): Promise<HarnessCluster> {
  const dir = mkdtempSync(join(tmpdir(), "oom-doctor-big-"));
  const entries: string[] = [];
  const pods = bigWorkloads().map((workload, i) => {
    const killedMicros = (Date.parse(workload.finishedAt) - 1000) * 1000;
    for (const [line, message] of oomReport(workload.podUid, workload.containerId, 20_000 + i).entries())
      entries.push(exportEntry(NODE.name, killedMicros + line, message, true));
    return podObject({
      name: podName(workload),
      namespace: NAMESPACE,
      uid: workload.podUid,
      node: NODE.name,
      limit: "1000Mi",
      request: "512Mi",
      restartCount: workload.restarts,
      createdAt: CREATED,
      lastContainerId: workload.containerId,
      startedAt: CREATED,
      finishedAt: workload.finishedAt,
      owner: { kind: "ReplicaSet", name: `${workload.name}-5c6969978b` },
      labels: { app: workload.name, "pod-template-hash": "5c6969978b" },
    });
  });
  const journal = join(dir, `${NODE.name}.export`);
  writeFileSync(journal, entries.join(""));
  const replicasets = bigWorkloads().map((workload) => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${workload.name}-5c6969978b`,
      namespace: NAMESPACE,
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: workload.name,
          uid: workload.name,
          controller: true,
        },
      ],
    },
  }));
  try {
    // The node's journal is made from the export file as the cluster starts: the file can go then.
    return await startCluster({ pods, nodes: [{ ...NODE, journal: [journal] }], extra: { replicasets } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
