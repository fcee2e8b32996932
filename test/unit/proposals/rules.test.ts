import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { quantityBytesOrNull as parseBytes } from "../../../src/analysis/quantity.js";
import {
  checkAgainstLive,
  checkProposal,
  gitOpsManager,
  type LiveLimits,
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
  const managed = (
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
    managers: string[] = [],
  ) => ({ labels, annotations, managers });

  it("when Argo CD, Flux or Helm labels or annotations are there, then the tool is named", () => {
    assert.equal(gitOpsManager(managed({ "argocd.argoproj.io/instance": "x" })), "Argo CD");
    assert.equal(
      gitOpsManager(
        managed(
          { "app.kubernetes.io/instance": "web" },
          { "argocd.argoproj.io/tracking-id": "web:apps/Deployment:p/web" },
        ),
      ),
      "Argo CD",
    );
    assert.equal(gitOpsManager(managed({ "kustomize.toolkit.fluxcd.io/name": "apps" })), "Flux");
    assert.equal(gitOpsManager(managed({ "helm.toolkit.fluxcd.io/name": "web" })), "Flux");
    assert.equal(gitOpsManager(managed({ "app.kubernetes.io/managed-by": "Helm" })), "Helm");
    assert.equal(gitOpsManager(managed({}, { "meta.helm.sh/release-name": "web" })), "Helm");
    assert.equal(gitOpsManager(managed({ app: "web" })), null);
  });

  it("when only the field managers tell, then argocd-controller, kustomize-controller, helm-controller and helm are recognised", () => {
    const table: Array<[string[], string | null]> = [
      [["argocd-controller"], "Argo CD"],
      [["kube-controller-manager", "argocd-application-controller"], "Argo CD"],
      [["kustomize-controller"], "Flux"],
      [["helm-controller"], "Flux"],
      [["helm"], "Helm"],
      [["kubectl-client-side-apply", "kubectl-patch", "oom-doctor", "kube-controller-manager"], null],
    ];
    for (const [managers, tool] of table)
      assert.equal(gitOpsManager(managed({ app: "web" }, {}, managers)), tool, managers.join(", "));
  });

  it("when Argo CD tracks by a configured label, then that label alone names it; unconfigured, the label is ordinary", () => {
    const object = managed({ "app.kubernetes.io/instance": "web" });
    assert.equal(gitOpsManager(object), null);
    assert.equal(gitOpsManager(object, "app.kubernetes.io/instance"), "Argo CD");
    assert.equal(
      gitOpsManager(managed({ "team.example.com/app": "web" }), "team.example.com/app"),
      "Argo CD",
    );
  });
});

describe("a proposal against the live workload", () => {
  const live = (liveLimit: string | null, extra: Partial<LiveLimits> = {}): LiveLimits => ({
    liveLimitBytes: liveLimit === null ? null : (parseBytes(liveLimit) ?? null),
    maxLimitBytes: 64 * 1024 * MI,
    maxStepFactor: 2,
    undoing: null,
    ...extra,
  });
  const problems = (limit: string, at: LiveLimits, request: string | null = null) =>
    checkAgainstLive({ limit, request }, at).map((problem) => problem.kind);

  it("when the live limit is already above the proposed one, then it is not a raise (a 4Gi limit is never lowered to 1280Mi)", () => {
    assert.deepEqual(problems("1280Mi", live("4Gi")), ["not-a-raise"]);
    assert.deepEqual(problems("1280Mi", live("1280Mi")), ["not-a-raise"]);
  });

  it("when it raises the live limit within the step and the maximum, then it passes", () => {
    assert.deepEqual(problems("1280Mi", live("1000Mi")), []);
    assert.deepEqual(problems("2Gi", live(null)), []);
  });

  it("when it is more than the step above the live limit, or above the maximum, then it is refused", () => {
    assert.deepEqual(problems("2001Mi", live("1000Mi")), ["step-too-large"]);
    assert.deepEqual(problems("1280Mi", live("1000Mi", { maxLimitBytes: 1200 * MI })), ["above-maximum"]);
  });

  it("when the stored values are not quantities or the request exceeds the limit, then it is refused", () => {
    assert.deepEqual(problems("lots", live("1000Mi")), ["not-a-quantity"]);
    assert.deepEqual(problems("1280Mi", live("1000Mi"), "2Gi"), ["request-above-limit"]);
  });

  it("when a revert goes back to the values it undoes while they are still live, then lowering is allowed; otherwise not", () => {
    const undoing = { fromLimit: "1000Mi", toLimit: "1280Mi" };
    assert.deepEqual(problems("1000Mi", live("1280Mi", { undoing })), []);
    assert.deepEqual(problems("1000Mi", live("4Gi", { undoing })), ["not-a-raise"]);
    assert.deepEqual(problems("900Mi", live("1280Mi", { undoing })), ["not-a-raise"]);
    assert.deepEqual(problems("1000Mi", live("1280Mi")), ["not-a-raise"]);
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
