// Live alerts under any mix of kills, subscriptions and threads: every kill ends in exactly one place,
// storms stay within their bound over time, and quiet hours end where the zone's clock says.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AlertSubscription, AlertThread, Kill, KillKind } from "../../src/alerts/model.js";
import { SEVERITIES } from "../../src/alerts/model.js";
import { inQuiet, quietEndsMs } from "../../src/alerts/routing.js";
import { type DeliveryLimits, deliveryDay, planDelivery, STORM_WINDOW_MS } from "../../src/alerts/storm.js";

// A fixed seed keeps runs repeatable; FC_SEED explores others (a failure prints the seed to reuse).
const SEED = Number(process.env.FC_SEED ?? 20210712);
const RUNS = 200;
const START = Date.parse("2024-03-30T20:00:00Z");
// Zones with whole-hour, half-hour and 45-minute offsets, and daylight saving on both hemispheres.
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
];

const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);

const subscriptionArb = fc.record<AlertSubscription>({
  id: fc.constantFrom("s1", "s2", "s3"),
  channel: fc.constant("C0ALERTS"),
  scope: fc.constantFrom("all", "shop", "team-*", "batch"),
  minSeverity: fc.constantFrom(...SEVERITIES),
  quiet: fc.option(fc.record({ from: time, to: time }), { nil: null }),
  tz: fc.constantFrom(...ZONES),
  createdBy: fc.constant("U0ALICE"),
  createdAt: fc.constantFrom("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
});

const KINDS: KillKind[] = ["oom-killed", "oom-killed", "evicted", "child-process", "system-oom"];

/** Kills at or before `nowMs`, with few enough names that workloads, pods and nodes repeat. */
const killsArb = (nowMs: number) =>
  fc.array(
    fc
      .record({
        kind: fc.constantFrom(...KINDS),
        namespace: fc.constantFrom("shop", "team-a", "batch"),
        workload: fc.integer({ min: 0, max: 6 }),
        pod: fc.integer({ min: 0, max: 9 }),
        node: fc.integer({ min: 0, max: 3 }),
        ageMs: fc.integer({ min: 0, max: 600_000 }),
      })
      .map(({ kind, namespace, workload, pod, node, ageMs }): Kill => {
        const onNode = kind === "system-oom";
        return {
          id: "",
          kind,
          cluster: "c",
          namespace: onNode ? null : namespace,
          pod: onNode ? null : `w${workload}-${pod}`,
          podUid: onNode ? null : `uid-${workload}-${pod}`,
          container: onNode ? null : "app",
          node: `node-${node}`,
          workload: onNode ? null : `Deployment/w${workload}`,
          at: new Date(nowMs - ageMs).toISOString(),
          message: null,
          process: null,
        };
      }),
    { maxLength: 40 },
  );

const limitsArb = fc.record<DeliveryLimits>({
  maxNewThreads: fc.integer({ min: 0, max: 6 }),
  nodeStormKills: fc.integer({ min: 1, max: 6 }),
});

const withIds = (kills: Kill[], prefix: string) =>
  kills.map((kill, index) => ({ ...kill, id: `${prefix}-${index}` }));

describe("the delivery planner", () => {
  it("when any kills meet any subscriptions and threads, then each kill is held, dropped or in exactly one thread", () => {
    fc.assert(
      fc.property(
        killsArb(START),
        fc.array(subscriptionArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom("workload:shop/Deployment/w1", "node:node-2", "summary"), { maxLength: 3 }),
        fc.integer({ min: 0, max: 12 }),
        limitsArb,
        (generated, subscriptions, subjects, openings, limits) => {
          const kills = withIds(generated, "k");
          const day = deliveryDay(subscriptions, START);
          const threads = subjects.map(
            (subject): AlertThread => ({
              channel: "C0ALERTS",
              subject,
              day,
              ts: "1.2",
              places: [],
              shown: null,
              kills: 2,
              killIds: [],
              openedAt: new Date(START - 300_000).toISOString(),
            }),
          );
          const plan = planDelivery({
            nowMs: START,
            channel: "C0ALERTS",
            kills,
            subscriptions,
            threads,
            openingsLast10Min: openings,
            limits,
          });
          const placed = [...plan.held, ...plan.dropped, ...plan.threads.flatMap((thread) => thread.kills)];
          assert.deepEqual(placed.map((kill) => kill.id).sort(), kills.map((kill) => kill.id).sort());
          const subjectsPlanned = plan.threads.map((thread) => thread.subject);
          assert.equal(
            new Set(subjectsPlanned).size,
            subjectsPlanned.length,
            "one planned thread per subject",
          );
          assert.ok(plan.threads.every((thread) => thread.kills.length > 0));
          assert.equal(plan.newThreads, plan.threads.filter((thread) => thread.existing === null).length);
          assert.ok(plan.newThreads <= Math.max(0, limits.maxNewThreads - openings) + 1);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("when deliveries follow one another, then no ten minutes see more than maxNewThreads + 1 new threads", () => {
    const step = fc.record({ gapMs: fc.integer({ min: 0, max: 400_000 }), kills: killsArb(START) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), limitsArb, (steps, limits) => {
        const subscriptions = [
          {
            id: "s",
            channel: "C0ALERTS",
            scope: "all",
            minSeverity: "info" as const,
            quiet: null,
            tz: "UTC",
            createdBy: "U",
            createdAt: "2024-01-01T00:00:00Z",
          },
        ];
        const openings: number[] = [];
        const threads: AlertThread[] = [];
        let nowMs = START;
        for (const [index, { gapMs, kills }] of steps.entries()) {
          nowMs += gapMs;
          const batch = withIds(kills, `d${index}`).map((kill) => ({
            ...kill,
            at: new Date(nowMs).toISOString(),
          }));
          const plan = planDelivery({
            nowMs,
            channel: "C0ALERTS",
            kills: batch,
            subscriptions,
            threads,
            openingsLast10Min: openings.filter((at) => at >= nowMs - STORM_WINDOW_MS).length,
            limits,
          });
          // What the delivery job does with the plan: open the new threads, count into the others.
          for (const planned of plan.threads) {
            if (planned.existing) {
              planned.existing.kills += planned.kills.length;
              continue;
            }
            openings.push(nowMs);
            threads.push({
              channel: "C0ALERTS",
              subject: planned.subject,
              day: planned.day,
              ts: `${nowMs}.${threads.length}`,
              kills: planned.kills.length,
              places: [],
              shown: null,
              killIds: planned.kills.map((kill) => kill.id),
              openedAt: new Date(nowMs).toISOString(),
            });
          }
        }
        for (const from of openings) {
          const within = openings.filter((at) => at >= from && at <= from + STORM_WINDOW_MS).length;
          assert.ok(
            within <= limits.maxNewThreads + 1,
            `${within} threads opened in ten minutes from ${from}`,
          );
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("quiet hours", () => {
  it("when a moment is in quiet hours, then they end at the first moment out of them, and never outside them", () => {
    const quietSubscription = fc.record({
      quiet: fc.record({ from: time, to: time }),
      tz: fc.constantFrom(...ZONES),
    });
    // A year around both daylight-saving changes of both hemispheres.
    const moment = fc.integer({ min: START - 200 * 86_400_000, max: START + 200 * 86_400_000 });
    fc.assert(
      fc.property(quietSubscription, moment, ({ quiet, tz }, nowMs) => {
        const subscription: AlertSubscription = {
          id: "s",
          channel: "C",
          scope: "all",
          minSeverity: "info",
          quiet,
          tz,
          createdBy: "U",
          createdAt: "2024-01-01T00:00:00Z",
        };
        const end = quietEndsMs(subscription, nowMs);
        if (!inQuiet(subscription, nowMs)) {
          assert.equal(end, null);
          return;
        }
        assert.ok(end !== null && end > nowMs && end - nowMs <= 25 * 3_600_000);
        assert.equal(inQuiet(subscription, end), false);
        assert.equal(inQuiet(subscription, end - 1), true);
        for (let sample = 1; sample < 16; sample++)
          assert.ok(inQuiet(subscription, nowMs + Math.floor(((end - nowMs) * sample) / 16)));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
