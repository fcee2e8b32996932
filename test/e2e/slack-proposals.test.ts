// Limit-change proposals end to end: the Propose button opens the modal, its submission is checked,
// dry-run on the fake API server, approved by someone else, patched once, followed and verified,
// with every step in the thread and the audit trail. Real Bolt, real Redis, real Kubernetes client.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { BotHandle } from "../../src/cli/bot.js";
import { botEnv, dropPrefix, REDIS_URL, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster, seedDeployment } from "../harness/cluster.js";
import { buttons, FakeSlack } from "../harness/fake-slack.js";
import { podObject } from "../harness/pods.js";
import { ALICE, BOB, ProposalFlow, SUGGESTED } from "../harness/proposal-flow.js";
import { newTriggerId, slashCommand } from "../harness/slack-requests.js";

type Json = Record<string, unknown>;

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");
const DEPLOYMENT = "/apis/apps/v1/namespaces/production/deployments/systembusiness-deployment";
const CAROL = "U0CAROL";
const EVE = "U0EVE";

let cluster: HarnessCluster;
let slack: FakeSlack;
let bot: BotHandle;
let flow: ProposalFlow;
let clock = CAPTURED;
const prefix = uniquePrefix();

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  slack.userGroups.set("S0SRE", [CAROL]);
  // A bare pod, OOM-killed: nothing owns it, so there is no template to patch.
  cluster.api.state.pods.push(
    podObject({
      name: "debug-shell",
      uid: "9d1c0a52-0b1e-4c0f-8e1e-5c0ffee0b1e5",
      namespace: "production",
      node: "k8s-node-01",
      container: "shell",
      limit: "256Mi",
      request: "256Mi",
      restartCount: 1,
      createdAt: "2021-07-11T00:00:00Z",
      reason: "OOMKilled",
      exitCode: 137,
      startedAt: "2021-07-12T03:00:00Z",
      finishedAt: "2021-07-12T03:30:00Z",
      owner: null,
      labels: { app: "debug" },
      lastContainerId: "0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ffee0b1e5c0ff",
    }),
  );
  const config = writeBotConfig(cluster, prefix, {
    proposals: {
      approvers: { production: [ALICE, BOB, "S0SRE"] },
      verifyAfterMinutes: 0,
      leakAfterBumps: 50,
    },
  });
  const started = await startTestBot(botEnv(slack, config), "all", () => clock);
  bot = started.bot;
  flow = new ProposalFlow(slack, started.url);
});

