// Each verdict from real-shaped inputs: a kernel fixture plus the pod the API server would show.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyse, type Finding } from "../../../src/analysis/analyse.js";
import type { NodeJournal } from "../../../src/analysis/correlate.js";
import { parseJournal } from "../../../src/analysis/parse-journal.js";
import { readPods } from "../../../src/analysis/pod.js";
import { parseFixture, readFixture } from "../../harness/fixtures.js";
import { type PodSpec, podList } from "../../harness/pods.js";

function journal(
  node: string | null,
  parsed: ReturnType<typeof parseJournal>,
  utcOffsetMinutes: number | null = null,
): NodeJournal {
  return { node, events: parsed.events, facts: parsed.nodes, utcOffsetMinutes, unavailable: null };
}

function findings(pods: PodSpec[], journals: NodeJournal[], asOf = "2024-06-01T00:00:00Z"): Finding[] {
  const result = readPods(podList(...pods));
  assert.ok(result.ok);
  return analyse(result.cases, journals, { asOfMs: Date.parse(asOf) }).findings;
}

function only(list: Finding[]): Finding {
  assert.equal(
    list.length,
    1,
    `expected one finding, got ${list.map((f) => f.diagnosis.verdict).join(", ")}`,
  );
  return list[0] as Finding;
}

const GKE = {
  uid: "fb04dcb6-970e-4c3d-1873-de51fd5a50d7",
  id: "b63c339a3c752779b5380802340b0530f3500389b7289d53bda9e0c403340803",
};

