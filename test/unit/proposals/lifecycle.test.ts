// The proposal lifecycle through in-memory ports: every move in the table, the guard rails against
// the live workload, a record not trusted for what it says, and a step that fails half-way and is
// finished by whatever runs next.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fail } from "../../../src/errors.js";
import { type ProposalStatus, TRANSITIONS } from "../../../src/proposals/model.js";
import { podObject } from "../../harness/pods.js";
import { ALICE, BOB, EVE, MemoryWorkload, T0, World } from "./in-memory.js";

const HOUR = 3_600_000;

describe("the transition table", () => {
  it("when a move is not in the table, then the repository refuses to make it", async () => {
    const world = new World();
    const id = await world.propose();
    const all = Object.keys(TRANSITIONS) as ProposalStatus[];
    for (const from of all)
      for (const to of all) {
        if (TRANSITIONS[from].includes(to)) continue;
        await assert.rejects(
          world.repository("k".repeat(32)).move(id, [from], to, {}, world.storage.audit[0] as never),
          /no move from/,
          `${from} -> ${to}`,
        );
      }
    assert.deepEqual(TRANSITIONS.applied, [], "applied is final: verification is a field, not a state");
  });

  it("when a step finds the proposal in another state than it moves from, then it moves nothing", async () => {
    const world = new World();
    const id = await world.ready();
    const before = world.events(id).length;
    for (const step of [
      () => world.lifecycle.dryRun(id),
      () => world.lifecycle.apply(id),
      () => world.lifecycle.verify(id),
      () => world.lifecycle.followRollout(id, 1),
    ]) {
      const outcome = await step();
      assert.equal(outcome.kind, "resumed");
    }
    assert.equal((await world.record(id)).status, "ready");
    assert.equal(world.events(id).length, before);
    assert.equal(world.workload.realPatches().length, 0);
  });
});

describe("propose and dry run", () => {
  it("when a change is proposed, then it is recorded as checking with its dry run and expiry queued", async () => {
    const world = new World();
    const id = await world.propose();
    const record = await world.record(id);
    assert.equal(record.status, "checking");
    assert.equal(record.expiresAt, new Date(T0 + 24 * HOUR).toISOString());
    assert.deepEqual(world.events(id), ["proposed"]);
    assert.ok(world.scheduler.has("dry-run", id));
    assert.equal(world.scheduler.jobs.get(`expire-${id}`)?.delayMs, 24 * HOUR);
    assert.equal(world.notifier.posts, 0, "the message comes with the dry run's verdict");
  });

  it("when the dry run passes, then it is ready, with what it read live, and its message is posted", async () => {
    const world = new World();
    const id = await world.propose();
    const outcome = await world.lifecycle.dryRun(id);
    assert.equal(outcome.kind, "moved");
    const record = await world.record(id);
    assert.equal(record.status, "ready");
    assert.deepEqual(record.from, { limit: "1000Mi", request: "100Mi" });
    assert.equal(record.workload.uid, "uid-1");
    assert.deepEqual(record.seen, { generation: 4, resourceVersion: "1000" });
    assert.equal(record.messageTs, `ts-${id}`);
    assert.equal(world.notifier.statusShown(id), "ready");
    const [call] = world.workload.patches;
    assert.equal(call?.dryRun, true);
    assert.equal(call?.patch.resourceVersion, "1000", "the dry run checks the object it read");
    assert.deepEqual(world.events(id), ["proposed", "dry-run"]);
  });

  it("when the live limit is already 4Gi and the finding said 1000Mi, then 1280Mi is refused: a live limit is never lowered", async () => {
    const world = new World(MemoryWorkload.deployment("4Gi"));
    const id = await world.propose("1280Mi");
    await world.lifecycle.dryRun(id);
    const record = await world.record(id);
    assert.equal(record.status, "refused");
    assert.equal(record.refusal?.kind, "rule");
    assert.equal(record.refusal?.kind === "rule" && record.refusal.problem.kind, "not-a-raise");
    assert.equal(world.workload.patches.length, 0, "not even a dry run is sent");
  });

  it("when the raise is more than the step above the live limit, then it is refused", async () => {
    const world = new World(MemoryWorkload.deployment("600Mi"));
    const id = await world.propose("1280Mi");
    await world.lifecycle.dryRun(id);
    const record = await world.record(id);
    assert.equal(record.refusal?.kind === "rule" && record.refusal.problem.kind, "step-too-large");
  });

  it("when the API server refuses the dry run, then it is refused in its words", async () => {
    const world = new World();
    world.workload.patchFailure = fail("patch-refused", "exceeded quota: mem-quota");
    const id = await world.propose();
    await world.lifecycle.dryRun(id);
    const record = await world.record(id);
    assert.equal(record.status, "refused");
    assert.deepEqual(record.refusal, { kind: "api", message: "exceeded quota: mem-quota" });
    assert.equal(world.notifier.statusShown(id), "refused");
  });

  it("when a GitOps tool shows only in managedFields, then the change is handed to git", async () => {
    const world = new World();
    world.workload.live.managers.push("kustomize-controller");
    const id = await world.propose();
    await world.lifecycle.dryRun(id);
    const record = await world.record(id);
    assert.equal(record.status, "gitops");
    assert.equal(record.gitOps, "Flux");
    assert.equal(world.workload.patches.length, 0);
  });

  it("when the API server is unreachable or the object changes under the dry run, then the step is retried and decides later", async () => {
    const world = new World();
    const id = await world.propose();
    world.workload.readFailure = fail("api-unreachable", "connect ECONNREFUSED");
    assert.equal((await world.lifecycle.dryRun(id)).kind, "retry");
    world.workload.beforePatch = () => world.workload.bump();
    assert.equal((await world.lifecycle.dryRun(id)).kind, "retry");
    assert.equal((await world.record(id)).status, "checking");
    assert.equal((await world.lifecycle.dryRun(id)).kind, "moved");
    assert.equal((await world.record(id)).status, "ready");
    assert.deepEqual(world.events(id), ["proposed", "dry-run"]);
  });
});

