import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readPods } from "../../../src/analysis/pod.js";
import { podList, podObject } from "../../harness/pods.js";

const UID = "3b0f6d7e-5a8c-4b1e-9f2d-7c4e1a9b8d21";
const ID = "9c41e7d0b2a5f8e3c6d1a4b7e0f3c2d5a8b1e4f7c0d3a6b9e2f5c8d1a4b7e0f3";

function cases(document: unknown) {
  const result = readPods(document);
  assert.equal(result.ok, true, result.ok ? "" : result.reason);
  return result.ok ? result.cases : [];
}

describe("pod model", () => {
  it("when a List holds a pod with an OOMKilled last state, then its termination, resources and owner are read", () => {
    const [container] = cases(
      podList({
        uid: UID,
        lastContainerId: `docker://${ID}`,
        restartCount: 7,
        limit: "1000Mi",
        request: "100Mi",
      }),
    );
    assert.equal(container?.podUid, UID);
    assert.equal(container?.restartCount, 7);
    assert.equal(container?.lastTermination?.reason, "OOMKilled");
    assert.equal(container?.lastTermination?.exitCode, 137);
    assert.equal(container?.lastTermination?.containerId, `docker://${ID}`);
    assert.equal(container?.runtime, "docker");
    assert.equal(container?.memoryLimitBytes, 1_048_576_000);
    assert.equal(container?.memoryRequestBytes, 104_857_600);
    assert.equal(container?.qosClass, "Burstable", "computed when the status does not say");
    assert.deepEqual(container?.workload, { kind: "Deployment", name: "web", inferred: true });
  });

  it("when the status gives no QoS class, then it is computed as the kubelet would", () => {
    const guaranteed = podObject({ uid: UID, limit: "1Gi", request: null });
    const spec = guaranteed.spec as {
      containers: Array<{ resources: Record<string, Record<string, string>> }>;
    };
    const resources = spec.containers[0]?.resources ?? {};
    resources.limits = { memory: "1Gi", cpu: "1" };
    assert.equal(cases(guaranteed)[0]?.qosClass, "Guaranteed");
    assert.equal(cases(podObject({ uid: UID, limit: null, request: null }))[0]?.qosClass, "BestEffort");
  });

  it("when a Job made by a CronJob owns the pod, then the CronJob is named", () => {
    const [container] = cases(
      podObject({ uid: UID, owner: { kind: "Job", name: "nightly-report-28512345" }, labels: {} }),
    );
    assert.deepEqual(container?.workload, { kind: "CronJob", name: "nightly-report", inferred: true });
  });

  it("when the pod has no owner, then it is its own workload", () => {
    const [container] = cases(podObject({ uid: UID, name: "debug", owner: null }));
    assert.deepEqual(container?.workload, { kind: "Pod", name: "debug", inferred: false });
  });

  it("when the pod was evicted, then the eviction and the container's usage are read", () => {
    const [container] = cases(
      podObject({
        uid: UID,
        status: {
          phase: "Failed",
          reason: "Evicted",
          message:
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 88212Ki. Container app was using 1541232Ki, which exceeds its request of 256Mi. ",
        },
      }),
    );
    assert.equal(container?.eviction?.usageBytes, 1541232 * 1024);
  });

  it("when init containers ran, then they are cases too", () => {
    const pod = podObject({ uid: UID });
    (pod.spec as Record<string, unknown>).initContainers = [{ name: "migrate" }];
    const all = cases(pod);
    assert.deepEqual(
      all.map((c) => [c.container, c.init]),
      [
        ["migrate", true],
        ["app", false],
      ],
    );
  });

  it("when the document holds no pods, then the reason says what was expected", () => {
    const result = readPods({ kind: "ConfigMap", data: {} });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /kubectl get pods -o json/);
  });
});
