import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readServiceSettings } from "../../../src/config/service.js";

const GOOD = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "s3cr3t" };

describe("the bot's environment", () => {
  it("when the tokens are set, then the defaults fill the rest", () => {
    const result = readServiceSettings(GOOD, "all");
    assert.ok(result.ok);
    assert.equal(result.value.redisUrl, "redis://127.0.0.1:6379");
    assert.equal(result.value.port, 3000);
    assert.equal(result.value.slack.apiUrl, "https://slack.com/api/");
    assert.equal(result.value.slack.appToken, null);
  });

  it("when SLACK_BOT_TOKEN is a user token, then the error names the variable and the expected prefix", () => {
    const result = readServiceSettings({ ...GOOD, SLACK_BOT_TOKEN: "xoxp-123" }, "serve");
    assert.ok(!result.ok);
    assert.match(result.error.message, /SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
    assert.doesNotMatch(result.error.message, /xoxp-123/);
  });

  it("when every setting is wrong, then every variable is named", () => {
    const result = readServiceSettings(
      { SLACK_APP_TOKEN: "xoxb-wrong", REDIS_URL: "localhost:6379", SLACK_API_URL: "ftp://x", PORT: "80a" },
      "serve",
    );
    assert.ok(!result.ok);
    for (const name of ["SLACK_BOT_TOKEN: not set", "SLACK_APP_TOKEN", "REDIS_URL", "SLACK_API_URL", "PORT"])
      assert.ok(result.error.message.includes(name), `${name} in ${result.error.message}`);
  });

  it("when serving over HTTP without a signing secret, then it is asked for; a worker does without", () => {
    const serve = readServiceSettings({ SLACK_BOT_TOKEN: "xoxb-1" }, "serve");
    assert.ok(!serve.ok);
    assert.match(serve.error.message, /SLACK_SIGNING_SECRET: not set/);
    assert.ok(readServiceSettings({ SLACK_BOT_TOKEN: "xoxb-1" }, "worker").ok);
    assert.ok(readServiceSettings({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }, "serve").ok);
  });

  it("when a token comes from a mounted file, then it is read and trimmed", () => {
    const dir = mkdtempSync(join(tmpdir(), "oom-doctor-service-"));
    const file = join(dir, "token");
    writeFileSync(file, "xoxb-from-file\n");
    const result = readServiceSettings({ SLACK_BOT_TOKEN_FILE: file, SLACK_SIGNING_SECRET: "s" }, "serve");
    assert.ok(result.ok);
    assert.equal(result.value.slack.botToken, "xoxb-from-file");
    const both = readServiceSettings({ ...GOOD, SLACK_BOT_TOKEN_FILE: file }, "serve");
    assert.ok(!both.ok);
    assert.match(both.error.message, /SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set/);
  });

  it("when SLACK_API_URL lacks its trailing slash, then one is added", () => {
    const result = readServiceSettings({ ...GOOD, SLACK_API_URL: "http://127.0.0.1:9/api" }, "serve");
    assert.ok(result.ok);
    assert.equal(result.value.slack.apiUrl, "http://127.0.0.1:9/api/");
  });
});
