// The channel guard's table of records: every button, menu and modal oom-doctor renders names how its
// record is found, and a proposal's record is found through the repository that checks its signature.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interactionScopes, proposalScope } from "../../../src/slack/channel-guard.js";
import { DIGEST_ACTIONS } from "../../../src/slack/render/digest.js";
import { PROPOSAL_ACTIONS, PROPOSAL_MODAL } from "../../../src/slack/render/proposals.js";
import { ACTIONS } from "../../../src/slack/render/report.js";
import { SIGNING_KEY, World } from "../proposals/in-memory.js";

const nowhere = async () => null;

describe("interactionScopes", () => {
  it("when oom-doctor renders an interaction, then the guard knows how to find its record", () => {
    const scopes = interactionScopes({ finding: nowhere, proposal: nowhere, digestTarget: nowhere });
    const rendered = [
      ...Object.values(ACTIONS),
      ...Object.values(PROPOSAL_ACTIONS),
      ...Object.values(DIGEST_ACTIONS),
      PROPOSAL_MODAL,
    ];
    assert.deepEqual(
      rendered.filter((id) => !(id in scopes)),
      [],
    );
  });
});

describe("proposalScope", () => {
  it("when a proposal's record is signed, then its channel and namespace are its scope", async () => {
    const world = new World();
    const id = await world.ready();
    const scope = await proposalScope(world.repository(SIGNING_KEY))(id);
    assert.equal(scope?.channel, "C0OPS");
    assert.equal(scope?.namespace, "production");
  });

  it("when a record was rewritten in Redis, then it names no scope (its step refuses it)", async () => {
    const world = new World();
    const id = await world.ready();
    world.storage.tamper(id, (record) => {
      record.channel = "C0ELSEWHERE";
    });
    assert.equal(await proposalScope(world.repository(SIGNING_KEY))(id), null);
  });

  it("when the id was never issued, then it names no scope", async () => {
    const world = new World();
    assert.equal(await proposalScope(world.repository(SIGNING_KEY))("0".repeat(24)), null);
  });
});
