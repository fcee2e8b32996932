// `oom-doctor scan` against a live fake cluster built from the seed incident: the real Kubernetes
// client over HTTPS, real sshd per node, real journal files read by the real journalctl.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../harness/cli.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { fixturePath } from "../harness/fixtures.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");

interface Finding {
  pod: string;
  verdict: string;
  node: string;
  workload: { kind: string; name: string };
  kernelEvent: { victim: { pid: number; comm: string } | null; memcgLimitBytes: number } | null;
  kubernetesEvents: Array<{ reason: string; count: number }>;
  explanation: string;
}
interface NodeStatus {
  node: string;
  status: string;
  message: string | null;
  windows: Array<{ truncated: boolean }>;
}
interface Report {
  findings: Finding[];
  nodes: NodeStatus[];
  warnings: string[];
}

let cluster: HarnessCluster;

async function scan(
  config: string,
  ...args: string[]
): Promise<{ code: number; report: Report; stderr: string }> {
  const run = await runCli(["scan", "production", "--config", config, "--format", "json", ...args], {
    nowMs: CAPTURED,
  });
  return {
    code: run.code,
    report: run.code === 0 ? (JSON.parse(run.stdout) as Report) : ({} as Report),
    stderr: run.stderr,
  };
}

function verdicts(report: Report): Record<string, string> {
  return Object.fromEntries(report.findings.map((finding) => [finding.pod, finding.verdict]));
}

function node(report: Report, name: string): NodeStatus | undefined {
  return report.nodes.find((status) => status.node === name);
}

before(async () => {
  cluster = await seedCluster();
});
after(async () => {
  await cluster.close();
});

