// The watcher lease on the real Redis: one holder at a time, a bigger fencing token for every new
// holder, renewals and fenced writes refused once another took over; and the keeper, on a clock the
// test moves by hand, that gives the lease up in time when Redis stops answering.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { SeenContainer } from "../../src/alerts/model.js";
import type { LeaderLease } from "../../src/alerts/ports.js";
import { RedisLease } from "../../src/queue/lease.js";
import { LeaseKeeper } from "../../src/queue/lease-keeper.js";
import { leaseKey } from "../../src/store/alert-redis.js";
import { RedisSeen } from "../../src/store/alert-seen.js";
import { ManualTimers } from "../harness/manual-timers.js";
import { OwnRedis } from "../harness/own-redis.js";
import { testRedis } from "../harness/redis.js";
import { untilEvent, untilTrue } from "../harness/until.js";

const LONG_MS = 60_000;
const { prefix, redis } = testRedis();

const entry = (finishedAt: string): SeenContainer => ({
  key: "6a1f0c52-8d3e-4d8b-9a43-2f0e7c5b1d10/app",
  finishedAt,
  restartCount: 3,
});

describe("the watcher lease", () => {
  it("when one holder has it, then another gets nothing, and the holder asking again keeps its token", async () => {
    const first = new RedisLease(redis, prefix, "exclusive", LONG_MS);
    const second = new RedisLease(redis, prefix, "exclusive", LONG_MS);
    const token = await first.acquire();
    assert.ok(token !== null && token > 0);
    assert.equal(await second.acquire(), null);
    assert.equal(await first.acquire(), token);
    assert.equal(await second.renew(token), false, "the token alone does not make a holder");
    assert.equal(await first.renew(token), true);
  });

  it("when the holder's TTL lapses, then another takes it with a bigger token, and the old holder can neither renew nor write", async () => {
    const stalled = new RedisLease(redis, prefix, "lapse", 100);
    const seen = new RedisSeen(redis, prefix, "lapse");
    const oldToken = await stalled.acquire();
    assert.ok(oldToken !== null);
    assert.equal(await seen.record(oldToken, [entry("2024-03-01T10:00:00Z")]), true);

    const key = leaseKey(prefix, "lapse");
    await untilTrue(async () => (await redis.exists(key)) === 0, "the lease to lapse");
    const next = new RedisLease(redis, prefix, "lapse", LONG_MS);
    const newToken = await next.acquire();
    assert.ok(newToken !== null && newToken > oldToken, `${newToken} > ${oldToken}`);

    assert.equal(await stalled.renew(oldToken), false);
    assert.equal(await stalled.acquire(), null);
    assert.equal(await seen.record(oldToken, [entry("2024-03-01T11:00:00Z")]), false);
    const kept = await seen.seen([entry("").key]);
    assert.equal(
      kept.get(entry("").key)?.finishedAt,
      "2024-03-01T10:00:00Z",
      "the refused write wrote nothing",
    );
    await stalled.release(oldToken);
    assert.equal(await next.renew(newToken), true, "the old holder's release leaves the new holder's lease");
    assert.equal(await seen.record(newToken, [entry("2024-03-01T11:00:00Z")]), true);
  });

  it("when the holder releases it, then the next holder takes it at once with a bigger token", async () => {
    const first = new RedisLease(redis, prefix, "release", LONG_MS);
    const second = new RedisLease(redis, prefix, "release", LONG_MS);
    const token = await first.acquire();
    assert.ok(token !== null);
    await first.release(token);
    const taken = await second.acquire();
    assert.ok(taken !== null && taken > token);
    assert.equal(await first.renew(token), false);
  });

  it("when a renewal comes, then the lease lasts its whole TTL again", async () => {
    const lease = new RedisLease(redis, prefix, "renew", LONG_MS);
    const token = await lease.acquire();
    assert.ok(token !== null);
    const key = leaseKey(prefix, "renew");
    await redis.pexpire(key, 1000);
    assert.equal(await lease.renew(token), true);
    const ttl = await redis.pttl(key);
    assert.ok(ttl > LONG_MS - 5000 && ttl <= LONG_MS, `ttl ${ttl}`);
  });

  it("when the lease key holds something that is not a lease, then it counts as free", async () => {
    await redis.set(leaseKey(prefix, "garbled"), "not a lease");
    const lease = new RedisLease(redis, prefix, "garbled", LONG_MS);
    assert.ok((await lease.acquire()) !== null);
  });
});

/**
 * The lease as the keeper uses it, telling the test when the calls it made have come back and the
 * keeper has dealt with their answers (the keeper does not await anything for the test).
 */
class Observed implements LeaderLease {
  private sent = 0;
  private settled = 0;
  private readonly events = new EventEmitter();

  constructor(private readonly inner: LeaderLease) {}

  private async track<T>(call: () => Promise<T>): Promise<T> {
    this.sent += 1;
    try {
      return await call();
    } finally {
      // After the keeper's own continuation: every microtask runs before an immediate.
      setImmediate(() => {
        this.settled += 1;
        this.events.emit("settled");
      });
    }
  }

  acquire() {
    return this.track(() => this.inner.acquire());
  }

  renew(token: number) {
    return this.track(() => this.inner.renew(token));
  }

  release(token: number) {
    return this.track(() => this.inner.release(token));
  }

  /** Resolves once every call made so far has come back and been dealt with. */
  idle(timeoutMs?: number): Promise<true> {
    return untilEvent(
      this.events,
      "settled",
      () => this.settled === this.sent,
      () => `${this.sent - this.settled} lease calls to come back`,
      timeoutMs,
    );
  }
}

