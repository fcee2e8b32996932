// The bot on a Redis that asks for credentials: a password, an ACL user, TLS with a CA of its own.
// Every connection (the command side's queues and stores, the workers' queues and stores) must use
// them, so a whole investigation runs through; start-up refuses what will not mend itself (credentials
// or a certificate refused, a Redis that evicts keys) with a message naming what to change. The test
// runs its own redis-server with requirepass, an ACL user and a TLS port.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startBot } from "../../src/cli/bot.js";
import { loadConfig } from "../../src/config/load.js";
import { readServiceSettings } from "../../src/config/service.js";
import type { AppError } from "../../src/errors.js";
import { jsonLog } from "../../src/ops/log.js";
import { botEnv, LogSink, startTestBot, uniquePrefix, writeBotConfig } from "../harness/bot.js";
import { type HarnessCluster, seedCluster } from "../harness/cluster.js";
import { FakeSlack } from "../harness/fake-slack.js";
import { investigationIn } from "../harness/investigation.js";
import { OwnRedis } from "../harness/own-redis.js";

const CAPTURED = Date.parse("2021-07-12T04:10:20Z");
const PASSWORD = "default-user-password";
const ACL_USER = "oomdoctor";
const ACL_PASSWORD = "acl-user-password";

let cluster: HarnessCluster;
let slack: FakeSlack;
let redis: OwnRedis;
let env: Record<string, string>;

before(async () => {
  cluster = await seedCluster();
  slack = new FakeSlack();
  await slack.start();
  redis = await OwnRedis.start({
    tls: true,
    args: ["--requirepass", PASSWORD, "--user", ACL_USER, "on", `>${ACL_PASSWORD}`, "~*", "&*", "+@all"],
  });
  env = botEnv(slack, writeBotConfig(cluster, uniquePrefix()));
});

after(async () => {
  await slack?.stop();
  await cluster?.close();
  await redis?.stop();
});

/** Starts a bot expected to be refused, and says why it was. */
async function refusal(extra: Record<string, string>): Promise<AppError> {
  const all = { ...env, ...extra };
  const config = await loadConfig(all, null);
  const settings = readServiceSettings(all, "all");
  assert.ok(config.ok && settings.ok);
  const started = await startBot({
    config: config.value,
    settings: settings.value,
    now: () => CAPTURED,
    log: jsonLog(new LogSink(), () => CAPTURED, "debug"),
  });
  if (started.ok) {
    await started.value.close();
    assert.fail("the bot started");
  }
  return started.error;
}

describe("Redis with a password", () => {
  it("when REDIS_PASSWORD is set, then /oom runs through the command side and the worker", async () => {
    const { bot, url } = await startTestBot(
      { ...env, REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD },
      "all",
      () => CAPTURED,
    );
    try {
      const root = await investigationIn(slack, url, "C0PASSWORD");
      assert.match(root.text, /OOM investigation of `production`/);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
    } finally {
      await bot.close();
    }
  });

  it("when the password is wrong, then start-up is refused naming the variables to check", async () => {
    const error = await refusal({ REDIS_URL: redis.url, REDIS_PASSWORD: "wrong" });
    assert.equal(error.kind, "config-invalid");
    assert.match(error.message, /Redis refused the credentials: WRONGPASS/);
    assert.match(error.hint ?? "", /REDIS_USERNAME and REDIS_PASSWORD/);
    assert.doesNotMatch(`${error.message} ${error.hint}`, /wrong/);
  });

  it("when no password is given, then start-up is refused the same way", async () => {
    const error = await refusal({ REDIS_URL: redis.url });
    assert.match(error.message, /Redis refused the credentials: NOAUTH/);
  });
});

describe("Redis over TLS with an ACL user", () => {
  it("when rediss:// with REDIS_USERNAME, REDIS_PASSWORD and REDIS_CA_FILE, then /oom runs through", async () => {
    const { bot, url } = await startTestBot(
      {
        ...env,
        REDIS_URL: `rediss://127.0.0.1:${redis.tlsPort}`,
        REDIS_USERNAME: ACL_USER,
        REDIS_PASSWORD: ACL_PASSWORD,
        REDIS_CA_FILE: redis.caFile,
      },
      "all",
      () => CAPTURED,
    );
    try {
      const root = await investigationIn(slack, url, "C0TLS");
      assert.match(root.text, /OOM investigation of `production`/);
    } finally {
      await bot.close();
    }
  });

  it("when the server's CA is not given, then start-up is refused naming REDIS_CA_FILE", async () => {
    const error = await refusal({
      REDIS_URL: `rediss://${ACL_USER}:${ACL_PASSWORD}@127.0.0.1:${redis.tlsPort}`,
    });
    assert.match(error.message, /Redis's TLS certificate was refused/);
    assert.match(error.hint ?? "", /REDIS_CA_FILE/);
  });
});

describe("a Redis that evicts keys", () => {
  it("when Redis is switched to an evicting policy while the bot runs, then at the next connection /readyz fails and the log says why", async () => {
    const { bot, url, logs } = await startTestBot(
      { ...env, REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD },
      "all",
      () => CAPTURED,
    );
    const admin = new Redis(redis.port, { password: PASSWORD });
    try {
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      await admin.config("SET", "maxmemory-policy", "volatile-lru");
      // Drop the bot's connections: they reconnect at once and look again.
      await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      await logs.until((e) => /maxmemory-policy is volatile-lru/.test(String(e.message)), "the error");
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
    } finally {
      await admin.config("SET", "maxmemory-policy", "noeviction");
      admin.disconnect();
      await bot.close();
    }
  });

  it("when maxmemory-policy is allkeys-lru, then start-up is refused naming the policy", async () => {
    const admin = new Redis(redis.port, { password: PASSWORD });
    await admin.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const error = await refusal({ REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD });
      assert.equal(error.kind, "config-invalid");
      assert.match(error.message, /maxmemory-policy is allkeys-lru: oom-doctor needs noeviction/);
    } finally {
      await admin.config("SET", "maxmemory-policy", "noeviction");
      admin.disconnect();
    }
  });
});
