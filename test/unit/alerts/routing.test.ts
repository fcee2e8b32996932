// Who hears of a kill and when: severities, scopes, quiet hours in the subscriber's zone (daylight
// saving included) and the calendar day.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Kill, KillKind } from "../../../src/alerts/model.js";
import { dayOf, inQuiet, matches, quietEndsMs, routeKill, severityOf } from "../../../src/alerts/routing.js";
import { alertSubscription } from "../../harness/alert-kills.js";

const subscription = alertSubscription;

const kill = (kind: KillKind, namespace: string | null = "production"): Kill => ({
  id: `${kind}/1`,
  kind,
  cluster: "prod-eu",
  namespace,
  pod: namespace ? "api-7d9c5b6f4-x2x9q" : null,
  podUid: null,
  container: namespace ? "app" : null,
  node: "k8s-node-04",
  workload: namespace ? "Deployment/api" : null,
  at: "2024-01-02T03:04:05Z",
  message: null,
  process: null,
});

const ms = (iso: string) => Date.parse(iso);

describe("severity", () => {
  const cases: Array<[KillKind, number, string]> = [
    ["oom-killed", 1, "warning"],
    ["oom-killed", 2, "warning"],
    ["oom-killed", 3, "critical"],
    ["evicted", 1, "warning"],
    ["evicted", 7, "critical"],
    ["system-oom", 1, "critical"],
    ["child-process", 1, "info"],
    ["child-process", 9, "info"],
  ];
  for (const [kind, today, expected] of cases) {
    it(`when a ${kind} kill is the workload's kill number ${today} today, then it is ${expected}`, () => {
      assert.equal(severityOf(kill(kind), today), expected);
    });
  }
});

describe("scopes", () => {
  it("when the scope is a namespace, then only that namespace matches", () => {
    assert.equal(matches(subscription(), "production"), true);
    assert.equal(matches(subscription(), "production-eu"), false);
    assert.equal(matches(subscription(), null), false);
  });

  it('when the scope is "all", then every namespace and node kills match', () => {
    assert.equal(matches(subscription({ scope: "all" }), "anything"), true);
    assert.equal(matches(subscription({ scope: "all" }), null), true);
  });

  it("when the scope is a pattern, then * stands for any run of characters and nothing else is special", () => {
    const teams = subscription({ scope: "team-*" });
    assert.equal(matches(teams, "team-a"), true);
    assert.equal(matches(teams, "team-"), true);
    assert.equal(matches(teams, "xteam-a"), false);
    assert.equal(matches(subscription({ scope: "*-prod" }), "shop-prod"), true);
    assert.equal(matches(subscription({ scope: "a.b*" }), "axb"), false);
    assert.equal(matches(teams, null), false);
  });

  it("when routing, then each channel gets its covering subscriptions, within what its channel map allows", () => {
    const subscriptions = [
      subscription({ id: "a", channel: "C1", scope: "production" }),
      subscription({ id: "b", channel: "C1", scope: "all" }),
      subscription({ id: "c", channel: "C2", scope: "prod*" }),
      subscription({ id: "d", channel: "C3", scope: "staging" }),
      subscription({ id: "e", channel: "C4", scope: "all" }),
    ];
    const allows = (channel: string) => channel !== "C4";
    const routes = routeKill(kill("oom-killed"), subscriptions, allows);
    assert.deepEqual(
      [...routes].map(([channel, subs]) => [channel, subs.map((s) => s.id)]),
      [
        ["C1", ["a", "b"]],
        ["C2", ["c"]],
      ],
    );
  });

  it('when the kill is a node\'s (no namespace), then only "all" subscriptions hear of it, where the channel map shows every namespace', () => {
    const subscriptions = [
      subscription({ id: "a", channel: "C1", scope: "production" }),
      subscription({ id: "b", channel: "C2", scope: "all" }),
      subscription({ id: "c", channel: "C3", scope: "all" }),
    ];
    // C3's map was narrowed after it subscribed: a node's kill may tell of any tenant's pods.
    const asked: Array<[string, string | null]> = [];
    const everyNamespace = (channel: string, namespace: string | null) => {
      asked.push([channel, namespace]);
      return channel !== "C3";
    };
    const routes = routeKill(kill("system-oom", null), subscriptions, everyNamespace);
    assert.deepEqual([...routes.keys()], ["C2"]);
    assert.deepEqual(asked, [
      ["C2", null],
      ["C3", null],
    ]);
  });
});

