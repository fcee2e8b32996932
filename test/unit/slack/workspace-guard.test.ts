import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeOrigin, requestOrigin } from "../../../src/slack/workspace-guard.js";

const HOME = { team: "T0001", enterprise: null };
const GRID = { team: "T0001", enterprise: "E0001" };

describe("where a request comes from", () => {
  it("when a command's form fields say it, then the team and the organisation are read", () => {
    assert.deepEqual(requestOrigin({ team_id: "T0001", enterprise_id: "E0001", user_id: "U1" }), {
      team: "T0001",
      enterprise: "E0001",
      userTeam: null,
    });
  });

  it("when an interaction says it in nested objects, then the user's own workspace is read too", () => {
    const body = {
      team: { id: "T0001", enterprise_id: "E0001" },
      user: { id: "U1", team_id: "T0002" },
      enterprise: null,
    };
    assert.deepEqual(requestOrigin(body), { team: "T0001", enterprise: "E0001", userTeam: "T0002" });
  });

  it("when an org-wide payload names no team, then the team is unknown", () => {
    assert.equal(requestOrigin({ team: null, enterprise: { id: "E0001" } }).team, null);
  });
});

describe("whether the bot serves it", () => {
  const cases: Array<[string, Parameters<typeof judgeOrigin>[0], Parameters<typeof judgeOrigin>[1], string]> =
    [
      ["the bot's own workspace", { team: "T0001", enterprise: null, userTeam: "T0001" }, HOME, "home"],
      [
        "a command, whose user's workspace is not said",
        { team: "T0001", enterprise: null, userTeam: null },
        HOME,
        "home",
      ],
      ["another workspace", { team: "T0002", enterprise: null, userTeam: "T0002" }, HOME, "elsewhere"],
      [
        "a user of another workspace in a shared channel",
        { team: "T0001", enterprise: null, userTeam: "T0002" },
        HOME,
        "elsewhere",
      ],
      [
        "the same team id in another organisation",
        { team: "T0001", enterprise: "E0666", userTeam: "T0001" },
        GRID,
        "elsewhere",
      ],
      [
        "an organisation where the bot has none",
        { team: "T0001", enterprise: "E0001", userTeam: "T0001" },
        HOME,
        "elsewhere",
      ],
      [
        "no organisation where the bot has one",
        { team: "T0001", enterprise: null, userTeam: "T0001" },
        GRID,
        "elsewhere",
      ],
      [
        "the bot's own organisation and workspace",
        { team: "T0001", enterprise: "E0001", userTeam: "T0001" },
        GRID,
        "home",
      ],
      ["a request that names no team", { team: null, enterprise: null, userTeam: "T0001" }, HOME, "unknown"],
      [
        "a bot whose workspace Slack did not tell",
        { team: "T0001", enterprise: null, userTeam: "T0001" },
        null,
        "unknown",
      ],
    ];
  for (const [what, origin, home, verdict] of cases) {
    it(`when ${what}, then it is ${verdict}`, () => {
      assert.equal(judgeOrigin(origin, home), verdict);
    });
  }
});
