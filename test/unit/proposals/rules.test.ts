import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkProposal,
  gitOpsManager,
  manifestSnippet,
  type ProposalLimits,
  patchCommand,
} from "../../../src/proposals/rules.js";

const MI = 2 ** 20;
const LIMITS: ProposalLimits = {
  currentLimitBytes: 1000 * MI,
  currentRequestBytes: 100 * MI,
  residentBytes: 1010 * MI,
  maxLimitBytes: 64 * 1024 * MI,
  nodeAllocatableBytes: 15 * 1024 * MI,
  limitRangeMaxBytes: null,
  maxStepFactor: 2,
  recentBumps: 0,
  leakAfterBumps: 3,
};

const kinds = (
  input: { limit: string; request?: string; reason?: string },
  limits: Partial<ProposalLimits> = {},
) => {
  const result = checkProposal({ request: "", reason: "because", ...input }, { ...LIMITS, ...limits });
  return result.ok ? [] : result.problems.map((problem) => problem.kind);
};

describe("a proposed limit", () => {
  it("when it is the suggested raise, then it passes, written canonically", () => {
    const result = checkProposal({ limit: " 1.25Gi ", request: "768Mi", reason: " daily kills " }, LIMITS);
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      limit: "1280Mi",
      limitBytes: 1280 * MI,
      request: "768Mi",
      requestBytes: 768 * MI,
      reason: "daily kills",
    });
  });

  const table: Array<
    [string, { limit: string; request?: string; reason?: string }, Partial<ProposalLimits>, string[]]
  > = [
    ["not a quantity", { limit: "1.5 gigs" }, {}, ["not-a-quantity"]],
    ["no reason", { limit: "1280Mi", reason: "  " }, {}, ["reason-missing"]],
    ["request above limit", { limit: "1280Mi", request: "2Gi" }, {}, ["request-above-limit"]],
    ["below the resident memory", { limit: "1005Mi" }, {}, ["below-resident"]],
    ["no raise", { limit: "1000Mi" }, { residentBytes: null }, ["not-a-raise"]],
    ["above the configured maximum", { limit: "1500Mi" }, { maxLimitBytes: 1200 * MI }, ["above-maximum"]],
    ["above the node", { limit: "1500Mi" }, { nodeAllocatableBytes: 1200 * MI }, ["above-node-allocatable"]],
    [
      "above the LimitRange",
      { limit: "1500Mi" },
      { limitRangeMaxBytes: 1 * 1024 * MI },
      ["above-limit-range"],
    ],
    ["more than the step allows", { limit: "2001Mi" }, {}, ["step-too-large"]],
    ["bumped too often", { limit: "1280Mi" }, { recentBumps: 3 }, ["probable-leak"]],
  ];
  for (const [name, input, limits, expected] of table) {
    it(`when it is ${name}, then the problem is ${expected.join(", ")}`, () => {
      assert.deepEqual(kinds(input, limits), expected);
    });
  }
});

describe("GitOps ownership", () => {
  it("when Argo CD, Flux or Helm labels or annotations are there, then the tool is named", () => {
    assert.equal(gitOpsManager({ "argocd.argoproj.io/instance": "x" }, {}), "Argo CD");
    assert.equal(gitOpsManager({ "kustomize.toolkit.fluxcd.io/name": "apps" }, {}), "Flux");
    assert.equal(gitOpsManager({ "helm.toolkit.fluxcd.io/name": "web" }, {}), "Flux");
    assert.equal(gitOpsManager({ "app.kubernetes.io/managed-by": "Helm" }, {}), "Helm");
    assert.equal(gitOpsManager({}, { "meta.helm.sh/release-name": "web" }), "Helm");
    assert.equal(gitOpsManager({ app: "web" }, {}), null);
  });
});

describe("the change for git", () => {
  const change = {
    namespace: "production",
    kind: "Deployment",
    name: "api",
    container: "app",
    limit: "1280Mi",
    request: "768Mi",
  };

  it("when written as YAML, then it is the pod template's container resources", () => {
    assert.equal(
      manifestSnippet(change),
      [
        "# Deployment api (namespace production)",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: app",
        "          resources:",
        "            limits:",
        "              memory: 1280Mi",
        "            requests:",
        "              memory: 768Mi",
      ].join("\n"),
    );
  });

  it("when written as a command, then it is one strategic merge patch", () => {
    assert.equal(
      patchCommand({ ...change, request: null }),
      `kubectl -n production patch deployment api --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","resources":{"limits":{"memory":"1280Mi"}}}]}}}}'`,
    );
  });
});
