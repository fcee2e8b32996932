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
    assert.deepEqual(result.value.redis, {
      url: "redis://127.0.0.1:6379",
      username: null,
      password: null,
      ca: null,
    });
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

  it("when Redis needs an ACL user, a password from a mounted file and TLS with its own CA, then all are kept", () => {
    const dir = mkdtempSync(join(tmpdir(), "oom-doctor-service-"));
    writeFileSync(join(dir, "password"), "s3cret\n");
    writeFileSync(join(dir, "ca.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const result = readServiceSettings(
      {
        ...GOOD,
        REDIS_URL: "rediss://redis.example.internal:6380",
        REDIS_USERNAME: "oomdoctor",
        REDIS_PASSWORD_FILE: join(dir, "password"),
        REDIS_CA_FILE: join(dir, "ca.crt"),
      },
      "all",
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.equal(result.value.redis.url, "rediss://redis.example.internal:6380");
    assert.equal(result.value.redis.username, "oomdoctor");
    assert.equal(result.value.redis.password, "s3cret");
    assert.match(result.value.redis.ca ?? "", /BEGIN CERTIFICATE/);
  });

  it("when the Redis settings contradict each other, then each variable is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "oom-doctor-service-"));
    writeFileSync(join(dir, "not-a-cert"), "hello\n");
    const twice = readServiceSettings(
      { ...GOOD, REDIS_URL: "redis://u:p@127.0.0.1:6379", REDIS_PASSWORD: "q", REDIS_USERNAME: "v" },
      "all",
    );
    assert.ok(!twice.ok);
    assert.match(twice.error.message, /REDIS_PASSWORD: REDIS_URL carries a password too/);
    assert.match(twice.error.message, /REDIS_USERNAME: REDIS_URL carries a user name too/);
    assert.doesNotMatch(twice.error.message, /u:p|\bq\b/);
    const plain = readServiceSettings(
      { ...GOOD, REDIS_CA_FILE: join(dir, "not-a-cert"), REDIS_USERNAME: "oomdoctor" },
      "all",
    );
    assert.ok(!plain.ok);
    assert.match(
      plain.error.message,
      /REDIS_CA_FILE: only used with TLS; REDIS_URL must start with rediss:\/\//,
    );
    assert.match(plain.error.message, /REDIS_CA_FILE: .*not-a-cert holds no PEM certificate/);
    assert.match(plain.error.message, /REDIS_USERNAME: set, but no password/);
    const missing = readServiceSettings(
      { ...GOOD, REDIS_URL: "rediss://127.0.0.1:6380", REDIS_CA_FILE: join(dir, "absent") },
      "all",
    );
    assert.ok(!missing.ok);
    assert.match(missing.error.message, /REDIS_CA_FILE: .*absent cannot be read \(ENOENT\)/);
  });
});
