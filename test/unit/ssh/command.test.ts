import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oldestEntryCommand, windowCommand } from "../../../src/ssh/command.js";

const limits = { timeoutSeconds: 30, maxOutputBytes: 1000 };

describe("requests to a node's journal wrapper", () => {
  it("when a window is read, then the request holds the wrapper's name, the verb and whole numbers only", () => {
    assert.equal(
      windowCommand({ sinceEpoch: 1626062476, untilEpoch: 1626063376 }, limits),
      "oom-doctor-journal window 1626062476 1626063376 30 1000",
    );
    assert.equal(oldestEntryCommand(limits), "oom-doctor-journal oldest 30");
  });

  it("when a number is not a whole non-negative number, then no request is built", () => {
    assert.throws(
      () => windowCommand({ sinceEpoch: 1.5, untilEpoch: 2 }, limits),
      /since must be a whole number/,
    );
    assert.throws(() => windowCommand({ sinceEpoch: -1, untilEpoch: 2 }, limits), RangeError);
  });
});
