// Which ownerReferences name a workload: only apps/v1 and batch/v1 controllers with valid names.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trustedOwner } from "../../../src/analysis/owner.js";
import { readPods } from "../../../src/analysis/pod.js";
import { podObject } from "../../harness/pods.js";

const ref = (apiVersion: string, kind: string, name: string, controller = true) => ({
  apiVersion,
  kind,
  name,
  uid: "u1",
  controller,
});

describe("owner references", () => {
  const believed: Array<[string, unknown[], { kind: string; name: string }]> = [
    [
      "a Deployment's ReplicaSet",
      [ref("apps/v1", "ReplicaSet", "web-7d9c5b6f4")],
      { kind: "ReplicaSet", name: "web-7d9c5b6f4" },
    ],
    ["a StatefulSet", [ref("apps/v1", "StatefulSet", "db")], { kind: "StatefulSet", name: "db" }],
    [
      "a CronJob's Job",
      [ref("batch/v1", "Job", "nightly-28512345")],
      { kind: "Job", name: "nightly-28512345" },
    ],
    ["a dotted name", [ref("apps/v1", "DaemonSet", "agent.v2")], { kind: "DaemonSet", name: "agent.v2" }],
    [
      "the controller among several",
      [ref("v1", "Node", "n1", false), ref("apps/v1", "ReplicaSet", "web-1")],
      { kind: "ReplicaSet", name: "web-1" },
    ],
  ];
  for (const [what, refs, expected] of believed) {
    it(`when the owner is ${what}, then it is believed`, () => {
      assert.deepEqual(trustedOwner(refs), expected);
    });
  }

  const ignored: Array<[string, unknown]> = [
    ["of a custom resource", [ref("argoproj.io/v1alpha1", "Rollout", "web")]],
    ["of an old API group", [ref("extensions/v1beta1", "ReplicaSet", "web-1")]],
    ["a kind of another group", [ref("apps/v1", "Job", "web-1")]],
    ["a name with shell syntax", [ref("apps/v1", "ReplicaSet", "web'; rm -rf /")]],
    ["a name with mrkdwn", [ref("apps/v1", "StatefulSet", "x```<!here>")]],
    ["an upper-case name", [ref("apps/v1", "StatefulSet", "Web")]],
    ["a name too long", [ref("apps/v1", "StatefulSet", "a".repeat(254))]],
    ["without an apiVersion", [{ kind: "ReplicaSet", name: "web-1", controller: true }]],
    ["not a list", { kind: "ReplicaSet", name: "web-1" }],
    ["an empty list", []],
  ];
  for (const [what, refs] of ignored) {
    it(`when the owner is ${what}, then it is ignored`, () => {
      assert.equal(trustedOwner(refs), null);
    });
  }

  it("when a pod's owner is not believed, then the pod stands for itself", () => {
    const pod = podObject({
      uid: "9d1c0a52-0b1e-4c0f-8e1e-5c0ffee0b1e5",
      name: "web-abcde",
      owner: { kind: "Deployment", name: "evil`<!channel>", apiVersion: "apps/v1" },
    });
    const read = readPods({ items: [pod] });
    assert.ok(read.ok);
    assert.deepEqual(read.cases[0]?.workload, { kind: "Pod", name: "web-abcde", inferred: false });
    assert.equal(read.cases[0]?.owner, null);
  });
});
