import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../../src/config/load.js";

describe("alerts configuration", () => {
  it("when nothing is set, then the cluster is watched with the documented defaults and no routes", () => {
    const result = buildConfig({}, {}, "test");
    assert.ok(result.ok);
    assert.deepEqual(result.value.alerts, {
      enabled: true,
      cluster: "default",
      routes: [],
      sweepMinutes: 5,
      batchSeconds: 1,
      maxNewThreads: 5,
      nodeStormKills: 3,
      maxSubscriptions: 200,
      catchUpMinutes: 10,
    });
  });

  it("when routes are declared, then patterns, severities, quiet hours and zones are read", () => {
    const result = buildConfig(
      {
        alerts: {
          cluster: "prod-eu",
          routes: [
            {
              namespaces: "prod-*",
              channel: "C0PROD",
              minSeverity: "warning",
              quiet: "22:00-7:00",
              tz: "Asia/Shanghai",
            },
            { namespaces: "all", channel: "C0SRE" },
          ],
        },
      },
      {},
      "bot.yaml",
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.deepEqual(result.value.alerts.routes, [
      {
        namespaces: "prod-*",
        channel: "C0PROD",
        minSeverity: "warning",
        quiet: { from: "22:00", to: "07:00" },
        tz: "Asia/Shanghai",
      },
      { namespaces: "all", channel: "C0SRE", minSeverity: "info", quiet: null, tz: "UTC" },
    ]);
    assert.equal(result.value.alerts.cluster, "prod-eu");
  });

  it("when a route or a key is wrong, then each problem names its path", () => {
    const result = buildConfig(
      {
        alerts: {
          sweepMinutes: 0,
          every: 3,
          cluster: "Prod EU",
          routes: [
            {
              namespaces: "Prod",
              channel: "#prod",
              minSeverity: "loud",
              quiet: "late",
              tz: "Mars/Olympus",
              owner: "me",
            },
            "prod",
          ],
        },
      },
      {},
      "bot.yaml",
    );
    assert.equal(result.ok, false);
    const message = result.ok ? "" : result.error.message;
    for (const expected of [
      /alerts\.sweepMinutes: expected a whole number from 1 to 1440/,
      /alerts\.every: unknown key/,
      /alerts\.cluster: lower-case letters/,
      /alerts\.routes\[0\]\.namespaces: a namespace, a pattern such as prod-\*, or all/,
      /alerts\.routes\[0\]\.channel: a Slack channel id/,
      /alerts\.routes\[0\]\.minSeverity: expected one of info, warning, critical/,
      /alerts\.routes\[0\]\.quiet: a range of local times such as 22:00-07:00/,
      /alerts\.routes\[0\]\.tz: an IANA time zone/,
      /alerts\.routes\[0\]\.owner: unknown key/,
      /alerts\.routes\[1\]: expected a mapping/,
    ])
      assert.match(message, expected);
  });
});