after(async () => {
  await bot?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

beforeEach(() => {
  clock = CAPTURED;
  cluster.api.state.deployments.splice(0, cluster.api.state.deployments.length, seedDeployment());
  cluster.api.patchRefusals.clear();
  cluster.api.patches.splice(0);
});

const realPatches = () => cluster.api.patches.filter((patch) => !patch.dryRun);

describe("proposing, approving and applying a limit", () => {
  it("when Alice proposes the suggested limit and Bob approves, then one correct patch follows one dry run, and the thread tells it all", async () => {
    const thread = await flow.investigate("C0HAPPY");
    const modal = slack.views.length;
    assert.equal(await flow.submit(thread, SUGGESTED), null, "the modal closes");
    const view = slack.views[modal] as Json;
    assert.match(JSON.stringify(view), /Now: limit \*1000Mi\*, request \*100Mi\*/);
    assert.match(JSON.stringify(view), /"initial_value":"1280Mi"/);
    assert.match(JSON.stringify(view), /Resident memory at the kill was 1010.8 MiB; with 25% headroom/);

    const proposal = await flow.proposalIn(thread, /waiting for approval/);
    assert.match(JSON.stringify(proposal.blocks), /limit 1000Mi → 1280Mi/);
    assert.match(JSON.stringify(proposal.blocks), /Dry run passed/);
    assert.deepEqual(
      buttons(proposal).map((b) => b.action_id),
      ["approve_proposal", "reject_proposal"],
    );
    assert.equal(cluster.api.patches.length, 1);
    assert.equal(cluster.api.patches[0]?.dryRun, true);

    await flow.click(thread, proposal, "approve_proposal", BOB);
    await slack.until(
      () => /applied/.test(proposal.text) && /Rollout complete/.test(JSON.stringify(proposal.blocks)),
      "the applied proposal",
    );
    assert.equal(realPatches().length, 1);
    const patch = realPatches()[0];
    assert.ok(patch);
    assert.equal(patch.path, DEPLOYMENT);
    assert.equal(patch.contentType, "application/strategic-merge-patch+json");
    const body = patch.body as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { containers: Array<{ name: string; resources: Json }> } } };
    };
    assert.deepEqual(body.spec.template.spec.containers, [
      { name: "systembusiness", resources: { limits: { memory: "1280Mi" }, requests: { memory: "768Mi" } } },
    ]);
    assert.equal(body.metadata.annotations["oom-doctor.io/approved-by"], BOB);
    assert.equal(body.metadata.annotations["oom-doctor.io/proposed-by"], ALICE);
    assert.match(body.metadata.annotations["oom-doctor.io/proposal"] ?? "", /^[0-9a-f]{24}$/);
    assert.equal(buttons(proposal).length, 0, "decided: no buttons left");
    assert.match(JSON.stringify(proposal.blocks), /Applied, approved by <@U0BOB>/);

    const verified = await slack.until(
      () =>
        slack
          .replies(thread.channel, thread.root.ts)
          .find((m) => /has not been OOM-killed again/.test(m.text)),
      "the verification",
    );
    assert.deepEqual(
      buttons(verified).map((b) => b.action_id),
      ["revert_change"],
    );

    await slashCommand(flow.url, {
      text: "audit production",
      channel: thread.channel,
      responseUrl: slack.responseUrl("audit"),
    });
    const audit = await slack.until(
      () => slack.responses.find((r: Json) => /Audit trail/.test(String(r.text))),
      "the audit",
    );
    const text = JSON.stringify(audit.blocks);
    for (const event of ["proposed", "dry run", "approved", "applied", "verified"])
      assert.match(text, new RegExp(`\\*${event}\\*`));
  });

  it("when the modal holds a bad quantity, a request above the limit, or a limit below the resident memory, then the fields say why", async () => {
    const thread = await flow.investigate("C0MODAL");
    const bad = await flow.submit(thread, { limit: "lots", request: "", reason: "x" });
    assert.equal(bad?.response_action, "errors");
    assert.match(JSON.stringify(bad), /`lots` is not a Kubernetes quantity/);
    const inverted = await flow.submit(thread, { limit: "1280Mi", request: "2Gi", reason: "x" });
    assert.match(
      JSON.stringify(inverted),
      /"request":"The request \(2Gi\) cannot be above the limit \(1280Mi\)\."/,
    );
    const low = await flow.submit(thread, { limit: "1010Mi", request: "", reason: "x" });
    assert.match(JSON.stringify(low), /1010Mi is below the 1010.8 MiB the container held/);
    const huge = await flow.submit(thread, { limit: "4Gi", request: "", reason: "" });
    assert.match(JSON.stringify(huge), /more than 2x the current 1000Mi/);
    assert.match(JSON.stringify(huge), /"reason":"Say why/);
    const proposed = slack
      .replies(thread.channel, thread.root.ts)
      .filter((m) => /proposes a memory change/.test(JSON.stringify(m.blocks)));
    assert.equal(proposed.length, 0, "nothing was proposed");
  });
});

