// What the bot leaves in Redis, on the real Redis under a key prefix of the test's own: keys that
// would otherwise grow for ever (the leak guard's bumps, a scope's digest history) lapse or are trimmed,
// and the cap on digest subscriptions holds when many subscribe at once.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Seen } from "../../src/digest/accounting.js";
import { DigestStore, type Subscription } from "../../src/store/digests.js";
import { ProposalStore } from "../../src/store/proposals.js";
import { dropPrefix } from "../harness/bot.js";
import { testRedis } from "../harness/redis.js";

const DAY_MS = 86_400_000;
const SEEN: Seen = { restartCount: 3, lastFinishedMs: null };
const T0 = Date.parse("2024-03-01T00:00:00Z");
const { prefix, redis } = testRedis();

const subscription = (scope: string): Omit<Subscription, "id"> => ({
  channel: "C0KEYS",
  scope,
  at: "09:00",
  tz: "UTC",
  createdBy: "U0ALICE",
  createdAt: new Date(T0).toISOString(),
});

describe("the leak guard's count of applied changes", () => {
  it("when changes are recorded over weeks, then only the last 7 days are kept and the key lapses a week after the last", async () => {
    const proposals = new ProposalStore(redis, prefix);
    await proposals.recordBump("production/Deployment/api", T0, "a".repeat(24));
    await proposals.recordBump("production/Deployment/api", T0 + 8 * DAY_MS, "b".repeat(24));
    const key = `${prefix}:bumps:production/Deployment/api`;
    assert.deepEqual(await redis.zrange(key, "0", "-1"), ["b".repeat(24)]);
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 7 * DAY_MS, `ttl ${ttl}`);
    assert.equal(await proposals.recentBumps("production/Deployment/api", T0 + 8 * DAY_MS), 1);
  });
});

describe("a scope's digest history", () => {
  it("when a snapshot is saved, then its keys lapse eight days later unless another snapshot comes", async () => {
    const digests = new DigestStore(redis, prefix);
    await digests.saveSnapshot("staging", T0, new Map([["staging/api-1/app", SEEN]]), []);
    for (const key of ["seen", "snapshot-at"]) {
      const ttl = await redis.pttl(`${prefix}:digest:${key}:staging`);
      assert.ok(ttl > 7 * DAY_MS && ttl <= 8 * DAY_MS, `${key}: ttl ${ttl}`);
    }
  });

  it("when one of two subscriptions of a scope ends, then the history stays; when the last ends, it goes", async () => {
    const digests = new DigestStore(redis, prefix);
    const first = await digests.subscribe(subscription("batch"), 10);
    const second = await digests.subscribe(subscription("batch"), 10);
    assert.ok(first && second);
    await digests.saveSnapshot("batch", T0, new Map([["batch/job-1/app", SEEN]]), []);
    const history = ["seen", "snapshot-at"].map((key) => `${prefix}:digest:${key}:batch`);
    assert.ok(await digests.unsubscribe(first.id, "C0KEYS"));
    assert.equal(await redis.exists(...history), 2);
    assert.ok(await digests.unsubscribe(second.id, "C0KEYS"));
    assert.equal(await redis.exists(...history), 0);
    assert.equal(await digests.unsubscribe(second.id, "C0KEYS"), null);
  });
});

describe("the cap on digest subscriptions", () => {
  it("when twenty subscribe at once under a cap of five, then exactly five are stored", async () => {
    const digests = new DigestStore(redis, `${prefix}-cap`);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => digests.subscribe(subscription(`ns-${index}`), 5)),
    );
    assert.equal(results.filter((result) => result !== null).length, 5);
    assert.equal((await digests.subscriptions()).length, 5);
    await dropPrefix(`${prefix}-cap`);
  });
});
