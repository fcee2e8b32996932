// Node-level cases on a small cluster: two OOM-killed pods on one node read in one query, a journal
// rotated past the kill, owners resolved through the API, a refused key, and --pod.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../harness/cli.js";
import { type HarnessCluster, startCluster } from "../harness/cluster.js";
import { fixturePath } from "../harness/fixtures.js";
import { podObject } from "../harness/pods.js";

const NOW = Date.parse("2024-06-01T13:00:00Z");

interface Report {
  findings: Array<{
    pod: string;
    verdict: string;
    workload: { kind: string; name: string };
    kernelEvent: { victim: { comm: string } | null } | null;
    explanation: string;
    recommendation: { memoryLimit: string | null; reasons: string[] } | null;
  }>;
  nodes: Array<{
    node: string;
    status: string;
    message: string | null;
    windows: unknown[];
    oldestEntry: string | null;
  }>;
  workloads: Array<{ kind: string; name: string; pods: number; restarts: number }>;
}

let cluster: HarnessCluster;

const owned = (kind: string, name: string) => ({ kind, name });

before(async () => {
  cluster = await startCluster({
    pods: [
      podObject({
        name: "ingest-0",
        namespace: "data",
        uid: "5d7a1c2e-0b3f-4e8a-9c6d-2f1e0a9b8c7d",
        node: "k8s-node-05",
        lastContainerId: "a1".repeat(32),
        finishedAt: "2024-06-01T12:00:01Z",
        limit: "512Mi",
        request: "256Mi",
        owner: owned("StatefulSet", "ingest"),
        labels: {},
      }),
      podObject({
        name: "ingest-1",
        namespace: "data",
        uid: "1f2e3d4c-5b6a-4978-8877-665544332211",
        node: "k8s-node-05",
        restartCount: 0,
        owner: owned("StatefulSet", "ingest"),
        labels: {},
      }),
      podObject({
        name: "render-28642320-x7k2p",
        namespace: "data",
        uid: "8e2b4d6f-1a3c-4e5f-8a7b-9c0d1e2f3a4b",
        node: "k8s-node-05",
        lastContainerId: "b2".repeat(32),
        finishedAt: "2024-06-01T12:02:01Z",
        limit: "768Mi",
        request: "256Mi",
        owner: owned("Job", "render-28642320"),
        labels: {},
      }),
      podObject({
        name: "debug-shell",
        namespace: "data",
        uid: "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        node: "k8s-node-06",
        lastContainerId: "c3".repeat(32),
        finishedAt: "2024-06-01T12:00:00Z",
        owner: null,
      }),
    ],
    nodes: [
      {
        name: "k8s-node-05",
        address: "127.0.2.5",
        journal: [fixturePath("cluster", "two-pods", "k8s-node-05.export")],
      },
      {
        name: "k8s-node-06",
        address: "127.0.2.6",
        journal: [fixturePath("cluster", "rotated", "k8s-node-06.export")],
      },
    ],
    extra: {
      limitranges: [
        {
          apiVersion: "v1",
          kind: "LimitRange",
          metadata: { name: "mem", namespace: "data" },
          spec: { limits: [{ type: "Container", max: { memory: "600Mi" } }] },
        },
      ],
      jobs: [
        {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: {
            name: "render-28642320",
            namespace: "data",
            ownerReferences: [
              { apiVersion: "batch/v1", kind: "CronJob", name: "render", uid: "c1", controller: true },
            ],
          },
        },
      ],
    },
  });
});
after(async () => {
  await cluster.close();
});