describe("approve and reject", () => {
  it("when an approver approves, then it is approved once, its apply queued and its message updated", async () => {
    const world = new World();
    const id = await world.ready();
    const outcome = await world.lifecycle.approve(id, BOB);
    assert.equal(outcome.kind, "moved");
    const record = await world.record(id);
    assert.equal(record.status, "approved");
    assert.equal(record.approver, BOB);
    assert.equal(record.approvedAt, new Date(T0).toISOString());
    assert.ok(world.scheduler.has("apply-limit", id));
    assert.equal(world.notifier.statusShown(id), "approved");
    const again = await world.lifecycle.approve(id, BOB);
    assert.equal(again.kind, "resumed");
    assert.deepEqual(world.events(id), ["proposed", "dry-run", "approved"]);
  });

  it("when someone not listed, or the proposer, approves, then it is refused and recorded", async () => {
    const world = new World();
    const id = await world.ready();
    assert.deepEqual(await world.lifecycle.approve(id, EVE), {
      kind: "not-approver",
      namespace: "production",
    });
    assert.deepEqual(await world.lifecycle.approve(id, ALICE), { kind: "self-approval" });
    world.approvers.membership = "unknown";
    assert.equal((await world.lifecycle.approve(id, BOB)).kind, "not-approver");
    assert.equal((await world.record(id)).status, "ready");
    const refusals = world.storage.audit.filter((entry) => entry.event === "refused").map((e) => e.detail);
    assert.deepEqual(refusals, [
      "not an approver",
      "self-approval",
      "approver membership could not be checked",
    ]);
  });

  it("when Approve comes after the expiry and before the expire job, then it expires instead", async () => {
    const world = new World();
    const id = await world.ready();
    world.nowMs = T0 + 25 * HOUR;
    assert.deepEqual(await world.lifecycle.approve(id, BOB), { kind: "expired" });
    assert.equal((await world.record(id)).status, "expired");
    assert.equal(world.notifier.statusShown(id), "expired");
    assert.deepEqual(await world.lifecycle.approve(id, BOB), { kind: "expired" });
  });

  it("when the proposer or an approver rejects, then it is rejected; anyone else is refused", async () => {
    const world = new World();
    const id = await world.ready();
    assert.deepEqual(await world.lifecycle.reject(id, EVE), { kind: "not-allowed-to-reject" });
    assert.equal((await world.lifecycle.reject(id, ALICE)).kind, "moved");
    const record = await world.record(id);
    assert.equal(record.status, "rejected");
    assert.equal(record.approver, ALICE);
    assert.equal((await world.lifecycle.approve(id, BOB)).kind, "resumed");
  });

  it("when the expire job comes, then a proposal still undecided expires and a decided one stays", async () => {
    const world = new World();
    const checking = await world.propose();
    const ready = await world.ready();
    const approved = await world.approved();
    for (const id of [checking, ready]) {
      assert.equal((await world.lifecycle.expire(id)).kind, "moved");
      assert.equal((await world.record(id)).status, "expired");
    }
    assert.equal((await world.lifecycle.expire(approved)).kind, "resumed");
    assert.equal((await world.record(approved)).status, "approved");
  });
});

