// One classifier decides, for every job and lifecycle step, whether a failure is worth another try.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ErrorKind, isTransient } from "../../src/errors.js";

describe("transient failures", () => {
  const cases: Array<[ErrorKind, boolean]> = [
    ["api-unreachable", true],
    ["api-error", true],
    ["conflict", true],
    ["node-unreachable", true],
    ["timeout", true],
    ["forbidden", false],
    ["unauthorized", false],
    ["not-found", false],
    ["config-invalid", false],
    ["patch-refused", false],
    ["host-key-mismatch", false],
  ];
  for (const [kind, transient] of cases) {
    it(`when a step fails with ${kind}, then it is ${transient ? "retried" : "failed for good"}`, () => {
      assert.equal(isTransient({ kind, message: "x" }), transient);
    });
  }
});
