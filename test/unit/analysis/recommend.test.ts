import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Diagnosis } from "../../../src/analysis/diagnose.js";
import type { OomEvent } from "../../../src/analysis/oom-event.js";
import { type ContainerCase, readPods } from "../../../src/analysis/pod.js";
import { DEFAULT_POLICY, recommend } from "../../../src/analysis/recommend.js";
import { parseFixture } from "../../harness/fixtures.js";
import { type PodSpec, podObject } from "../../harness/pods.js";

const MI = 2 ** 20;
const seedEvent = parseFixture(null, "seed", "journal", "k8s-node-04.log").events[0] as OomEvent;

function container(spec: Partial<PodSpec> = {}): ContainerCase {
  const result = readPods(
    podObject({ uid: "f05bdc36-dd14-4537-9b91-57cc07df0932", limit: "1000Mi", request: "100Mi", ...spec }),
  );
  assert.ok(result.ok);
  return result.cases[0] as ContainerCase;
}

function diagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    verdict: "container-limit",
    summary: "",
    evidence: [],
    restartsPerDay: 2.6,
    regularKills: false,
    residentBytes: (1017592 + 17492) * 1024,
    ...overrides,
  };
}

describe("recommendations", () => {
  it("when the seed container hit its 1000Mi limit at 1010.8 MiB resident, then 1280Mi and a request of 768Mi", () => {
    const advice = recommend(container(), diagnosis(), seedEvent);
    assert.equal(advice?.memoryLimit, "1280Mi");
    assert.equal(advice?.memoryLimitBytes, 1280 * MI);
    assert.equal(advice?.memoryRequest, "768Mi");
    const reasons = advice?.reasons.join(" ") ?? "";
    assert.match(reasons, /Resident memory at the kill was 1010\.8 MiB/);
    assert.match(reasons, /request \(100Mi\) is 10\.0% of the 1000Mi limit/);
    assert.match(reasons, /GOMEMLIMIT .*1152MiB/, "the stack pointer in Go's arena gives the Go hint");
  });

  it("when the cgroup held several processes, then the limit is sized from the cgroup's usage", () => {
    const app = seedEvent.tasks.find((row) => row.name === "systembusin");
    assert.ok(app);
    const twoWorkers: OomEvent = {
      ...seedEvent,
      memcg: { usageBytes: 2000 * MI, limitBytes: 2000 * MI, failcnt: 1 },
      tasks: [...seedEvent.tasks, { ...app, pid: app.pid + 1 }],
    };
    const advice = recommend(container({ limit: "2000Mi" }), diagnosis(), twoWorkers);
    const note = advice?.notes.find((candidate) => candidate.kind === "sized-from-cgroup");
    assert.equal(note?.kind, "sized-from-cgroup");
    assert.equal(note.processes, 2, "the pause container is not counted");
    assert.equal(advice?.memoryLimit, "2560Mi", "2000Mi used by the cgroup, plus 25%, rounded up");
    assert.match(advice?.reasons.join(" ") ?? "", /The cgroup held 2 processes/);
  });

  it("when kills are regular, then a leak is named", () => {
    const advice = recommend(container(), diagnosis({ regularKills: true }), seedEvent);
    assert.match(advice?.reasons.join(" ") ?? "", /a leak is likely/);
  });

  it("when a LimitRange max is below the wanted limit, then the limit is capped and says by what", () => {
    const advice = recommend(container(), diagnosis(), seedEvent, DEFAULT_POLICY, {
      limitRangeMaxBytes: 1200 * MI,
    });
    assert.equal(advice?.memoryLimit, "1200Mi");
    assert.match(advice?.reasons.join(" ") ?? "", /Capped at 1200Mi by the namespace's LimitRange max/);
  });

  it("when the configured maximum is not above the current limit, then no raise is proposed", () => {
    const advice = recommend(container(), diagnosis(), seedEvent, {
      ...DEFAULT_POLICY,
      maxLimitBytes: 1000 * MI,
    });
    assert.equal(advice?.memoryLimit, null);
    assert.match(advice?.reasons.join(" ") ?? "", /cannot be raised/);
  });

  it("when the resident memory was small, then the raise is still at least the minimum step", () => {
    const advice = recommend(
      container({ limit: "512Mi", request: "512Mi" }),
      diagnosis({ residentBytes: 300 * MI }),
      null,
    );
    assert.equal(advice?.memoryLimit, "768Mi");
    assert.equal(advice?.memoryRequest, null, "no overcommit: the request equals the limit");
  });

  it("when the image is a JVM, then MaxRAMPercentage is advised; for Node.js, --max-old-space-size", () => {
    const jvm = recommend(container({ image: "eclipse-temurin:21-jre" }), diagnosis(), null);
    assert.match(jvm?.reasons.join(" ") ?? "", /MaxRAMPercentage=75/);
    const node = recommend(container({ image: "node:20-alpine" }), diagnosis(), null);
    assert.match(node?.reasons.join(" ") ?? "", /--max-old-space-size=960/);
  });

  it("when the SIGKILL was not an OOM kill, then there is nothing to size", () => {
    assert.equal(recommend(container(), diagnosis({ verdict: "killed-not-oom" }), null), null);
  });
});