describe("who may approve, and when", () => {
  it("when someone who is not an approver clicks Approve, then they are told and nothing is patched", async () => {
    const { thread, proposal } = await flow.ready("C0EVE");
    const before = slack.responses.length;
    await flow.click(thread, proposal, "approve_proposal", EVE);
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the refusal",
    );
    assert.match(String(answer.text), /You are not an approver for `production`/);
    assert.equal(realPatches().length, 0);
    assert.match(proposal.text, /waiting for approval/);
  });

  it("when the proposer approves their own proposal, then it is refused", async () => {
    const { thread, proposal } = await flow.ready("C0SELF");
    const before = slack.responses.length;
    await flow.click(thread, proposal, "approve_proposal", ALICE);
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the refusal",
    );
    assert.match(String(answer.text), /another approver must approve it/);
    assert.equal(realPatches().length, 0);
  });

  it("when Approve is clicked twice and by a group member at once, then the workload is patched once", async () => {
    const { thread, proposal } = await flow.ready("C0DOUBLE");
    const before = realPatches().length;
    await Promise.all([
      flow.click(thread, proposal, "approve_proposal", BOB),
      flow.click(thread, proposal, "approve_proposal", BOB),
      flow.click(thread, proposal, "approve_proposal", CAROL),
    ]);
    await slack.until(() => /applied/.test(proposal.text), "the applied proposal");
    assert.equal(realPatches().length - before, 1);
  });

  it("when the container's resources changed after the dry run, then the apply refuses and asks for a new proposal", async () => {
    const { thread, proposal } = await flow.ready("C0STALE");
    const deployment = cluster.api.state.deployments[0] as Json;
    const container = (
      (((deployment.spec as Json).template as Json).spec as Json).containers as Json[]
    )[0] as Json;
    container.resources = { limits: { memory: "1100Mi" }, requests: { memory: "100Mi" } };
    await flow.click(thread, proposal, "approve_proposal", BOB);
    await slack.until(() => /out of date/.test(proposal.text), "the stale proposal");
    assert.match(JSON.stringify(proposal.blocks), /resources changed since the proposal/);
    assert.equal(realPatches().length, 0);
  });

  it("when an approver rejects it, then it is closed without any patch", async () => {
    const { thread, proposal } = await flow.ready("C0REJECT");
    await flow.click(thread, proposal, "reject_proposal", CAROL);
    await slack.until(() => /rejected/.test(proposal.text), "the rejected proposal");
    assert.match(JSON.stringify(proposal.blocks), /Rejected by <@U0CAROL>/);
    assert.equal(buttons(proposal).length, 0);
    assert.equal(realPatches().length, 0);
  });

  it("when nobody approves before it expires, then Approve is refused and the buttons give way to the outcome", async () => {
    const { thread, proposal } = await flow.ready("C0LATE");
    clock = CAPTURED + 25 * 3_600_000;
    const before = slack.responses.length;
    await flow.click(thread, proposal, "approve_proposal", BOB);
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the refusal",
    );
    assert.match(String(answer.text), /has expired/);
    await slack.until(() => /expired/.test(proposal.text), "the expired proposal");
    assert.equal(buttons(proposal).length, 0);
    assert.equal(realPatches().length, 0);
  });

  it("when a payload names a proposal never issued, then the clicker is told it is unknown", async () => {
    const { thread, proposal } = await flow.ready("C0FORGED");
    for (const value of ["ffffffffffffffffffffffff", "../../etc", ""]) {
      const before = slack.responses.length;
      await flow.click(thread, proposal, "approve_proposal", BOB, value);
      const answer = await slack.until(
        () => slack.responses.slice(before).find((r: Json) => r.text),
        "the answer",
      );
      assert.match(String(answer.text), /does not know/);
    }
    assert.equal(realPatches().length, 0);
  });
});

describe("workloads without a template", () => {
  it("when Propose is clicked on a bare pod, then the clicker is told why it cannot be patched in place", async () => {
    const thread = await flow.investigate("C0BARE");
    const bare = slack.replies(thread.channel, thread.root.ts).find((m) => /Pod debug-shell/.test(m.text));
    assert.ok(
      bare,
      `a reply for the bare pod among: ${slack
        .replies(thread.channel, thread.root.ts)
        .map((m) => m.text)
        .join(" | ")}`,
    );
    const before = slack.responses.length;
    await flow.click(thread, bare, "propose_limit", ALICE);
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the answer",
    );
    assert.match(String(answer.text), /A Pod cannot be patched in place/);
    assert.equal(cluster.api.patches.length, 0);
  });
});

