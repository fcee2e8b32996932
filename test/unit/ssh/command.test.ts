import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  kernelFromCommand,
  kernelSinceCommand,
  oldestEntryCommand,
  windowCommand,
} from "../../../src/ssh/command.js";

const limits = { timeoutSeconds: 30, maxOutputBytes: 1000 };
const CURSOR =
  "s=3ee15e1fe5b24878861c5347b57983ae;i=2f;b=5b6c7d8e9f0a1b2c3d4e5f60718293a4;m=0;t=60a24182d8240;x=c58803356723d8f2";

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

  it("when kernel entries are swept, then the request holds a time or a journald cursor as journalctl prints it", () => {
    assert.equal(
      kernelSinceCommand(1626062476, limits),
      "oom-doctor-journal kernel-since 1626062476 30 1000",
    );
    assert.equal(kernelFromCommand(CURSOR, limits), `oom-doctor-journal kernel-from ${CURSOR} 30 1000`);
    // The longest request there can be: the wrapper takes kernel-from requests of up to 200 characters.
    const [id, hex] = ["f".repeat(32), "f".repeat(16)];
    const longest = `s=${id};i=${hex};b=${id};m=${hex};t=${hex};x=${hex}`;
    assert.equal(kernelFromCommand(longest, { timeoutSeconds: 600, maxOutputBytes: 268435456 }).length, 190);
  });

  it("when a cursor is not exactly a journald cursor's shape, then no request is built", () => {
    const malformed = [
      "",
      `${CURSOR} 1 1`,
      `${CURSOR};id`,
      `${CURSOR};x=1`,
      `${CURSOR}\n`,
      CURSOR.toUpperCase(),
      CURSOR.replace("i=2f", "i=11111111111111111"),
      CURSOR.replace("i=2f", "i="),
      CURSOR.replace("s=3ee1", "s=3ee"),
      CURSOR.replace(";x=c58803356723d8f2", ""),
      `x=c58803356723d8f2;${CURSOR.replace(";x=c58803356723d8f2", "")}`,
      "$(id)",
    ];
    for (const cursor of malformed)
      assert.throws(() => kernelFromCommand(cursor, limits), RangeError, JSON.stringify(cursor));
    assert.throws(() => kernelSinceCommand(Number.NaN, limits), /since must be a whole number/);
  });
});