describe("quiet hours", () => {
  const night = subscription({ quiet: { from: "22:00", to: "07:00" }, tz: "Asia/Shanghai" });

  it("when the quiet hours cross midnight, then they hold from `from` up to, not including, `to`", () => {
    assert.equal(inQuiet(night, ms("2024-01-01T14:00:00Z")), true, "22:00 in Shanghai");
    assert.equal(inQuiet(night, ms("2024-01-01T16:30:00Z")), true, "00:30");
    assert.equal(inQuiet(night, ms("2024-01-01T22:59:59Z")), true, "06:59:59");
    assert.equal(inQuiet(night, ms("2024-01-01T23:00:00Z")), false, "07:00");
    assert.equal(inQuiet(night, ms("2024-01-01T13:59:00Z")), false, "21:59");
  });

  it("when the quiet hours lie within a day, then only between them", () => {
    const lunch = subscription({ quiet: { from: "12:00", to: "13:30" }, tz: "Europe/Berlin" });
    assert.equal(inQuiet(lunch, ms("2024-07-01T10:15:00Z")), true, "12:15 CEST");
    assert.equal(inQuiet(lunch, ms("2024-07-01T11:30:00Z")), false, "13:30 CEST");
  });

  it("when there are none, or they are empty, then never quiet", () => {
    assert.equal(inQuiet(subscription(), 0), false);
    assert.equal(quietEndsMs(subscription(), 0), null);
    assert.equal(
      inQuiet(subscription({ quiet: { from: "08:00", to: "08:00" } }), ms("2024-01-01T08:00:00Z")),
      false,
    );
  });

  it("when quiet, then they end at the next `to` on the zone's clock; outside them, null", () => {
    assert.equal(quietEndsMs(night, ms("2024-01-01T15:00:00Z")), ms("2024-01-01T23:00:00Z"));
    assert.equal(quietEndsMs(night, ms("2024-01-01T20:00:00Z")), ms("2024-01-01T23:00:00Z"));
    assert.equal(quietEndsMs(night, ms("2024-01-02T02:00:00Z")), null);
  });

  describe("across daylight-saving changes (Europe/Berlin: 2024-03-31 02:00→03:00, 2024-10-27 03:00→02:00)", () => {
    const berlin = (from: string, to: string) => subscription({ quiet: { from, to }, tz: "Europe/Berlin" });

    it("when the night shortens, then 07:00 is still 07:00 local, an hour earlier in UTC", () => {
      assert.equal(
        quietEndsMs(berlin("22:00", "07:00"), ms("2024-03-30T22:00:00Z")),
        ms("2024-03-31T05:00:00Z"),
      );
    });

    it("when the night lengthens, then 07:00 local is an hour later in UTC", () => {
      assert.equal(
        quietEndsMs(berlin("22:00", "07:00"), ms("2024-10-26T21:00:00Z")),
        ms("2024-10-27T06:00:00Z"),
      );
    });

    it("when `to` falls in the skipped hour, then the quiet hours end when the clock jumps past it", () => {
      const early = berlin("01:00", "02:30");
      assert.equal(inQuiet(early, ms("2024-03-31T00:59:00Z")), true, "01:59 CET");
      assert.equal(inQuiet(early, ms("2024-03-31T01:00:00Z")), false, "03:00 CEST");
      assert.equal(quietEndsMs(early, ms("2024-03-31T00:30:00Z")), ms("2024-03-31T01:00:00Z"));
    });

    it("when `to` comes twice in the repeated hour, then they end at the next of the two", () => {
      const early = berlin("00:00", "02:30");
      assert.equal(quietEndsMs(early, ms("2024-10-26T23:30:00Z")), ms("2024-10-27T00:30:00Z"), "02:30 CEST");
      assert.equal(inQuiet(early, ms("2024-10-27T00:45:00Z")), false, "02:45 CEST");
      assert.equal(quietEndsMs(early, ms("2024-10-27T01:10:00Z")), ms("2024-10-27T01:30:00Z"), "02:30 CET");
    });
  });
});

describe("the day", () => {
  it("when it is past midnight in the zone but not in UTC, then the day is the zone's", () => {
    assert.equal(dayOf(ms("2024-01-01T15:59:59.999Z"), "Asia/Shanghai"), "2024-01-01");
    assert.equal(dayOf(ms("2024-01-01T16:00:00Z"), "Asia/Shanghai"), "2024-01-02");
    assert.equal(dayOf(ms("2024-01-01T16:00:00Z"), "America/Los_Angeles"), "2024-01-01");
    assert.equal(dayOf(ms("2024-12-31T23:30:00Z"), "UTC"), "2024-12-31");
  });
});
