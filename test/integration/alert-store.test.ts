// What live alerts keep in Redis, on the real Redis under a prefix of the test's own: subscriptions
// with their cap and one per channel and scope, what the watcher has seen, each channel's pending and
// delivered kills, its lock, threads and storm count, held kills, node cursors and silent kills. Each is
// bounded (a cap, a TTL, or both), and a record that does not parse is left out, never a crash.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AlertSubscription, AlertThread, Kill } from "../../src/alerts/model.js";
import { RedisLease } from "../../src/queue/lease.js";
import { RedisCursors } from "../../src/store/alert-cursors.js";
import { RedisDelivery } from "../../src/store/alert-delivery.js";
import { alertKey } from "../../src/store/alert-redis.js";
import { RedisSeen } from "../../src/store/alert-seen.js";
import { RedisSilentKills } from "../../src/store/alert-silent.js";
import { RedisSubscriptions } from "../../src/store/alert-subscriptions.js";
import { dropPrefix, testRedis } from "../harness/redis.js";
import { untilTrue } from "../harness/until.js";

const DAY_MS = 86_400_000;
const T0 = Date.parse("2024-03-01T10:00:00Z");
const { prefix, redis } = testRedis();

const key = (...parts: string[]) => alertKey(prefix, ...parts);

async function ttlWithin(name: string, lowMs: number, highMs: number): Promise<void> {
  const ttl = await redis.pttl(name);
  assert.ok(ttl > lowMs && ttl <= highMs, `${name}: ttl ${ttl}`);
}

