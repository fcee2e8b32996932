// Reading history early: the metrics server is asked while the nodes are read, and the report's later
// identical request gets that answer instead of asking again.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ok } from "../../../src/errors.js";
import type { MetricsSource, RangeQuery } from "../../../src/history/ports.js";
import { historyReader, historyRequest } from "../../../src/history/workload-history.js";

const OPTIONS = { days: 7, hoursBeforeKill: 6, stepSeconds: 60 };
const KILL = Date.parse("2021-07-12T04:11:16Z");

function countingSource(): MetricsSource & { asked: RangeQuery[] } {
  const asked: RangeQuery[] = [];
  return {
    asked,
    range: async (query) => {
      asked.push(query);
      return ok([]);
    },
  };
}

const request = (pods: string[], kills: number[], inferred: boolean) =>
  historyRequest({
    namespace: "production",
    container: "app",
    podNames: pods,
    // The same workload, as a pod's inferred owner and as the report names it.
    workload: inferred
      ? ({ kind: "Deployment", name: "api", inferred: true } as { kind: string; name: string })
      : { kind: "Deployment", name: "api" },
    kills: kills.map((atMs, index) => ({ pod: pods[index] ?? "p", container: "app", atMs })),
    limitBytes: null,
    nowMs: KILL + 60_000,
  });

describe("reading a workload's history once", () => {
  it("when the report asks for what was read early, in another order and spelling, then the server is asked once", async () => {
    const source = countingSource();
    const read = historyReader(source, OPTIONS);
    const early = read(request(["api-b", "api-a"], [KILL, KILL - 3_600_000], true));
    const later = read(request(["api-a", "api-b"], [KILL, KILL - 3_600_000], false));
    assert.equal(await early, await later);
    const once = source.asked.length;
    assert.ok(once > 0);
    await read(request(["api-a", "api-b", "api-c"], [KILL, KILL - 3_600_000], false));
    assert.ok(source.asked.length > once, "another pod is another request");
  });
});