async function scan(config: string, ...args: string[]): Promise<Report> {
  const run = await runCli(["scan", "data", "--config", config, "--format", "json", ...args], { nowMs: NOW });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

describe("oom-doctor scan, node by node", () => {
  it("when two pods were killed on one node two minutes apart, then one query reads both reports", async () => {
    const before = cluster.fleet.commandsRun("k8s-node-05");
    const report = await scan(cluster.writeConfig());
    assert.equal(cluster.fleet.commandsRun("k8s-node-05") - before, 1);
    const node05 = report.nodes.find((node) => node.node === "k8s-node-05");
    assert.equal(node05?.windows.length, 1);
    const byPod = Object.fromEntries(report.findings.map((finding) => [finding.pod, finding]));
    assert.equal(byPod["ingest-0"]?.verdict, "container-limit");
    assert.equal(byPod["ingest-0"]?.kernelEvent?.victim?.comm, "ingest");
    assert.equal(byPod["render-28642320-x7k2p"]?.verdict, "container-limit");
    assert.equal(byPod["render-28642320-x7k2p"]?.kernelEvent?.victim?.comm, "render");
  });

  it("when owners are read from the API, then a Job's CronJob and a StatefulSet are named, and a bare Pod is itself", async () => {
    const report = await scan(cluster.writeConfig());
    const workloads = Object.fromEntries(report.findings.map((finding) => [finding.pod, finding.workload]));
    assert.deepEqual(workloads["render-28642320-x7k2p"], { kind: "CronJob", name: "render" });
    assert.deepEqual(workloads["ingest-0"], { kind: "StatefulSet", name: "ingest" });
    assert.deepEqual(workloads["debug-shell"], { kind: "Pod", name: "debug-shell" });
    const ingest = report.workloads.find((workload) => workload.name === "ingest");
    assert.deepEqual([ingest?.pods, ingest?.restarts], [2, 1], "the healthy replica counts towards the rate");
  });

  it("when the journal was rotated past the kill, then the node says so with its oldest entry", async () => {
    const report = await scan(cluster.writeConfig());
    const node06 = report.nodes.find((node) => node.node === "k8s-node-06");
    assert.equal(node06?.status, "journal-rotated");
    assert.equal(node06?.oldestEntry, "2024-06-03T12:00:00.000Z");
    assert.match(node06?.message ?? "", /oldest entry is 2024-06-03T12:00:00\.000Z, after the kill/);
    const debug = report.findings.find((finding) => finding.pod === "debug-shell");
    assert.equal(debug?.verdict, "no-evidence");
    assert.match(debug?.explanation ?? "", /could not be read: k8s-node-06: the journal's oldest entry/);
  });

  it("when the node refuses the key, then the node is marked auth-refused", async () => {
    const report = await scan(
      cluster.writeConfig({ privateKeyPath: cluster.fleet.otherUserKeyPath }, {}, "other-key.yaml"),
    );
    assert.deepEqual(
      report.nodes.map((node) => node.status),
      ["auth-refused", "auth-refused"],
    );
    assert.match(report.nodes[0]?.message ?? "", /refused the key for user/);
  });

  it("when --pod names one pod, then only its node is read", async () => {
    const before = cluster.fleet.commandsRun("k8s-node-06");
    const report = await scan(cluster.writeConfig(), "--pod", "ingest-0");
    assert.deepEqual(
      report.findings.map((finding) => finding.pod),
      ["ingest-0"],
    );
    assert.deepEqual(
      report.nodes.map((node) => node.node),
      ["k8s-node-05"],
    );
    assert.equal(cluster.fleet.commandsRun("k8s-node-06"), before);
  });

  it("when the namespace has a LimitRange, then the proposed limit stays under its max", async () => {
    const report = await scan(cluster.writeConfig());
    const ingest = report.findings.find((finding) => finding.pod === "ingest-0");
    assert.equal(ingest?.recommendation?.memoryLimit, "600Mi");
    assert.match(
      ingest?.recommendation?.reasons.join(" ") ?? "",
      /Capped at 600Mi by the namespace's LimitRange max/,
    );
  });

  it("when stderr is a terminal, then progress is shown there and the report alone goes to stdout", async () => {
    const run = await runCli(["scan", "data", "--config", cluster.writeConfig(), "--format", "json"], {
      nowMs: NOW,
      stderrTty: true,
    });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /4 pods listed, nodes fetched 2\/2/);
    assert.doesNotThrow(() => JSON.parse(run.stdout));
  });

  it("when the API server is unreachable or refuses the token, then the error says which", async () => {
    const unreachable = cluster.api.writeKubeconfig(cluster.dir, "unreachable.kubeconfig");
    const text = readFileSync(unreachable, "utf8").replace(
      /https:\/\/127\.0\.0\.1:\d+/,
      "https://127.0.0.1:1",
    );
    writeFileSync(unreachable, text);
    const down = await runCli([
      "scan",
      "data",
      "--config",
      cluster.writeConfig(),
      "--kubeconfig",
      unreachable,
    ]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot list pods in namespace data: the API server is unreachable/);
    const badToken = join(cluster.dir, "bad-token.kubeconfig");
    writeFileSync(
      badToken,
      readFileSync(cluster.kubeconfig, "utf8").replace("harness-token", "expired-token"),
    );
    const refused = await runCli([
      "scan",
      "data",
      "--config",
      cluster.writeConfig(),
      "--kubeconfig",
      badToken,
    ]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /cannot list pods in namespace data: the API server did not accept the credentials/,
    );
  });

  it("when --pod names no pod of the namespace, then it says so and exits 2", async () => {
    const run = await runCli(["scan", "data", "--config", cluster.writeConfig(), "--pod", "nope"], {
      nowMs: NOW,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pod nope is not in namespace data/);
  });
});
