import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readPods } from "../../../src/analysis/pod.js";
import { mergeWindows, windowsByNode } from "../../../src/analysis/windows.js";
import { podList } from "../../harness/pods.js";

describe("journal windows", () => {
  it("when windows overlap or touch, then they merge; apart, they stay apart", () => {
    assert.deepEqual(
      mergeWindows([
        { sinceEpoch: 500, untilEpoch: 900 },
        { sinceEpoch: 100, untilEpoch: 400 },
        { sinceEpoch: 400, untilEpoch: 450 },
        { sinceEpoch: 1000, untilEpoch: 1100 },
      ]),
      [
        { sinceEpoch: 100, untilEpoch: 450 },
        { sinceEpoch: 500, untilEpoch: 900 },
        { sinceEpoch: 1000, untilEpoch: 1100 },
      ],
    );
  });

  it("when containers on one node finished minutes apart, then the node has one window around both", () => {
    const pods = readPods(
      podList(
        { uid: "a", name: "a", node: "n1", lastContainerId: "aa", finishedAt: "2024-06-01T12:00:00Z" },
        { uid: "b", name: "b", node: "n1", lastContainerId: "bb", finishedAt: "2024-06-01T12:02:00Z" },
        { uid: "c", name: "c", node: "n2", lastContainerId: "cc", finishedAt: "2024-06-01T12:00:00Z" },
      ),
    );
    assert.ok(pods.ok);
    const at = Date.parse("2024-06-01T12:00:00Z") / 1000;
    const windows = windowsByNode(pods.cases, { beforeSeconds: 600, afterSeconds: 300 });
    assert.deepEqual(windows.get("n1"), [{ sinceEpoch: at - 600, untilEpoch: at + 120 + 300 }]);
    assert.deepEqual(windows.get("n2"), [{ sinceEpoch: at - 600, untilEpoch: at + 300 }]);
  });
});