describe("apply", () => {
  it("when approved, then one patch with the resourceVersion precondition and the annotations, and the rollout and verification follow", async () => {
    const world = new World();
    world.workload.instantRollout = false;
    const id = await world.approved();
    assert.equal((await world.lifecycle.apply(id)).kind, "moved");
    const record = await world.record(id);
    assert.equal(record.status, "applied");
    const [patch] = world.workload.realPatches();
    assert.equal(patch?.patch.resourceVersion, "1000");
    assert.deepEqual(patch?.patch.annotations, {
      "oom-doctor.io/proposal": id,
      "oom-doctor.io/approved-by": BOB,
      "oom-doctor.io/proposed-by": ALICE,
    });
    assert.equal(world.workload.live.containers[0]?.limit, "1280Mi");
    assert.equal(world.storage.bumps.get("production/Deployment/api")?.size, 1);
    assert.equal(world.scheduler.jobs.get(`verify-${id}`)?.delayMs, 60 * 60_000);
    assert.ok(world.scheduler.has("rollout", id, 1));
    assert.equal(world.notifier.statusShown(id), "applied");
    assert.deepEqual(world.events(id), ["proposed", "dry-run", "approved", "applied"]);
  });

  it("when the container's resources changed since the dry run, then it is out of date and not patched", async () => {
    const world = new World();
    const id = await world.approved();
    world.workload.edit("1100Mi");
    await world.lifecycle.apply(id);
    assert.equal((await world.record(id)).status, "stale");
    assert.equal(world.workload.realPatches().length, 0);
  });

  it("when the workload was deleted and created again under its name, then it fails: another uid", async () => {
    const world = new World();
    const id = await world.approved();
    world.workload.live.uid = "uid-2";
    await world.lifecycle.apply(id);
    const record = await world.record(id);
    assert.equal(record.status, "failed");
    assert.deepEqual(record.refusal, { kind: "workload-replaced" });
    assert.equal(world.workload.realPatches().length, 0);
  });

  it("when Argo CD took the workload over after the dry run, then apply hands it to git instead", async () => {
    const world = new World();
    const id = await world.approved();
    world.workload.live.labels["app.kubernetes.io/instance"] = "api";
    world.workload.live.annotations["argocd.argoproj.io/tracking-id"] = "api:apps/Deployment:production/api";
    await world.lifecycle.apply(id);
    const record = await world.record(id);
    assert.equal(record.status, "gitops");
    assert.equal(record.gitOps, "Argo CD");
    assert.equal(world.workload.realPatches().length, 0);
  });

  it("when the approver is no longer listed, the proposal is past its expiry, or the maximum was lowered, then it fails", async () => {
    const cases: Array<[string, (world: World) => void, string]> = [
      [
        "approver removed",
        (world) => world.approvers.approvers.set("production", [ALICE]),
        "approver-not-allowed",
      ],
      ["past its expiry", (world) => (world.nowMs = T0 + 25 * HOUR), "expired-before-apply"],
      ["maximum lowered", (world) => (world.config.maxLimitBytes = 1200 * 2 ** 20), "rule"],
    ];
    for (const [name, change, kind] of cases) {
      const world = new World();
      const id = await world.approved();
      change(world);
      await world.lifecycle.apply(id);
      const record = await world.record(id);
      assert.equal(record.status, "failed", name);
      assert.equal(record.refusal?.kind, kind, name);
      assert.equal(world.workload.realPatches().length, 0, name);
    }
  });

  it("when approver membership cannot be told, then apply is retried rather than decided", async () => {
    const world = new World();
    world.approvers.approvers.set("production", ["S0SRE"]);
    world.approvers.membership = "yes";
    const id = await world.approved();
    world.approvers.membership = "unknown";
    assert.equal((await world.lifecycle.apply(id)).kind, "retry");
    assert.equal((await world.record(id)).status, "approved");
  });

  it("when the workload changes between the read and the patch, then the API's conflict retries the step, which patches once", async () => {
    const world = new World();
    const id = await world.approved();
    world.workload.beforePatch = () => world.workload.bump();
    assert.equal((await world.lifecycle.apply(id)).kind, "retry");
    assert.equal((await world.record(id)).status, "approved");
    assert.equal((await world.lifecycle.apply(id)).kind, "moved");
    assert.equal((await world.record(id)).status, "applied");
    assert.equal(world.workload.live.containers[0]?.limit, "1280Mi");
    const sent = world.workload.realPatches().map((call) => call.patch.resourceVersion);
    assert.deepEqual(sent, ["1000", "1001"], "the retry's precondition is the object it read again");
  });

  it("when an earlier attempt's patch reached the API server, then the retry records it without patching again", async () => {
    const world = new World();
    const id = await world.approved();
    const record = await world.record(id);
    await world.workload.patchMemory(
      "production",
      "Deployment",
      "api",
      {
        container: "app",
        limit: "1280Mi",
        request: "768Mi",
        annotations: { "oom-doctor.io/proposal": id },
        resourceVersion: null,
      },
      false,
    );
    assert.equal(record.status, "approved");
    assert.equal((await world.lifecycle.apply(id)).kind, "moved");
    assert.equal((await world.record(id)).status, "applied");
    assert.equal(world.workload.realPatches().length, 1);
  });
});