describe("what the API server and GitOps say", () => {
  it("when the dry run is refused by quota, then the proposal says so in the API server's words and cannot be approved", async () => {
    cluster.api.patchRefusals.set(DEPLOYMENT, {
      code: 403,
      reason: "Forbidden",
      message:
        'deployments.apps "systembusiness-deployment" is forbidden: exceeded quota: mem-quota, requested: limits.memory=840Mi, used: limits.memory=3000Mi, limited: limits.memory=3Gi',
    });
    const thread = await flow.investigate("C0QUOTA");
    await flow.submit(thread, SUGGESTED);
    const proposal = await flow.proposalIn(thread, /refused by the dry run/);
    assert.match(JSON.stringify(proposal.blocks), /exceeded quota: mem-quota/);
    assert.equal(buttons(proposal).length, 0);
    assert.equal(realPatches().length, 0);
  });

  it("when Argo CD manages the workload, then the change is handed over as YAML and a kubectl command, never patched", async () => {
    const deployment = cluster.api.state.deployments[0] as Json;
    (deployment.metadata as Json).labels = {
      app: "systembusiness",
      "argocd.argoproj.io/instance": "systembusiness",
    };
    const thread = await flow.investigate("C0ARGO");
    await flow.submit(thread, SUGGESTED);
    const proposal = await flow.proposalIn(thread, /handed to git/);
    const text = JSON.stringify(proposal.blocks);
    assert.match(text, /managed by Argo CD, which would revert a direct patch/);
    assert.match(text, /memory: 1280Mi/);
    assert.match(text, /kubectl -n production patch deployment systembusiness-deployment --type strategic/);
    assert.equal(buttons(proposal).length, 0);
    assert.equal(cluster.api.patches.length, 0);
  });
});

describe("the live workload, not the finding", () => {
  it("when the live limit was raised to 4Gi since the investigation, then the dry run refuses 1280Mi: a live limit is never lowered", async () => {
    const thread = await flow.investigate("C0LIVE");
    const deployment = cluster.api.state.deployments[0] as Json;
    const container = (
      (((deployment.spec as Json).template as Json).spec as Json).containers as Json[]
    )[0] as Json;
    container.resources = { limits: { memory: "4Gi" }, requests: { memory: "100Mi" } };
    assert.equal(await flow.submit(thread, SUGGESTED), null, "the modal checks the finding: it passes");
    const proposal = await flow.proposalIn(thread, /refused by the dry run/);
    assert.match(JSON.stringify(proposal.blocks), /1280Mi is not above the current limit \(4Gi\)/);
    assert.equal(buttons(proposal).length, 0);
    assert.equal(cluster.api.patches.length, 0, "not even a dry run was sent");
  });

  it("when another writer changes the Deployment between the read and the patch, then the API server's 409 sends the step round again, and it patches once, on the new version", async () => {
    const { thread, proposal } = await flow.ready("C0CONFLICT");
    const { arrived, release } = cluster.api.hold(DEPLOYMENT, "PATCH");
    await flow.click(thread, proposal, "approve_proposal", BOB);
    await arrived;
    const metadata = (cluster.api.state.deployments[0] as Json).metadata as Json;
    metadata.resourceVersion = "1001";
    metadata.labels = { ...(metadata.labels as Json), team: "payments" };
    release();
    await slack.until(() => /applied/.test(proposal.text), "the applied proposal");
    const sent = realPatches().map((patch) => ((patch.body as Json).metadata as Json).resourceVersion);
    assert.deepEqual(sent, ["1000", "1001"], "refused with 409, then sent again on the version read again");
    assert.equal(((cluster.api.state.deployments[0] as Json).metadata as Json).generation, 5, "stored once");
  });

  it("when Flux shows only in the Deployment's managedFields, then the change is handed to git", async () => {
    const metadata = (cluster.api.state.deployments[0] as Json).metadata as Json;
    metadata.managedFields = [
      { manager: "kustomize-controller", operation: "Apply", apiVersion: "apps/v1" },
      { manager: "kube-controller-manager", operation: "Update", apiVersion: "apps/v1" },
    ];
    const thread = await flow.investigate("C0FLUX");
    await flow.submit(thread, SUGGESTED);
    const proposal = await flow.proposalIn(thread, /handed to git/);
    assert.match(JSON.stringify(proposal.blocks), /managed by Flux/);
    assert.equal(cluster.api.patches.length, 0);
  });
});

