// What an alerts job may carry: a kill, a channel, a node, a time; anything else is refused with the
// field named, so the job fails for good instead of being retried.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Kill } from "../../../src/alerts/model.js";
import { killJobId, parseAlertJob, parseKill, sweepJobId } from "../../../src/queue/alerts.js";

const uid = "6a1f0c52-8d3e-4d8b-9a43-2f0e7c5b1d10";
const oomKilled: Kill = {
  id: `oom/${uid}/app/2024-03-01T10:00:00Z`,
  kind: "oom-killed",
  cluster: "production-eu",
  namespace: "production",
  pod: "api-7d9f8b6c5d-x2x7q",
  podUid: uid,
  container: "app",
  node: "k8s-node-04",
  workload: "Deployment/api",
  at: "2024-03-01T10:00:00Z",
  message: null,
  process: null,
};
const childProcess: Kill = {
  ...oomKilled,
  id: `child/k8s-node-04/containerd-0123abcd/4242/1709287200000`,
  kind: "child-process",
  message: "Memory cgroup out of memory: Killed process 4242 (gunicorn)",
  process: { name: "gunicorn", pid: 4242, residentBytes: 512 * 2 ** 20, limitBytes: null },
};
const systemOom: Kill = {
  ...oomKilled,
  id: "system-oom/ev-1/1",
  kind: "system-oom",
  namespace: null,
  pod: null,
  podUid: null,
  container: null,
  workload: null,
};

describe("a kill read back", () => {
  for (const valid of [oomKilled, childProcess, systemOom]) {
    it(`when a ${valid.kind} kill is well formed, then it comes back as it was`, () => {
      assert.deepEqual(parseKill(JSON.parse(JSON.stringify(valid))), valid);
    });
  }

  it("when it carries fields a kill does not have, then they are left behind", () => {
    assert.deepEqual(parseKill({ ...oomKilled, token: "secret" }), oomKilled);
  });

  const broken: Array<[string, unknown]> = [
    ["not an object", "oom/x"],
    ["an unknown kind", { ...oomKilled, kind: "panic" }],
    ["an id of another kind", { ...oomKilled, id: "evicted/x" }],
    ["an id far too long", { ...oomKilled, id: `oom/${"x".repeat(2000)}` }],
    ["no cluster", { ...oomKilled, cluster: "" }],
    ["a time that is no time", { ...oomKilled, at: "yesterday" }],
    ["a namespace that is no namespace", { ...oomKilled, namespace: "Prod;rm" }],
    ["a pod that is no pod name", { ...oomKilled, pod: "../etc" }],
    ["a uid with a slash", { ...oomKilled, podUid: "a/b" }],
    ["a container that is no container name", { ...oomKilled, container: "App" }],
    ["a node that is no node name", { ...oomKilled, node: 4 }],
    ["a workload without its kind", { ...oomKilled, workload: "api" }],
    ["a message far too long", { ...oomKilled, message: "x".repeat(20_000) }],
    ["a process without a pid", { ...childProcess, process: { name: "gunicorn", residentBytes: null } }],
    [
      "a process with negative memory",
      { ...childProcess, process: { ...childProcess.process, limitBytes: -1 } },
    ],
  ];
  for (const [what, value] of broken) {
    it(`when it has ${what}, then it is refused`, () => {
      assert.equal(parseKill(value), null);
    });
  }
});

describe("alerts job data", () => {
  it("when each job is well formed, then its data comes back typed", () => {
    assert.deepEqual(parseAlertJob("kill", { kill: oomKilled }), { name: "kill", data: { kill: oomKilled } });
    assert.deepEqual(parseAlertJob("deliver", { channel: "C0OPS" }), {
      name: "deliver",
      data: { channel: "C0OPS" },
    });
    assert.deepEqual(parseAlertJob("sweep", { node: "k8s-node-04", reason: "event" }), {
      name: "sweep",
      data: { node: "k8s-node-04", reason: "event" },
    });
    assert.deepEqual(parseAlertJob("quiet-end", { channel: "G0OPS", atMs: 1709287200000 }), {
      name: "quiet-end",
      data: { channel: "G0OPS", atMs: 1709287200000 },
    });
  });

  const broken: Array<[string, unknown, RegExp]> = [
    ["kill", { kill: { ...oomKilled, kind: "panic" } }, /^kill:/],
    ["kill", null, /^kill:/],
    ["deliver", { channel: "U0ALICE" }, /^channel:/],
    ["deliver", {}, /^channel:/],
    ["sweep", { node: "Node 4", reason: "schedule" }, /^node:/],
    ["sweep", { node: "k8s-node-04", reason: "whim" }, /^reason:/],
    ["quiet-end", { channel: "C0OPS", atMs: "tonight" }, /^atMs:/],
    ["quiet-end", { channel: "C0OPS", atMs: -5 }, /^atMs:/],
    ["investigate", { channel: "C0OPS" }, /^unknown job investigate/],
  ];
  for (const [name, data, problem] of broken) {
    it(`when a ${name} job carries ${JSON.stringify(data)?.slice(0, 60)}, then the problem is named`, () => {
      const parsed = parseAlertJob(name, data);
      assert.equal(typeof parsed, "string");
      assert.match(String(parsed), problem);
    });
  }
});

describe("alerts job ids", () => {
  it("when ids are derived from kill ids and sweep keys with colons, then they have none and differ per input", () => {
    const killId = killJobId(oomKilled.id);
    assert.doesNotMatch(killId, /:/);
    assert.equal(killId, killJobId(oomKilled.id));
    assert.notEqual(killId, killJobId(childProcess.id));
    const sweep = sweepJobId("k8s-node-04", "event", "ev-1:2024-03-01T10:00:00Z");
    assert.doesNotMatch(sweep, /:/);
    assert.notEqual(sweep, sweepJobId("k8s-node-04", "event", "ev-2:2024-03-01T10:00:00Z"));
  });
});
