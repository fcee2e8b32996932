import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sweepFromLines } from "../../../src/ssh/sweep-lines.js";

const cursor = (seqnum: number) =>
  `s=3ee15e1fe5b24878861c5347b57983ae;i=${seqnum.toString(16)};b=5b6c7d8e9f0a1b2c3d4e5f60718293a4;m=0;t=60a24182d8240;x=c58803356723d8f2`;
const line = (seqnum: number) =>
  `${JSON.stringify({ _TRANSPORT: "kernel", MESSAGE: `entry ${seqnum}`, __CURSOR: cursor(seqnum) })}\n`;
const answer = (text: string, truncated = false) => ({ bytes: Buffer.from(text), truncated });
const shape = (from: string | null, text: string, truncated = false) => {
  const result = sweepFromLines("k8s-node-04", answer(text, truncated), from);
  assert.ok(result.ok, result.ok ? "" : result.error.message);
  return { ...result.value, bytes: Buffer.from(result.value.bytes).toString("utf8") };
};

describe("a sweep's answer", () => {
  it("when it starts with the cursor's own entry, then that entry is left out and the last one's cursor is next", () => {
    assert.deepEqual(shape(cursor(1), line(1) + line(2) + line(3)), {
      bytes: line(2) + line(3),
      cursor: cursor(3),
      truncated: false,
      rotated: false,
    });
  });

  it("when it was cut mid-line, then the partial line is dropped and the sweep is cut at the last whole one", () => {
    const partial = line(3).slice(0, 40);
    assert.deepEqual(shape(cursor(1), line(1) + line(2) + partial, true), {
      bytes: line(2),
      cursor: cursor(2),
      truncated: true,
      rotated: false,
    });
    // A line without its end is not whole, whatever the node said about cutting.
    assert.equal(shape(null, line(1) + partial).truncated, true);
  });

  it("when it was cut inside the cursor's own entry, then nothing is known: the cursor stays, and the next sweep asks again", () => {
    assert.deepEqual(shape(cursor(1), line(1).slice(0, 40), true), {
      bytes: "",
      cursor: cursor(1),
      truncated: true,
      rotated: false,
    });
  });

  it("when another entry comes first, or none though nothing was cut, then the cursor's entry is gone", () => {
    assert.deepEqual(shape(cursor(1), line(5) + line(6)), {
      bytes: line(5) + line(6),
      cursor: cursor(6),
      truncated: false,
      rotated: true,
    });
    assert.deepEqual(shape(cursor(1), ""), { bytes: "", cursor: cursor(1), truncated: false, rotated: true });
  });

  it("when a first sweep finds nothing, then there is no cursor yet", () => {
    assert.deepEqual(shape(null, ""), { bytes: "", cursor: null, truncated: false, rotated: false });
  });

  it("when the last whole line carries no journald cursor, then the sweep fails rather than store one", () => {
    for (const last of ['{"MESSAGE":"no cursor"}\n', '{"__CURSOR":"s=1;i=2"}\n', "not json\n"]) {
      const result = sweepFromLines("k8s-node-04", answer(line(1) + last), null);
      assert.equal(result.ok ? "ok" : result.error.kind, "invalid-journal", last);
    }
  });
});