describe("verdicts", () => {
  const gkeFinding = (text: string, spec: Partial<PodSpec>) =>
    only(
      findings(
        [{ uid: GKE.uid, node: "gke-pool-1-5f2a", lastContainerId: GKE.id, ...spec }],
        [journal(null, parseJournal(text))],
      ),
    );

  it("when a Guaranteed container's own cgroup hit its limit, then container-limit, matched by id", () => {
    const finding = only(
      findings(
        [
          {
            uid: GKE.uid,
            node: "gke-pool-1-5f2a",
            lastContainerId: GKE.id,
            limit: "512Mi",
            request: "512Mi",
            qosClass: "Guaranteed",
            finishedAt: "2023-11-14T22:13:21Z",
          },
        ],
        [journal("gke-pool-1-5f2a", parseFixture(null, "kernel", "gke-5.15-cgroupv2-containerd.json"))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "container-limit");
    assert.equal(finding.match.matchedBy, "container-id");
    assert.equal(finding.match.clockSkewSeconds, -1, "kernel 22:13:20.0007, kubelet 22:13:21");
    assert.match(
      finding.diagnosis.evidence.join(" "),
      /Guaranteed \(requests = limits\); oom_score_adj -997/,
    );
  });

  const podSlice = `/kubepods.slice/kubepods-pod${GKE.uid.replaceAll("-", "_")}.slice`;
  const podLimitHit = readFixture("kernel", "gke-5.15-cgroupv2-containerd.json")
    .toString("utf8")
    .replace(/oom_memcg=[^,]*/, `oom_memcg=${podSlice}`);

  it("when the limit hit was the pod's own cgroup, above this container's, then pod-limit", () => {
    const finding = gkeFinding(podLimitHit, { limit: "256Mi" });
    assert.equal(finding.diagnosis.verdict, "pod-limit");
    assert.match(finding.diagnosis.summary, /pod's own cgroup/);
  });

  it("when the pod's cgroup hit a limit equal to its only container's, then container-limit, saying so", () => {
    const finding = gkeFinding(podLimitHit, { limit: "512Mi" });
    assert.equal(finding.diagnosis.verdict, "container-limit");
    assert.match(
      finding.diagnosis.evidence.join(" "),
      /pod's cgroup .* whose limit equals this container's own 512Mi/,
    );
  });

  it("when the node's pod hierarchy hit its limit, then node-allocatable, and no limit raise", () => {
    const text = podLimitHit.replace(/oom_memcg=[^,]*/, "oom_memcg=/kubepods.slice");
    const finding = gkeFinding(text, { limit: "512Mi", request: "128Mi" });
    assert.equal(finding.diagnosis.verdict, "node-allocatable");
    assert.match(finding.diagnosis.summary, /node allocatable/);
    assert.doesNotMatch(finding.diagnosis.summary, /container hit its own/);
    assert.equal(finding.recommendation?.memoryLimit, null, "a higher limit would not help");
    assert.equal(finding.recommendation?.notes[0]?.kind, "allocatable-exhausted");
  });

  it("when the node ran out (global OOM), then node-pressure names the biggest holders and advises requests", () => {
    const finding = only(
      findings(
        [
          {
            uid: "28c2dec1-5a9b-d200-bf93-582445f1b365",
            node: "k8s-node-11",
            lastContainerId: "e495560c9bdd2aea4b31f04807a3679068337f6b12af6de1b22d2a323e880102",
            limit: "8Gi",
            request: "2Gi",
            finishedAt: "2024-01-15T03:12:45Z",
          },
        ],
        [journal("k8s-node-11", parseFixture(null, "kernel", "debian-5.10-global-oom.short-full"))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "node-pressure");
    const evidence = finding.diagnosis.evidence.join(" ");
    assert.match(evidence, /java \(pid 31337, 5\.0 GiB\), mysqld \(pid 20410, 1\.5 GiB\)/);
    assert.match(evidence, /8\.0 GiB of RAM/);
    assert.equal(finding.recommendation?.memoryLimit, null, "a higher limit would not help");
    assert.equal(finding.recommendation?.memoryRequest, "5Gi");
  });

  it("when the kernel sacrificed a child and the container kept running, then child-process", () => {
    const running = "da42a9d25cc5e450e26ec1ee6410e4b898166aa9588babe26229dc86f88c825e";
    const finding = only(
      findings(
        [
          {
            uid: "f28d5b0d-6f8b-e0da-8446-dabe79044cb9",
            node: "node-c7",
            currentContainerId: running,
            restartCount: 0,
            limit: "2Gi",
          },
        ],
        [journal("node-c7", parseFixture(null, "kernel", "centos7-3.10-sacrifice-child.log"))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "child-process");
    const evidence = finding.diagnosis.evidence.join(" ");
    assert.match(evidence, /chose java \(pid 2345, score 1986\) and sacrificed its child sh \(pid 2399\)/);
    assert.match(evidence, /still running/);
  });

  it("when the kubelet evicted the pod, then evicted, with the usage from the message", () => {
    const finding = only(
      findings(
        [
          {
            uid: "3b0f6d7e-5a8c-4b1e-9f2d-7c4e1a9b8d21",
            request: "256Mi",
            status: {
              phase: "Failed",
              reason: "Evicted",
              message:
                "The node was low on resource: memory. Container app was using 1541232Ki, which exceeds its request of 256Mi.",
            },
          },
        ],
        [],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "evicted");
    assert.equal(finding.recommendation?.memoryRequest, "1536Mi");
  });

  it("when exit 137 came without an OOM and the node's journal covers the time, then killed-not-oom", () => {
    const finding = only(
      findings(
        [
          {
            uid: "0d1c2b3a-4f5e-6d7c-8b9a-0f1e2d3c4b5a",
            node: "gke-pool-1-5f2a",
            lastContainerId: "11".repeat(32),
            reason: "Error",
            exitCode: 137,
            finishedAt: "2023-11-14T22:13:21Z",
          },
        ],
        [journal("gke-pool-1-5f2a", parseFixture(null, "kernel", "gke-5.15-cgroupv2-containerd.json"))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "killed-not-oom");
    assert.match(finding.diagnosis.evidence.join(" "), /liveness probe/);
    assert.equal(finding.recommendation, null);
  });

  it("when only a rate-limited kill line is left and the node's offset is given, then it is matched by node and time", () => {
    const pod: PodSpec = {
      uid: "52df7f2f-1048-dc22-01a7-7314d0f8b689",
      node: "node-r",
      finishedAt: "2024-06-02T02:00:30Z",
      lastContainerId: "22".repeat(32),
    };
    const parsed = parseFixture(null, "pitfalls", "rate-limited-kill-only.log");
    const withOffset = only(findings([pod], [journal("node-r", parsed, 8 * 60)], "2024-06-03T00:00:00Z"));
    assert.equal(withOffset.match.matchedBy, "node-time");
    assert.equal(withOffset.match.clockSkewSeconds, -29);
    assert.equal(withOffset.diagnosis.verdict, "container-limit");
    assert.match(withOffset.diagnosis.evidence.join(" "), /partial: the report's header is missing/);

    const withoutOffset = only(findings([pod], [journal("node-r", parsed)], "2024-06-03T00:00:00Z"));
    assert.equal(withoutOffset.diagnosis.verdict, "no-evidence");
    assert.match(withoutOffset.diagnosis.evidence.join(" "), /--node-utc-offset/);
    assert.match(withoutOffset.diagnosis.evidence.join(" "), /suppressed 12 messages/);
  });

  it("when the journal starts after the kill, then no-evidence says it was rotated", () => {
    const finding = only(
      findings(
        [
          {
            uid: "0d1c2b3a-4f5e-6d7c-8b9a-0f1e2d3c4b5a",
            node: "gke-pool-1-5f2a",
            lastContainerId: "33".repeat(32),
            finishedAt: "2023-11-01T00:00:00Z",
          },
        ],
        [journal("gke-pool-1-5f2a", parseFixture(null, "kernel", "gke-5.15-cgroupv2-containerd.json"))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "no-evidence");
    assert.match(finding.diagnosis.evidence.join(" "), /rotated or vacuumed/);
  });

  it("when the node rebooted in the journal, then no-evidence says a report may not have reached the disk", () => {
    const text = `-- Boot 0123456789abcdef0123456789abcdef --\n${readFixture("kernel", "ubuntu-5.4-uid-suffix.short-iso").toString("utf8")}`;
    const finding = only(
      findings(
        [
          {
            uid: "0d1c2b3a-4f5e-6d7c-8b9a-0f1e2d3c4b5a",
            node: "ip-10-0-3-17",
            lastContainerId: "44".repeat(32),
            finishedAt: "2023-02-07T16:21:00Z",
          },
        ],
        [journal("ip-10-0-3-17", parseJournal(text))],
      ),
    );
    assert.equal(finding.diagnosis.verdict, "no-evidence");
    const evidence = finding.diagnosis.evidence.join(" ");
    assert.match(evidence, /covers the kill time but holds no OOM report/);
    assert.match(evidence, /rebooted/);
  });

  it("when two pods were killed on one node, then each gets its own report", () => {
    const parsed = parseFixture("node-x", "pitfalls", "interleaved-two-reports.log");
    const list = findings(
      [
        {
          uid: "143c9ccd-5822-7f96-9ffd-03191b899123",
          name: "ingest-1",
          node: "node-x",
          lastContainerId: "b7a13fea502c4b54f0dbc99cab3be4fd5dc79c1aec8cc8c60152e142cdd55950",
          finishedAt: "2024-09-09T06:02:12Z",
        },
        {
          uid: "6cd105b6-25e1-70ec-3c5e-fd5bc4e438ca",
          name: "render-1",
          node: "node-x",
          lastContainerId: "d875985b632b93f4d73a2fece4cf1f62613f3546803dd28b251ba99a62952b48",
          finishedAt: "2024-09-09T06:02:12Z",
        },
      ],
      [journal("node-x", parsed)],
    );
    assert.deepEqual(
      list.map((f) => [f.match.container.pod, f.match.event?.victim?.comm, f.diagnosis.verdict]),
      [
        ["ingest-1", "ingest", "container-limit"],
        ["render-1", "render", "container-limit"],
      ],
    );
  });
});