function kill(n: number, atMs = T0 + n * 1000, namespace = "production"): Kill {
  const uid = `7c2d0000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const at = new Date(atMs).toISOString();
  return {
    id: `oom/${uid}/app/${at}`,
    kind: "oom-killed",
    cluster: "test",
    namespace,
    pod: `api-${n}`,
    podUid: uid,
    container: "app",
    node: "k8s-node-04",
    workload: "Deployment/api",
    at,
    message: null,
    process: null,
  };
}

const ids = (kills: Kill[]) => kills.map((found) => found.id);

describe("alert subscriptions", () => {
  const subscription = (channel: string, scope: string): Omit<AlertSubscription, "id"> => ({
    channel,
    scope,
    minSeverity: "warning",
    quiet: { from: "22:00", to: "07:00" },
    tz: "Europe/Berlin",
    createdBy: "U0ALICE",
    createdAt: new Date(T0).toISOString(),
  });

  it("when a channel subscribes, then it is listed for that channel only, with a short id", async () => {
    const store = new RedisSubscriptions(redis, `${prefix}-list`);
    const added = await store.add(subscription("C0ONE", "production"), 10);
    assert.ok(typeof added === "object");
    assert.match(added.id, /^[0-9a-f]{8}$/);
    assert.deepEqual(await store.list("C0ONE"), [added]);
    assert.deepEqual(await store.list("C0TWO"), []);
    assert.deepEqual(await store.list(), [added]);
    await dropPrefix(`${prefix}-list`);
  });

  it("when the channel has the scope already, then it is a duplicate; another channel may have it", async () => {
    const store = new RedisSubscriptions(redis, `${prefix}-dup`);
    assert.equal(typeof (await store.add(subscription("C0ONE", "production"), 10)), "object");
    assert.equal(
      await store.add({ ...subscription("C0ONE", "production"), minSeverity: "info" }, 10),
      "duplicate",
    );
    assert.equal(typeof (await store.add(subscription("C0TWO", "production"), 10)), "object");
    assert.equal(typeof (await store.add(subscription("C0ONE", "all"), 10)), "object");
    assert.equal((await store.list()).length, 3);
    await dropPrefix(`${prefix}-dup`);
  });

  it("when twenty subscribe at once under a cap of five, then exactly five are stored and the others hear cap", async () => {
    const store = new RedisSubscriptions(redis, `${prefix}-cap`);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) => store.add(subscription(`C0N${index}`, "production"), 5)),
    );
    assert.equal(outcomes.filter((outcome) => typeof outcome === "object").length, 5);
    assert.equal(outcomes.filter((outcome) => outcome === "cap").length, 15);
    assert.equal((await store.list()).length, 5);
    await dropPrefix(`${prefix}-cap`);
  });

  it("when a subscription is removed, then only its own channel can, once; a malformed id is no id", async () => {
    const store = new RedisSubscriptions(redis, `${prefix}-remove`);
    const added = await store.add(subscription("C0ONE", "production"), 10);
    assert.ok(typeof added === "object");
    assert.equal(await store.remove("C0TWO", added.id), false);
    assert.equal(await store.remove("C0ONE", "../../x"), false);
    assert.equal(await store.remove("C0ONE", added.id), true);
    assert.equal(await store.remove("C0ONE", added.id), false);
    assert.deepEqual(await store.list(), []);
    await dropPrefix(`${prefix}-remove`);
  });

  it("when a stored record does not parse, then it is left out of lists and does not stop adding", async () => {
    const store = new RedisSubscriptions(redis, `${prefix}-junk`);
    const hash = alertKey(`${prefix}-junk`, "subscriptions");
    await redis.hset(
      hash,
      "deadbeef",
      "{not json",
      "cafebabe",
      JSON.stringify({ channel: "C0ONE", scope: 7 }),
    );
    const added = await store.add(subscription("C0ONE", "production"), 10);
    assert.ok(typeof added === "object");
    assert.deepEqual(await store.list("C0ONE"), [added]);
    assert.equal(await store.remove("C0ONE", "deadbeef"), false);
    await dropPrefix(`${prefix}-junk`);
  });
});

describe("what the watcher has seen", () => {
  const uid = "6a1f0c52-8d3e-4d8b-9a43-2f0e7c5b1d10";

  it("when the lease holder records entries, then they are read back, kept 30 days, and unknown keys are absent", async () => {
    const token = await new RedisLease(redis, prefix, "seen", 60_000).acquire();
    assert.ok(token !== null);
    const seen = new RedisSeen(redis, prefix, "seen");
    const entries = [
      { key: `${uid}/app`, finishedAt: "2024-03-01T10:00:00Z", restartCount: 3 },
      { key: `${uid}/sidecar`, finishedAt: "", restartCount: 0 },
    ];
    assert.equal(await seen.record(token, entries), true);
    const found = await seen.seen([`${uid}/app`, `${uid}/sidecar`, `${uid}/other`]);
    assert.deepEqual([...found.values()], entries);
    await ttlWithin(key("seen", "seen", `${uid}/app`), 29 * DAY_MS, 30 * DAY_MS);
  });

  it("when a token is not the lease's, then nothing is written and the answer is false", async () => {
    const seen = new RedisSeen(redis, prefix, "unleased");
    assert.equal(await seen.record(1, [{ key: `${uid}/app`, finishedAt: "x", restartCount: 1 }]), false);
    assert.equal(await seen.record(1, []), false);
    assert.equal((await seen.seen([`${uid}/app`])).size, 0);
  });

  it("when a relist records more entries than one script takes, then all are written", async () => {
    const token = await new RedisLease(redis, prefix, "big", 60_000).acquire();
    assert.ok(token !== null);
    const seen = new RedisSeen(redis, prefix, "big");
    const entries = Array.from({ length: 1203 }, (_, index) => ({
      key: `uid-${index}/app`,
      finishedAt: "2024-03-01T10:00:00Z",
      restartCount: index,
    }));
    assert.equal(await seen.record(token, entries), true);
    const found = await seen.seen(entries.map((entry) => entry.key));
    assert.equal(found.size, 1203);
    assert.equal(found.get("uid-1202/app")?.restartCount, 1202);
  });

  it("when a stored entry does not parse, then it counts as never seen", async () => {
    const seen = new RedisSeen(redis, prefix, "junk");
    await redis.set(key("seen", "junk", `${uid}/app`), JSON.stringify({ finishedAt: 1, restartCount: -1 }));
    assert.equal((await seen.seen([`${uid}/app`])).size, 0);
  });

  it("when asked when watching began, then the first answer stays", async () => {
    const seen = new RedisSeen(redis, prefix, "since");
    assert.equal(await seen.since("2024-03-01T10:00:00.000Z"), "2024-03-01T10:00:00.000Z");
    assert.equal(await seen.since("2024-03-02T10:00:00.000Z"), "2024-03-01T10:00:00.000Z");
    await redis.set(key("since", "garbled"), "yesterday");
    const garbled = new RedisSeen(redis, prefix, "garbled");
    assert.equal(await garbled.since("2024-03-02T10:00:00.000Z"), "2024-03-02T10:00:00.000Z");
    assert.equal(await garbled.since("2024-03-03T10:00:00.000Z"), "2024-03-02T10:00:00.000Z");
  });
});

describe("a channel's pending and delivered kills", () => {
  it("when kills are pended, then they come back oldest first, once each, at most max", async () => {
    const store = new RedisDelivery(redis, prefix, () => T0);
    await store.pend("C0PEND", [kill(3), kill(1)]);
    await store.pend("C0PEND", [kill(2), kill(1)]);
    assert.deepEqual(ids(await store.pending("C0PEND", 10)), ids([kill(1), kill(2), kill(3)]));
    assert.deepEqual(ids(await store.pending("C0PEND", 2)), ids([kill(1), kill(2)]));
    assert.deepEqual(await store.pending("C0PEND", 10), [kill(1), kill(2), kill(3)]);
    await ttlWithin(key("pending", "C0PEND"), DAY_MS, 2 * DAY_MS);
  });

  it("when kills are delivered, then they leave pending, and pending them again adds nothing", async () => {
    const store = new RedisDelivery(redis, prefix, () => T0);
    await store.pend("C0DONE", [kill(1), kill(2)]);
    await store.delivered("C0DONE", [kill(1).id]);
    assert.deepEqual(ids(await store.pending("C0DONE", 10)), [kill(2).id]);
    await store.pend("C0DONE", [kill(1), kill(3)]);
    assert.deepEqual(ids(await store.pending("C0DONE", 10)), ids([kill(2), kill(3)]));
    await store.pend("C0OTHER", [kill(1)]);
    assert.deepEqual(ids(await store.pending("C0OTHER", 10)), [kill(1).id], "delivered is per channel");
    await ttlWithin(key("delivered", "C0DONE"), DAY_MS, 2 * DAY_MS);
  });

  it("when a delivery is more than two days old, then it is forgotten at the next delivery", async () => {
    let now = T0;
    const store = new RedisDelivery(redis, prefix, () => now);
    await store.delivered("C0AGE", [kill(1).id]);
    now = T0 + 2 * DAY_MS + 1;
    await store.delivered("C0AGE", [kill(2).id]);
    await store.pend("C0AGE", [kill(1), kill(2)]);
    assert.deepEqual(ids(await store.pending("C0AGE", 10)), [kill(1).id]);
  });

  it("when more kills are pended than the channel's cap, then the oldest are dropped", async () => {
    const store = new RedisDelivery(redis, prefix, () => T0);
    const kills = Array.from({ length: 5003 }, (_, index) => kill(index));
    await store.pend("C0STORM", kills.slice(2000));
    await store.pend("C0STORM", kills.slice(0, 2000));
    assert.equal(await redis.hlen(key("pending", "C0STORM")), 5000);
    assert.equal(await redis.zcard(key("pending-order", "C0STORM")), 5000);
    const oldest = await store.pending("C0STORM", 2);
    assert.deepEqual(ids(oldest), ids([kill(3), kill(4)]));
  });

  it("when a pending entry does not parse, then it is left out and dropped, and the others still come", async () => {
    const store = new RedisDelivery(redis, prefix, () => T0);
    await store.pend("C0JUNK", [kill(2), kill(3)]);
    await redis.hset(key("pending", "C0JUNK"), "oom/junk", "{not json");
    await redis.zadd(key("pending-order", "C0JUNK"), T0, "oom/junk");
    await redis.zadd(key("pending-order", "C0JUNK"), T0 + 1, "oom/orphan");
    assert.deepEqual(ids(await store.pending("C0JUNK", 3)), [kill(2).id]);
    assert.deepEqual(ids(await store.pending("C0JUNK", 3)), ids([kill(2), kill(3)]));
    assert.equal(await redis.zcard(key("pending-order", "C0JUNK")), 2);
  });
});

describe("a channel's delivery lock", () => {
  it("when one holds it, then another gets nothing until it is released", async () => {
    const store = new RedisDelivery(redis, prefix);
    const lock = await store.lock("C0LOCK", 60_000);
    assert.ok(lock);
    assert.equal(await store.lock("C0LOCK", 60_000), null);
    await lock.release();
    const again = await store.lock("C0LOCK", 60_000);
    assert.ok(again);
    await again.release();
  });

  it("when its holder extends it, then it holds its whole time again", async () => {
    const store = new RedisDelivery(redis, prefix);
    const lock = await store.lock("C0EXTEND", 60_000);
    assert.ok(lock);
    await redis.pexpire(key("lock", "C0EXTEND"), 1000);
    assert.equal(await lock.extend(), true);
    assert.ok((await redis.pttl(key("lock", "C0EXTEND"))) > 59_000);
    await lock.release();
  });

  it("when a lock lapsed and another took it, then the first holder can neither extend nor release it", async () => {
    const store = new RedisDelivery(redis, prefix);
    const lapsed = await store.lock("C0LAPSE", 50);
    assert.ok(lapsed);
    await untilTrue(async () => (await redis.exists(key("lock", "C0LAPSE"))) === 0, "the lock to lapse");
    assert.equal(await lapsed.extend(), false, "a lapsed lock is not taken back by extending it");
    const current = await store.lock("C0LAPSE", 60_000);
    assert.ok(current);
    assert.equal(await lapsed.extend(), false);
    await lapsed.release();
    assert.equal(await redis.exists(key("lock", "C0LAPSE")), 1);
    assert.equal(await store.lock("C0LAPSE", 60_000), null);
    await current.release();
  });
});

describe("a channel's threads and storm count", () => {
  const thread = (subject: string, kills: number, day = "2024-03-01"): AlertThread => ({
    channel: "C0THREAD",
    subject,
    day,
    ts: "1709287200.000100",
    kills,
    places: [],
    shown: null,
    killIds: Array.from({ length: kills }, (_, index) => kill(index).id),
    openedAt: new Date(T0 + kills).toISOString(),
  });

  it("when threads are saved, then the day's are read back, a subject saved again replaces it, and they lapse in two days", async () => {
    const store = new RedisDelivery(redis, prefix);
    await store.saveThread(thread("workload:production/Deployment/api", 1));
    await store.saveThread(thread("node:k8s-node-04", 2));
    await store.saveThread(thread("workload:production/Deployment/api", 4));
    await store.saveThread(thread("summary", 1, "2024-03-02"));
    await redis.hset(key("threads", "C0THREAD", "2024-03-01"), "workload:junk", '{"channel":"C0THREAD"}');
    const today = await store.threads("C0THREAD", "2024-03-01");
    assert.deepEqual(
      today.map((found) => [found.subject, found.kills]),
      [
        ["node:k8s-node-04", 2],
        ["workload:production/Deployment/api", 4],
      ],
    );
    assert.deepEqual(today[1], thread("workload:production/Deployment/api", 4));
    assert.deepEqual(await store.threads("C0THREAD", "2024-02-29"), []);
    await ttlWithin(key("threads", "C0THREAD", "2024-03-01"), DAY_MS, 2 * DAY_MS);
  });

  it("when threads are opened over time, then those of the last ten minutes are counted and older ones pruned", async () => {
    const store = new RedisDelivery(redis, prefix);
    await store.recordOpening("C0STORM", T0);
    await store.recordOpening("C0STORM", T0 + 60_000);
    await store.recordOpening("C0STORM", T0 + 60_000);
    assert.equal(await store.openings("C0STORM", T0), 3);
    await store.recordOpening("C0STORM", T0 + 11 * 60_000);
    assert.equal(await store.openings("C0STORM", T0 + 60_000), 3);
    assert.equal(await redis.zcard(key("openings", "C0STORM")), 3, "the first is pruned");
    await ttlWithin(key("openings", "C0STORM"), 0, 10 * 60_000);
  });
});

describe("kills quiet hours hold", () => {
  it("when kills are held, then they are all read back until released", async () => {
    const store = new RedisDelivery(redis, prefix);
    await store.hold("C0QUIET", [kill(2), kill(1)]);
    await store.hold("C0QUIET", [kill(3)]);
    assert.deepEqual(ids(await store.held("C0QUIET")), ids([kill(1), kill(2), kill(3)]));
    await store.released("C0QUIET", [kill(1).id, kill(3).id]);
    assert.deepEqual(ids(await store.held("C0QUIET")), [kill(2).id]);
    assert.deepEqual(await store.held("C0ELSE"), []);
    await ttlWithin(key("held", "C0QUIET"), DAY_MS, 2 * DAY_MS);
  });
});

describe("node cursors", () => {
  const c1 =
    "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c601396b14ea1a8c1e2b0f3d4e5a6;m=299a0d7;t=5ce4c3e4a0b2f;x=8e84f8a9";
  const c2 =
    "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece8;b=6c7c601396b14ea1a8c1e2b0f3d4e5a6;m=299a0d8;t=5ce4c3e4a0b30;x=8e84f8aa";

  it("when a cursor is advanced, then only from where it is: a sweep that raced another moves nothing", async () => {
    const cursors = new RedisCursors(redis, prefix, "test");
    assert.equal(await cursors.cursor("k8s-node-04"), null);
    assert.equal(await cursors.advance("k8s-node-04", null, c1), true);
    assert.equal(await cursors.advance("k8s-node-04", null, c2), false);
    assert.equal(await cursors.advance("k8s-node-04", c1, c2), true);
    assert.equal(await cursors.advance("k8s-node-04", c1, c1), false);
    assert.equal(await cursors.cursor("k8s-node-04"), c2);
    assert.equal(await cursors.cursor("k8s-node-05"), null);
    await ttlWithin(key("cursor", "test", "k8s-node-04"), 29 * DAY_MS, 30 * DAY_MS);
  });

  it("when a stored cursor is not a journald cursor, then the node counts as never swept and can start again", async () => {
    const cursors = new RedisCursors(redis, prefix, "test");
    await redis.set(key("cursor", "test", "k8s-node-06"), "'; rm -rf /");
    assert.equal(await cursors.cursor("k8s-node-06"), null);
    assert.equal(await cursors.advance("k8s-node-06", null, c1), true);
    assert.equal(await cursors.cursor("k8s-node-06"), c1);
  });
});

describe("silent kills", () => {
  it("when child-process kills are recorded, then they are read back by namespace and time, or all", async () => {
    const log = new RedisSilentKills(redis, prefix, "silent", () => T0 + 10_000);
    await log.record(kill(1, T0 + 1000, "production"));
    await log.record(kill(2, T0 + 2000, "batch"));
    await log.record(kill(3, T0 + 3000, "production"));
    await log.record(kill(3, T0 + 3000, "production"));
    assert.deepEqual(ids(await log.since("production", T0)), ids([kill(1), kill(3)]));
    assert.deepEqual(ids(await log.since("production", T0 + 2000)), [kill(3).id]);
    assert.deepEqual(ids(await log.since(null, T0)), ids([kill(1), kill(2), kill(3)]));
    assert.deepEqual(await log.since("staging", T0), []);
    await ttlWithin(key("silent", "silent"), 7 * DAY_MS, 8 * DAY_MS);
  });

  it("when kills are older than eight days, then the next record drops them", async () => {
    let now = T0;
    const log = new RedisSilentKills(redis, prefix, "aged", () => now);
    await log.record(kill(1, T0));
    now = T0 + 8 * DAY_MS + 1;
    await log.record(kill(2, now));
    assert.deepEqual(ids(await log.since(null, 0)), [kill(2, now).id]);
  });

  it("when more than ten thousand are recorded, then the oldest go", async () => {
    const log = new RedisSilentKills(redis, prefix, "capped", () => T0 + 20_000 * 1000);
    for (let start = 0; start < 10_002; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, 10_002 - start) }, (_, offset) =>
          log.record(kill(start + offset)),
        ),
      );
    }
    assert.equal(await redis.zcard(key("silent-order", "capped")), 10_000);
    const kept = await log.since(null, 0);
    assert.equal(kept.length, 10_000);
    assert.equal(kept[0]?.id, kill(2).id);
  });
});