interface Watched {
  keeper: LeaseKeeper;
  lease: Observed;
  acquired: number[];
  lost: number[];
}

function keeper(connection: Redis, cluster: string, timers: ManualTimers, ttlMs = LONG_MS): Watched {
  const lease = new Observed(new RedisLease(connection, prefix, cluster, ttlMs));
  const acquired: number[] = [];
  const lost: number[] = [];
  const keeper = new LeaseKeeper(lease, {
    ttlMs,
    timers,
    onAcquired: (token) => acquired.push(token),
    onLost: () => lost.push(timers.now()),
  });
  return { keeper, lease, acquired, lost };
}

describe("the lease keeper", () => {
  it("when two keepers run, then one holds; when it stops, the other takes over at its next turn with a bigger token", async () => {
    const timers = new ManualTimers();
    const a = keeper(redis, "keepers", timers);
    const b = keeper(redis, "keepers", timers);
    a.keeper.start();
    timers.advance(0);
    await a.lease.idle();
    b.keeper.start();
    timers.advance(0);
    await b.lease.idle();
    assert.equal(a.acquired.length, 1);
    assert.equal(a.keeper.held, a.acquired[0]);
    assert.deepEqual(b.acquired, []);

    timers.advance(LONG_MS / 3);
    await Promise.all([a.lease.idle(), b.lease.idle()]);
    assert.deepEqual(b.acquired, [], "renewed, the lease stays with the first");

    await a.keeper.stop();
    assert.equal(a.keeper.held, null);
    assert.deepEqual(a.lost, [], "stopping is not losing");
    timers.advance(LONG_MS / 3);
    await b.lease.idle();
    const [first] = a.acquired;
    const [second] = b.acquired;
    assert.ok(first !== undefined && second !== undefined && second > first, `${second} > ${first}`);
    await b.keeper.stop();
  });

  it("when renewals keep succeeding, then the lease is held past its TTL with the same token", async () => {
    const timers = new ManualTimers();
    const a = keeper(redis, "kept", timers);
    a.keeper.start();
    timers.advance(0);
    await a.lease.idle();
    for (let turn = 0; turn < 7; turn++) {
      timers.advance(LONG_MS / 3);
      await a.lease.idle();
    }
    assert.deepEqual(a.lost, []);
    assert.equal(a.acquired.length, 1);
    assert.equal(a.keeper.held, a.acquired[0]);
    await a.keeper.stop();
  });

  it("when another took the lease meanwhile, then the next renewal fails and onLost comes at once", async () => {
    const timers = new ManualTimers();
    const a = keeper(redis, "taken", timers);
    a.keeper.start();
    timers.advance(0);
    await a.lease.idle();
    await redis.del(leaseKey(prefix, "taken"));
    const other = await new RedisLease(redis, prefix, "taken", LONG_MS).acquire();
    assert.ok(other !== null);

    timers.advance(LONG_MS / 3);
    await a.lease.idle();
    assert.deepEqual(a.lost, [LONG_MS / 3]);
    assert.equal(a.keeper.held, null);
    timers.advance(LONG_MS / 3);
    await a.lease.idle();
    assert.equal(a.acquired.length, 1, "the other holds it: nothing to take");
    await a.keeper.stop();
  });
});

describe("the lease keeper when Redis stops answering", () => {
  let own: OwnRedis;
  let connection: Redis;

  before(async () => {
    own = await OwnRedis.start();
    // As workers connect: commands wait for Redis for ever, so a renewal sent now never comes back.
    connection = new Redis(own.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    connection.on("error", () => undefined);
  });

  after(async () => {
    connection?.disconnect();
    await own?.stop();
  });

  it("when no renewal comes back, then onLost comes when the last one sent is ttl - margin old, not sooner; once Redis is back, the lease is taken again", async () => {
    const ttlMs = 3000;
    const timers = new ManualTimers();
    const a = keeper(connection, "outage", timers, ttlMs);
    a.keeper.start();
    timers.advance(0);
    await a.lease.idle();
    timers.advance(1000);
    await a.lease.idle();
    assert.equal(a.acquired.length, 1);

    await own.crash();
    // The renewal sent at 2000 never comes back; the last good one was sent at 1000, the margin is 300.
    timers.advance(1000);
    timers.advance(1699);
    assert.deepEqual(a.lost, [], "still within ttl - margin of the last renewal");
    assert.notEqual(a.keeper.held, null);
    timers.advance(1);
    assert.deepEqual(a.lost, [3700]);
    assert.equal(a.keeper.held, null);

    await own.restart();
    await a.lease.idle(60_000);
    timers.advance(1000);
    await a.lease.idle(60_000);
    assert.equal(a.acquired.length, 2, "taken again once Redis answers");
    assert.equal(a.keeper.held, a.acquired[1]);
    await a.keeper.stop();
  });

  it("when the lease is taken by a call that came back later than ttl - margin, then it is not acted on but given back", async () => {
    const ttlMs = 3000;
    const timers = new ManualTimers();
    const late = keeper(connection, "late", timers, ttlMs);
    await own.crash();
    late.keeper.start();
    timers.advance(0);
    timers.advance(ttlMs);
    await own.restart();
    await late.lease.idle(60_000);
    assert.deepEqual(late.acquired, []);
    assert.equal(late.keeper.held, null);
    assert.equal(await connection.exists(leaseKey(prefix, "late")), 0, "given back");
    timers.advance(ttlMs / 3);
    await late.lease.idle();
    assert.equal(late.acquired.length, 1, "taken at the next turn, in time");
    await late.keeper.stop();
  });
});