describe("after the change", () => {
  it("when the rollout is followed, then each check records its progress and the next is queued until it is done", async () => {
    const world = new World();
    world.workload.instantRollout = false;
    const id = await world.applied();
    assert.equal((await world.lifecycle.followRollout(id, 1)).kind, "moved");
    assert.equal((await world.record(id)).rollout?.checks, 1);
    assert.ok(world.scheduler.has("rollout", id, 2));
    world.workload.live.rollout = { observedGeneration: 5, replicas: 3, updated: 3, ready: 3 };
    await world.lifecycle.followRollout(id, 2);
    assert.equal((await world.record(id)).rollout?.ready, 3);
    assert.equal(world.scheduler.has("rollout", id, 3), false, "done: no further check");
    assert.equal(
      (await world.lifecycle.followRollout(id, 2)).kind,
      "resumed",
      "a check made is not made again",
    );
  });

  it("when verified, then a kill after the change is reported once, audited, with its reply", async () => {
    const world = new World();
    const id = await world.applied();
    world.workload.pods = [
      podObject({
        uid: "p1",
        name: "api-1",
        container: "app",
        labels: { app: "api" },
        lastContainerId: "a".repeat(64),
        startedAt: "2021-07-12T05:00:00Z",
        finishedAt: "2021-07-12T09:30:00Z",
      }),
    ];
    assert.equal((await world.lifecycle.verify(id)).kind, "moved");
    const record = await world.record(id);
    assert.equal(record.verification?.recurredAt, "2021-07-12T09:30:00Z");
    assert.equal(world.notifier.verifications.length, 1);
    assert.equal((await world.lifecycle.verify(id)).kind, "resumed");
    assert.deepEqual(world.events(id).slice(-1), ["verified"]);
    assert.equal(world.events(id).filter((event) => event === "verified").length, 1);
  });

  it("when an applied change is reverted, then a new proposal goes back through the dry run, and lowering to the old values is allowed", async () => {
    const world = new World();
    const applied = await world.applied();
    const outcome = await world.lifecycle.revert(applied, ALICE);
    assert.equal(outcome.kind, "moved");
    const id = outcome.kind === "moved" ? outcome.proposal.id : "";
    const revert = await world.record(id);
    assert.equal(revert.revertOf, applied);
    assert.deepEqual(revert.to, { limit: "1000Mi", request: "100Mi" });
    await world.lifecycle.dryRun(id);
    assert.equal((await world.record(id)).status, "ready");
    await world.lifecycle.approve(id, BOB);
    await world.lifecycle.apply(id);
    assert.equal((await world.record(id)).status, "applied");
    assert.equal(world.workload.live.containers[0]?.limit, "1000Mi");
    assert.deepEqual(world.events(id).slice(-1), ["reverted"]);
    assert.deepEqual(await world.lifecycle.revert(id, ALICE).then((o) => o.kind), "moved");
  });

  it("when Revert is clicked on a change not applied, then it is refused with its state", async () => {
    const world = new World();
    const id = await world.ready();
    assert.deepEqual(await world.lifecycle.revert(id, ALICE), { kind: "not-revertible", status: "ready" });
  });
});