describe("a proposal record in Redis", () => {
  it("when a record waiting for approval is rewritten in Redis as approved with a larger limit, then nothing is applied, the clicker is told, and the audit trail says so", async () => {
    const { thread, proposal } = await flow.ready("C0TAMPER");
    const id = buttons(proposal)[0]?.value ?? "";
    const redis = new Redis(REDIS_URL);
    try {
      const key = `${prefix}:proposal:${id}`;
      const record = JSON.parse((await redis.get(key)) ?? "{}") as Json;
      await redis.set(key, JSON.stringify({ ...record, to: { limit: "4Gi", request: null } }), "KEEPTTL");
    } finally {
      redis.disconnect();
    }
    const before = slack.responses.length;
    await flow.click(thread, proposal, "approve_proposal", BOB);
    const answer = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => r.text),
      "the refusal",
    );
    assert.match(String(answer.text), /does not carry a valid signature/);
    assert.equal(realPatches().length, 0);
    await slashCommand(flow.url, {
      text: "audit production",
      channel: thread.channel,
      responseUrl: slack.responseUrl("audit-tamper"),
    });
    const audit = await slack.until(
      () => slack.responses.slice(before).find((r: Json) => /Audit trail/.test(String(r.text))),
      "the audit",
    );
    assert.match(
      JSON.stringify(audit.blocks),
      /\*tampered record refused\* · Deployment systembusiness-deployment · <@U0BOB> · the stored record's signature does not match/,
    );
  });
});

describe("after the change", () => {
  it("when the container is OOM-killed again after the change, then the verification says so; Revert goes back through approval", async () => {
    const pod = cluster.api.state.pods.find(
      (p) => (p.metadata as Json).name === "systembusiness-deployment-5c6969978b-hx5lt",
    ) as Json;
    const saved = structuredClone(pod);
    try {
      const status = ((pod.status as Json).containerStatuses as Json[])[0] as Json;
      status.lastState = {
        terminated: {
          reason: "OOMKilled",
          exitCode: 137,
          startedAt: "2021-07-12T05:00:00Z",
          finishedAt: "2021-07-12T09:30:00Z",
        },
      };
      const { thread, proposal } = await flow.ready("C0AGAIN");
      await flow.click(thread, proposal, "approve_proposal", BOB);
      const verified = await slack.until(
        () =>
          slack
            .replies(thread.channel, thread.root.ts)
            .find((m) => /OOM-killed again at 2021-07-12 09:30:00 UTC/.test(m.text)),
        "the recurrence",
      );
      // The same click delivered twice (a replayed request) proposes one revert.
      const trigger = newTriggerId();
      await flow.click(thread, verified, "revert_change", ALICE, undefined, trigger);
      await flow.click(thread, verified, "revert_change", ALICE, undefined, trigger);
      const revert = await slack.until(
        () =>
          slack
            .replies(thread.channel, thread.root.ts)
            .find(
              (m) =>
                /undoes an earlier change/.test(JSON.stringify(m.blocks)) &&
                /waiting for approval/.test(m.text),
            ),
        "the revert proposal",
      );
      assert.match(JSON.stringify(revert.blocks), /limit 1280Mi → 1000Mi/);
      const before = realPatches().length;
      await flow.click(thread, revert, "approve_proposal", BOB);
      await slack.until(() => /applied/.test(revert.text), "the revert applied");
      const reverts = slack
        .replies(thread.channel, thread.root.ts)
        .filter((m) => /undoes an earlier change/.test(JSON.stringify(m.blocks)));
      assert.equal(reverts.length, 1, "one revert proposal for the replayed click");
      assert.equal(realPatches().length - before, 1);
      const body = realPatches().at(-1)?.body as {
        spec: { template: { spec: { containers: Array<{ resources: Json }> } } };
      };
      assert.deepEqual(body.spec.template.spec.containers[0]?.resources, {
        limits: { memory: "1000Mi" },
        requests: { memory: "100Mi" },
      });
    } finally {
      Object.assign(pod, saved);
    }
  });
});