describe("oom-doctor scan on the seed cluster", () => {
  it("when every node answers, then the verdicts are analyze's on the seed capture, with the kernel's figures", async () => {
    const { code, report, stderr } = await scan(cluster.writeConfig());
    assert.equal(code, 0, stderr);
    const offline = await runCli(["analyze", fixturePath("seed"), "--format", "json"]);
    assert.deepEqual(verdicts(report), verdicts(JSON.parse(offline.stdout) as Report));
    const hx5lt = report.findings.find((finding) => finding.node === "k8s-node-04");
    assert.equal(hx5lt?.verdict, "container-limit");
    assert.deepEqual(hx5lt?.kernelEvent?.victim?.pid, 1735923);
    assert.equal(hx5lt?.kernelEvent?.memcgLimitBytes, 1_048_576_000);
    assert.deepEqual(hx5lt?.workload, { kind: "Deployment", name: "systembusiness-deployment" });
    assert.deepEqual(
      hx5lt?.kubernetesEvents.map((event) => [event.reason, event.count]),
      [["BackOff", 12]],
    );
    assert.match(hx5lt?.explanation ?? "", /56 s after the kubelet's finishedAt/);
    assert.deepEqual(
      report.nodes.map((status) => [status.node, status.status]),
      [
        ["k8s-node-01", "ok"],
        ["k8s-node-04", "ok"],
        ["k8s-node-08", "ok"],
      ],
    );
  });

  it("when the pod list is paged, then every page is followed and nothing is lost", async () => {
    cluster.api.requests.length = 0;
    const { report } = await scan(cluster.writeConfig({}, { scan: { pageSize: 1 } }, "paged.yaml"));
    const listings = cluster.api.requests.filter((request) =>
      request.includes("/namespaces/production/pods?"),
    );
    assert.deepEqual(listings, [
      "GET /api/v1/namespaces/production/pods?limit=1",
      "GET /api/v1/namespaces/production/pods?continue=1&limit=1",
      "GET /api/v1/namespaces/production/pods?continue=2&limit=1",
    ]);
    assert.equal(report.findings.length, 3);
  });

  it("when the namespace is forbidden, then it says which grant is missing, and exits 2", async () => {
    cluster.api.forbiddenNamespaces.add("secret");
    const run = await runCli(["scan", "secret", "--config", cluster.writeConfig()]);
    cluster.api.forbiddenNamespaces.delete("secret");
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot list pods in namespace secret: grant list on pods/);
  });

  it("when one node has nothing listening and another never answers, then each is marked and the third still reported", async () => {
    const silent = await cluster.fleet.silentNode("127.0.1.8");
    const closed = await cluster.fleet.silentNode("127.0.1.1");
    await closed.close();
    const hosts = cluster.fleet.knownHosts();
    const config = cluster.writeConfig(
      {
        connectTimeoutSeconds: 2,
        nodes: {
          "k8s-node-01": { port: closed.port },
          "k8s-node-08": { port: silent.port },
        },
      },
      {},
      "faulty.yaml",
    );
    // The same host keys, now for the fake ports.
    writeFileSync(
      cluster.knownHostsPath,
      `${hosts}[127.0.1.1]:${closed.port} ${cluster.fleet.nodes.get("k8s-node-01")?.hostKey}\n[127.0.1.8]:${silent.port} ${cluster.fleet.nodes.get("k8s-node-08")?.hostKey}\n`,
    );
    const { report } = await scan(config);
    writeFileSync(cluster.knownHostsPath, hosts);
    assert.equal(node(report, "k8s-node-01")?.status, "node-unreachable");
    assert.equal(node(report, "k8s-node-08")?.status, "timeout");
    assert.equal(node(report, "k8s-node-04")?.status, "ok");
    assert.equal(verdicts(report)["systembusiness-deployment-5c6969978b-hx5lt"], "container-limit");
    const on01 = report.findings.find((finding) => finding.node === "k8s-node-01");
    assert.match(
      on01?.explanation ?? "",
      /could not be read: k8s-node-01 \(127\.0\.1\.1:\d+\): cannot connect \(ECONNREFUSED\)/,
    );
    assert.ok(silent.connections() >= 1, "the silent node was dialled and said nothing");
  });

  it("when a node's host key differs from known_hosts, then it is refused before any authentication", async () => {
    const hosts = cluster.fleet.knownHosts();
    const node04 = cluster.fleet.nodes.get("k8s-node-04");
    assert.ok(node04);
    const impostor = cluster.fleet.nodes.get("k8s-node-01")?.hostKey ?? "";
    writeFileSync(cluster.knownHostsPath, cluster.fleet.knownHosts(undefined, { "k8s-node-04": impostor }));
    const accepted = (node04.log.match(/Accepted publickey/g) ?? []).length;
    const { report } = await scan(cluster.writeConfig());
    writeFileSync(cluster.knownHostsPath, hosts);
    assert.equal(node(report, "k8s-node-04")?.status, "host-key-mismatch");
    assert.match(node(report, "k8s-node-04")?.message ?? "", /host key SHA256:\S+ does not match/);
    assert.equal((node04.log.match(/Accepted publickey/g) ?? []).length, accepted, "no login happened");
    assert.equal(verdicts(report)["systembusiness-deployment-5c6969978b-hx5lt"], "no-evidence");
  });

  it("when a node is not in known_hosts, then no connection is ever made to it", async () => {
    const hosts = cluster.fleet.knownHosts();
    const silent = await cluster.fleet.silentNode("127.0.1.4");
    writeFileSync(cluster.knownHostsPath, cluster.fleet.knownHosts(["k8s-node-01", "k8s-node-08"]));
    const { report } = await scan(
      cluster.writeConfig({ nodes: { "k8s-node-04": { port: silent.port } } }, {}, "unknown.yaml"),
    );
    writeFileSync(cluster.knownHostsPath, hosts);
    assert.equal(node(report, "k8s-node-04")?.status, "host-key-unknown");
    assert.match(node(report, "k8s-node-04")?.message ?? "", /is not in .*known_hosts; not connecting/);
    assert.equal(silent.connections(), 0);
  });

  it("when the answer is larger than the cap, then it is cut, flagged, and said", async () => {
    const { report } = await scan(cluster.writeConfig({ maxOutputBytes: 24576 }, {}, "capped.yaml"));
    assert.equal(node(report, "k8s-node-04")?.windows[0]?.truncated, true);
    assert.equal(node(report, "k8s-node-01")?.windows[0]?.truncated, false);
    assert.ok(report.warnings.some((warning) => /k8s-node-04: the journal answer was cut/.test(warning)));
  });

  it("when nodes are reached through a bastion, then the journals come through the jump host", async () => {
    const bastion = await cluster.fleet.addNode("bastion", "127.0.1.100", [], { forwarding: true });
    const hosts = cluster.fleet.knownHosts(["k8s-node-01", "k8s-node-04", "k8s-node-08"]);
    writeFileSync(cluster.knownHostsPath, cluster.fleet.knownHosts());
    const { report, stderr, code } = await scan(
      cluster.writeConfig(
        { bastion: { host: bastion.address, port: bastion.port, user: cluster.fleet.user } },
        {},
        "bastion.yaml",
      ),
    );
    assert.equal(code, 0, stderr);
    assert.equal(verdicts(report)["systembusiness-deployment-5c6969978b-hx5lt"], "container-limit");
    assert.ok(report.nodes.every((status) => status.status === "ok"));
    const targets = [
      ...bastion.log.matchAll(/server_request_direct_tcpip: originator \S+ port \d+, target (\S+) port/g),
    ];
    assert.deepEqual([...new Set(targets.map((match) => match[1]))].sort(), [
      "127.0.1.1",
      "127.0.1.4",
      "127.0.1.8",
    ]);
    writeFileSync(cluster.knownHostsPath, hosts);
    await cluster.fleet.stop(bastion);
    cluster.fleet.nodes.delete("bastion");
  });

  it("when the configuration is wrong, then the message names the key", async () => {
    const bad = join(cluster.dir, "bad.yaml");
    writeFileSync(bad, "ssh:\n  port: 70000\n  sudo: maybe\nwindows: {}\n");
    const run = await runCli(["scan", "production", "--config", bad]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /ssh\.port: expected a whole number from 1 to 65535, got 70000/);
    assert.match(
      run.stderr,
      /ssh\.sudo: no longer set here: each node runs deploy\/node\/oom-doctor-journal/,
    );
    assert.match(run.stderr, /windows: unknown key/);
  });
});