describe("a step that fails half-way", () => {
  it("when posting the dry run's message fails after its move, then the retry posts it, without a second dry run or audit entry", async () => {
    const world = new World();
    const id = await world.propose();
    world.notifier.fuse.arm("chat.postMessage");
    await assert.rejects(world.lifecycle.dryRun(id), /injected failure/);
    assert.equal((await world.record(id)).status, "ready");
    assert.equal(
      (await world.record(id)).messageTs,
      null,
      "ready, with no message: the bug this guards against",
    );
    assert.equal((await world.lifecycle.dryRun(id)).kind, "resumed");
    assert.equal((await world.record(id)).messageTs, `ts-${id}`);
    assert.equal(world.notifier.statusShown(id), "ready");
    assert.equal(world.workload.patches.length, 1);
    assert.deepEqual(world.events(id), ["proposed", "dry-run"]);
  });

  it("when queueing the apply fails after the approval, then the next click queues it", async () => {
    const world = new World();
    const id = await world.ready();
    world.scheduler.fuse.arm("queue.add");
    await assert.rejects(world.lifecycle.approve(id, BOB), /injected failure/);
    assert.equal((await world.record(id)).status, "approved");
    assert.equal(world.scheduler.has("apply-limit", id), false);
    assert.equal((await world.lifecycle.approve(id, ALICE)).kind, "resumed");
    assert.ok(world.scheduler.has("apply-limit", id));
  });

  it("when queueing the verification and then updating the message fail after the patch, then each retry finishes more and none patches again", async () => {
    const world = new World();
    const id = await world.approved();
    world.scheduler.fuse.arm("queue.add");
    await assert.rejects(world.lifecycle.apply(id), /injected failure: queue.add/);
    assert.equal((await world.record(id)).status, "applied");
    assert.equal(world.scheduler.has("verify", id), false);
    world.notifier.fuse.arm("chat.update");
    await assert.rejects(world.lifecycle.apply(id), /injected failure: chat.update/);
    assert.ok(world.scheduler.has("verify", id), "applied, and no verification queued: queued now");
    assert.equal(world.notifier.statusShown(id), "approved");
    assert.equal((await world.lifecycle.apply(id)).kind, "resumed");
    assert.equal(world.notifier.statusShown(id), "applied");
    assert.equal(world.storage.bumps.get("production/Deployment/api")?.size, 1);
    assert.equal(world.workload.realPatches().length, 1);
    assert.deepEqual(world.events(id).slice(-1), ["applied"]);
  });

  it("when an approval lands while the dry run's message is being posted, then remembering the message does not undo it", async () => {
    const world = new World();
    const id = await world.propose();
    world.notifier.duringShow = async () => {
      assert.equal((await world.lifecycle.approve(id, BOB)).kind, "moved");
    };
    await world.lifecycle.dryRun(id);
    const record = await world.record(id);
    assert.equal(record.status, "approved");
    assert.equal(record.approver, BOB);
    assert.equal(record.messageTs, `ts-${id}`);
    assert.equal(world.notifier.statusShown(id), "approved", "the message ends showing the newer state");
  });
});

describe("a record not trusted for what it says", () => {
  it("when a ready record is rewritten as approved in Redis, then apply refuses it, records why, and patches nothing", async () => {
    const world = new World();
    const id = await world.ready();
    world.storage.tamper(id, (record) => {
      record.status = "approved";
      record.approver = BOB;
    });
    assert.deepEqual(await world.lifecycle.apply(id), { kind: "tampered" });
    assert.deepEqual(await world.lifecycle.approve(id, BOB), { kind: "tampered" });
    assert.equal(world.workload.realPatches().length, 0);
    const entry = world.storage.audit.at(-1);
    assert.equal(entry?.event, "tampered");
    assert.equal(entry?.namespace, "production");
    assert.match(entry?.detail ?? "", /signature does not match/);
  });

  it("when a record is signed with another key, copied under another id, or not JSON, then it is tampered", async () => {
    const world = new World();
    const id = await world.ready();
    const other = await world.repository("another-key-0123456789abcdef0123456789").load(id);
    assert.equal(other.kind, "tampered");
    const copy = "f".repeat(24);
    world.storage.records.set(copy, world.storage.records.get(id) ?? "");
    assert.equal(
      (await world.repository("unit-test-signing-key-0123456789abcdef").load(copy)).kind,
      "tampered",
    );
    world.storage.records.set(id, "{not json");
    assert.deepEqual(await world.lifecycle.dryRun(id), { kind: "tampered" });
    assert.deepEqual(await world.lifecycle.approve("../../etc", BOB), { kind: "unknown" });
  });

  it("when a record's limit is raised in Redis after approval, then the signature no longer matches", async () => {
    const world = new World();
    const id = await world.approved();
    world.storage.tamper(id, (record) => {
      (record.to as { limit: string }).limit = "64Gi";
    });
    assert.deepEqual(await world.lifecycle.apply(id), { kind: "tampered" });
    assert.equal(world.workload.realPatches().length, 0);
  });
});
