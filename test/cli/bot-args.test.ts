// `oom-doctor serve|worker|all` refuse to start on a missing or malformed setting, naming it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../harness/cli.js";

describe("bot start-up errors", () => {
  it("when nothing is set, then serve names the bot token and the signing secret", async () => {
    const run = await runCli(["serve"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /SLACK_BOT_TOKEN: not set/);
    assert.match(run.stderr, /SLACK_SIGNING_SECRET: not set .* or set SLACK_APP_TOKEN for Socket Mode/);
    assert.match(run.stderr, /Install in Slack/);
  });

  it("when the bot token is a user token, then the prefix is explained and the token not echoed", async () => {
    const run = await runCli(["all"], {
      env: { SLACK_BOT_TOKEN: "xoxp-secret-value", SLACK_APP_TOKEN: "xapp-1" },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
    assert.doesNotMatch(run.stderr, /secret-value/);
  });

  it("when the YAML configuration is wrong, then the key is named before anything connects", async () => {
    const run = await runCli(["worker", "--config", "/nonexistent/oom-doctor.yaml"], {
      env: { SLACK_BOT_TOKEN: "xoxb-1" },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /OOM_DOCTOR_CONFIG: \/nonexistent\/oom-doctor\.yaml: no such file/);
  });

  it("when the worker cannot read the kubeconfig, then it says so at start-up", async () => {
    const run = await runCli(["worker"], {
      env: { SLACK_BOT_TOKEN: "xoxb-1", KUBECONFIG: "/nonexistent/kubeconfig" },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot load \/nonexistent\/kubeconfig: ENOENT/);
  });

  it("when given arguments it does not take, then usage is pointed to", async () => {
    const run = await runCli(["serve", "production"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unexpected arguments: production/);
  });
});
