import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig, redactConfig } from "../../../src/config/load.js";

const SIGNING_KEY = "x".repeat(32);

describe("configuration", () => {
  it("when nothing is set, then the defaults hold", () => {
    const result = buildConfig({}, {}, "test");
    assert.ok(result.ok);
    assert.equal(result.value.ssh.port, 22);
    assert.equal(result.value.ssh.concurrency, 8);
    assert.equal(result.value.ssh.user, null, "no default user: never root");
    assert.equal(result.value.ssh.maxJobOutputBytes, 64 * 2 ** 20);
    assert.deepEqual(result.value.window, { beforeSeconds: 600, afterSeconds: 300 });
    assert.equal(result.value.recommendation.maxLimitBytes, 64 * 2 ** 30);
  });

  it("when KUBECONFIG and the passphrase come from the environment, then they are used", () => {
    const result = buildConfig({}, { KUBECONFIG: "/k", OOM_DOCTOR_SSH_PASSPHRASE: "s3cret" }, "test");
    assert.ok(result.ok);
    assert.equal(result.value.kubernetes.kubeconfig, "/k");
    assert.equal(result.value.ssh.passphrase, "s3cret");
    assert.equal(redactConfig(result.value).ssh.passphrase, "[redacted]");
    assert.doesNotMatch(JSON.stringify(redactConfig(result.value)), /s3cret/);
  });

  it("when values are wrong, then every problem is named by its key", () => {
    const result = buildConfig(
      {
        ssh: {
          port: 0,
          user: "",
          nodes: { "n-1": { port: "x", journalCommand: "journalctl" } },
          sudo: true,
          bastion: { host: "jump" },
          maxOutputByte: 1,
        },
        recommendation: { maxLimit: "lots" },
        extra: true,
      },
      {},
      "oom.yaml",
    );
    assert.equal(result.ok, false);
    const message = result.ok ? "" : result.error.message;
    assert.match(message, /oom\.yaml: ssh\.port: expected a whole number from 1 to 65535, got 0/);
    assert.match(message, /ssh\.user: expected a non-empty string/);
    assert.match(message, /ssh\.nodes\.n-1\.port: expected a whole number/);
    assert.match(message, /ssh\.sudo: no longer set here: each node runs deploy\/node\/oom-doctor-journal/);
    assert.match(message, /ssh\.nodes\.n-1\.journalCommand: no longer set here/);
    assert.match(message, /ssh\.bastion\.user: not set \(there is no default\)/);
    assert.match(message, /ssh\.maxOutputByte: unknown key/);
    assert.match(message, /recommendation\.maxLimit: expected a Kubernetes quantity/);
    assert.match(message, /extra: unknown key/);
  });

  it("when the slack and queue sections are wrong, then each key is named", () => {
    const result = buildConfig(
      {
        slack: { locale: "fr", channels: { general: ["prod"], C0OPS: ["Prod_1"], C0DEV: "dev" } },
        queue: { prefix: "a b", lockSeconds: 1 },
      },
      {},
      "bot.yaml",
    );
    assert.equal(result.ok, false);
    const message = result.ok ? "" : result.error.message;
    assert.match(message, /slack\.locale: expected one of en, zh-CN, got "fr"/);
    assert.match(message, /slack\.channels\.general: not a Slack channel id/);
    assert.match(message, /slack\.channels\.C0OPS: not namespace names: Prod_1/);
    assert.match(message, /slack\.channels\.C0DEV: expected a list of names/);
    assert.match(message, /queue\.prefix: only letters/);
    assert.match(message, /queue\.lockSeconds: expected a whole number from 2 to 600/);
  });

  it("when the slack section is right, then channels, locale and queue settings are kept", () => {
    const result = buildConfig(
      {
        slack: { locale: "zh-CN", channels: { C0OPS: ["production", "staging"], "*": ["*"] } },
        queue: { prefix: "oomd" },
      },
      {},
      "bot.yaml",
    );
    assert.ok(result.ok);
    assert.equal(result.value.slack.locale, "zh-CN");
    assert.deepEqual(result.value.slack.channels, { C0OPS: ["production", "staging"], "*": ["*"] });
    assert.equal(result.value.queue.prefix, "oomd");
    assert.equal(result.value.queue.attempts, 3);
  });

  it("when slack.maxReplies is unset, then 15 workloads get a reply of their own; out of range, it is named", () => {
    const unset = buildConfig({}, {}, "bot.yaml");
    assert.ok(unset.ok);
    assert.equal(unset.value.slack.maxReplies, 15);
    const wrong = buildConfig({ slack: { maxReplies: 500 } }, {}, "bot.yaml");
    assert.equal(wrong.ok, false);
    assert.match(
      wrong.ok ? "" : wrong.error.message,
      /slack\.maxReplies: expected a whole number from 0 to 100/,
    );
  });

  it("when the proposals section is wrong, then each key is named; maxLimit defaults to recommendation.maxLimit", () => {
    const wrong = buildConfig(
      { proposals: { approvers: { Prod: ["U1"], production: ["bob"] }, maxStepFactor: 0 } },
      {},
      "bot.yaml",
    );
    assert.equal(wrong.ok, false);
    const message = wrong.ok ? "" : wrong.error.message;
    assert.match(message, /proposals\.approvers\.Prod: not a namespace name/);
    assert.match(
      message,
      /proposals\.approvers\.production: not Slack user or user-group ids \(U\.\.\., S\.\.\.\): bob/,
    );
    assert.match(message, /proposals\.maxStepFactor: expected a whole number from 1 to 100/);
    const right = buildConfig(
      { recommendation: { maxLimit: "8Gi" }, proposals: { approvers: { production: ["U0BOB", "S0SRE"] } } },
      { OOM_DOCTOR_PROPOSAL_SIGNING_KEY: SIGNING_KEY },
      "bot.yaml",
    );
    assert.ok(right.ok);
    assert.equal(right.value.proposals.maxLimitBytes, 8 * 2 ** 30);
    assert.deepEqual(right.value.proposals.approvers, { production: ["U0BOB", "S0SRE"] });
    assert.equal(right.value.proposals.expiryHours, 24);
  });

  it("when proposals are enabled, then the signing key is required, long enough, and redacted when shown", () => {
    const approvers = { proposals: { approvers: { production: ["U0BOB"] } } };
    const missing = buildConfig(approvers, {}, "bot.yaml");
    assert.equal(missing.ok, false);
    assert.match(
      missing.ok ? "" : missing.error.message,
      /OOM_DOCTOR_PROPOSAL_SIGNING_KEY \(or proposals\.signingKey\): not set; it is required when proposals\.approvers enables proposals/,
    );
    const short = buildConfig(approvers, { OOM_DOCTOR_PROPOSAL_SIGNING_KEY: "secret" }, "bot.yaml");
    assert.match(short.ok ? "" : short.error.message, /at least 32 characters/);
    const fromYaml = buildConfig(
      { proposals: { ...approvers.proposals, signingKey: SIGNING_KEY } },
      {},
      "bot.yaml",
    );
    assert.ok(fromYaml.ok);
    assert.equal(fromYaml.value.proposals.signingKey, SIGNING_KEY);
    const fromEnv = buildConfig(
      { proposals: { ...approvers.proposals, signingKey: "y".repeat(40) } },
      { OOM_DOCTOR_PROPOSAL_SIGNING_KEY: SIGNING_KEY },
      "bot.yaml",
    );
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.value.proposals.signingKey, SIGNING_KEY, "the environment (a Secret) wins");
    assert.equal(redactConfig(fromEnv.value).proposals.signingKey, "[redacted]");
    assert.doesNotMatch(JSON.stringify(redactConfig(fromEnv.value)), new RegExp(SIGNING_KEY));
    const disabled = buildConfig({}, {}, "bot.yaml");
    assert.ok(disabled.ok, "not needed while proposals are not enabled");
    assert.equal(disabled.value.proposals.signingKey, null);
  });
});
