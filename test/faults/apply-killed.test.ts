// An approved limit change whose worker is SIGKILLed on its way to the patch: before the patch was
// sent, and after the API server received it but before the worker recorded it. Another worker takes
// the job over; the workload is patched once, never twice, and the proposal ends applied.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { after, before, beforeEach, describe, it } from "node:test";
import type { BotHandle } from "../../src/cli/bot.js";
import { botEnv, dropPrefix, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster, seedDeployment } from "../harness/cluster.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { ALICE, BOB, ProposalFlow } from "../harness/proposal-flow.js";
import { listening, startWorkerProcess } from "../harness/worker-process.js";

// The worker processes run on the real clock, and apply refuses a proposal past its expiry: every
// process here tells the same time.
const clock = () => Date.now();
const DEPLOYMENT = "/apis/apps/v1/namespaces/production/deployments/systembusiness-deployment";

let cluster: HarnessCluster;
let slack: FakeSlack;
let serve: BotHandle;
let flow: ProposalFlow;
let env: Record<string, string>;
const prefix = uniquePrefix();
const children: ChildProcess[] = [];

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  // A short lock, so the dead worker's job is taken over within seconds.
  const config = writeBotConfig(cluster, prefix, {
    queue: { lockSeconds: 3 },
    proposals: { approvers: { production: [ALICE, BOB] }, verifyAfterMinutes: 60 },
  });
  env = botEnv(slack, config);
  const started = await startTestBot(env, "serve", clock);
  serve = started.bot;
  flow = new ProposalFlow(slack, started.url);
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await serve?.close();
  await slack?.stop();
  await cluster?.close();
  await dropPrefix(prefix);
});

beforeEach(() => {
  cluster.api.state.deployments.splice(0, cluster.api.state.deployments.length, seedDeployment());
  cluster.api.patches.splice(0);
});

const realPatches = () => cluster.api.patches.filter((patch) => !patch.dryRun);

/**
 * Proposes and approves the suggested change with a worker process that is killed once its request
 * of `method` on the deployment reaches the API server; a second worker then takes over.
 */
async function approveAndKill(channel: string, method: "GET" | "PATCH") {
  const first = startWorkerProcess(env);
  children.push(first.child);
  await listening(first);
  const { thread, proposal } = await flow.ready(channel);
  const { arrived, release } = cluster.api.hold(DEPLOYMENT, method);
  await flow.click(thread, proposal, "approve_proposal", BOB);
  await arrived;
  first.child.kill("SIGKILL");
  await once(first.child, "exit");
  // The held request goes on without its client, as a real API server would carry it out.
  release();
  const second = await startTestBot(env, "worker", clock);
  try {
    await slack.until(() => /applied/.test(proposal.text), "the proposal applied by the second worker");
  } finally {
    await second.bot.close();
  }
  return proposal;
}

describe("an apply-limit job killed between the dry run and the patch", () => {
  it("when the worker dies before sending the patch, then the second worker patches once", async () => {
    const proposal = await approveAndKill("C0BEFORE", "GET");
    assert.equal(realPatches().length, 1);
    assert.match(JSON.stringify(proposal.blocks), /Applied, approved by <@U0BOB>/);
  });

  it("when the worker dies after the API server took the patch, then it is not sent again and the proposal still ends applied", async () => {
    const proposal = await approveAndKill("C0AFTER", "PATCH");
    assert.equal(realPatches().length, 1, "the dead worker's patch, and no other");
    assert.match(JSON.stringify(proposal.blocks), /Applied, approved by <@U0BOB>/);
    assert.doesNotMatch(proposal.text, /out of date/);
  });
});
