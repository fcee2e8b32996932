// The worst workloads first, and which of them get a thread reply of their own.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FindingJson, Report } from "../../../src/report/model.js";
import { type Severity, severityIn, splitReplies, worstFirst } from "../../../src/report/severity.js";
import { bigReport } from "../../harness/big-namespace.js";

const rated = (key: string, kills: number, restartsPerDay: number, lastKill: string | null) => ({
  key,
  severity: { kills, restartsPerDay, lastKill } satisfies Severity,
});

const keys = (items: Array<{ key: string }>) => items.map((item) => item.key);

describe("the severity order", () => {
  it("when one workload has more kills, then it comes first whatever its restarts", () => {
    const few = rated("a/Deployment/restarts-a-lot", 1, 10, "2024-06-01T13:00:00Z");
    const many = rated("a/Deployment/killed-twice", 2, 0.5, "2024-06-01T12:00:00Z");
    assert.deepEqual(keys([few, many].sort(worstFirst)), [many.key, few.key]);
  });

  it("when kills tie, then more restarts a day come first; then the later kill", () => {
    const slow = rated("a/Deployment/a", 1, 1, "2024-06-01T13:00:00Z");
    const fast = rated("a/Deployment/b", 1, 10.14, "2024-06-01T12:00:00Z");
    const recent = rated("a/Deployment/c", 1, 1, "2024-06-01T13:30:00Z");
    const undated = rated("a/Deployment/d", 1, 1, null);
    assert.deepEqual(keys([undated, slow, recent, fast].sort(worstFirst)), [
      fast.key,
      recent.key,
      slow.key,
      undated.key,
    ]);
  });

  it("when everything ties, then the key decides, so the order does not depend on the input's", () => {
    const a = rated("a/Deployment/a", 1, 1, null);
    const b = rated("a/Deployment/b", 1, 1, null);
    assert.deepEqual(keys([b, a].sort(worstFirst)), keys([a, b].sort(worstFirst)));
  });
});

describe("a workload's severity", () => {
  const report = bigReport();
  const [first, second, third] = report.findings as [FindingJson, FindingJson, FindingJson];
  const severityOf = severityIn(report);

  it("when two kernel reports are tied to one container, then they are two kills", () => {
    const withRepeat: Report = {
      ...report,
      kernelEvents: [...report.kernelEvents, { ...(report.kernelEvents[0] as Report["kernelEvents"][0]) }],
    };
    assert.equal(severityIn(withRepeat)([first]).kills, 2);
  });

  it("when a container was OOM-killed but no kernel report was found, then it still counts one kill", () => {
    const noReport = { ...second, kernelEvent: null };
    assert.equal(severityOf([noReport]).kills, 1);
  });

  it("when a container only restarts, then it counts no kill but its restarts a day", () => {
    const restarting: FindingJson = {
      ...third,
      kernelEvent: null,
      verdict: "no-evidence",
      lastTermination: { reason: "Error", exitCode: 1, startedAt: null, finishedAt: "2024-06-01T10:00:00Z" },
      restartsPerDay: 4.5,
    };
    assert.deepEqual(severityOf([restarting]), {
      kills: 0,
      restartsPerDay: 4.5,
      lastKill: "2024-06-01T10:00:00Z",
    });
  });

  it("when a workload has several containers, then kills and restarts a day add up and the latest kill counts", () => {
    const severity = severityOf([first, second]);
    assert.equal(severity.kills, 2);
    assert.equal(severity.restartsPerDay, (first.restartsPerDay ?? 0) + (second.restartsPerDay ?? 0));
    assert.equal(severity.lastKill, second.kernelEvent?.time);
  });
});

describe("which workloads get a reply of their own", () => {
  const ranked = Array.from({ length: 61 }, (_, i) => `w${i}`);

  it("when 61 workloads are ranked and 15 may have their own reply, then the 15 worst do and 46 share one", () => {
    const { own, shared } = splitReplies(ranked, 15);
    assert.deepEqual(own, ranked.slice(0, 15));
    assert.deepEqual(shared, ranked.slice(15));
  });

  it("when as many workloads as allowed, or one more, then each has its own reply and none is shared", () => {
    assert.deepEqual(splitReplies(ranked.slice(0, 15), 15), { own: ranked.slice(0, 15), shared: [] });
    // A shared reply for one workload would take as many replies as its own.
    assert.deepEqual(splitReplies(ranked.slice(0, 16), 15), { own: ranked.slice(0, 16), shared: [] });
    assert.deepEqual(splitReplies(ranked.slice(0, 17), 15).shared, ranked.slice(15, 17));
  });

  it("when no reply of their own is allowed, then all share one", () => {
    assert.deepEqual(splitReplies(ranked.slice(0, 3), 0), { own: [], shared: ranked.slice(0, 3) });
    assert.deepEqual(splitReplies([], 15), { own: [], shared: [] });
  });
});
