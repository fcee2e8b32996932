// The rules of memory history stay pure: every time is an argument, and the server is reached only
// through the port (its imports are checked by `npm run architecture`).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../harness/fixtures.js";

const HISTORY = join(ROOT, "src", "history");

const IMPURE: Array<[RegExp, string]> = [
  [/\bprocess\.\w+/, "reads or writes the process"],
  [/\bDate\.now\(/, "reads the clock"],
  [/new Date\(\)/, "reads the clock"],
  [/\bperformance\.now\(/, "reads the clock"],
  [/\bMath\.random\(/, "is not deterministic"],
  [/\bconsole\./, "writes output"],
  [/\bfetch\(/, "speaks HTTP past the port"],
];

describe("the rules of memory history", () => {
  const files = readdirSync(HISTORY).filter((name) => name.endsWith(".ts"));

  it("when src/history is listed, then it holds the queries and the reading through the port", () => {
    for (const name of ["model.ts", "ports.ts", "queries.ts", "fetch.ts"])
      assert.ok(files.includes(name), name);
  });

  for (const name of files)
    it(`when src/history/${name} computes, then it touches no clock, environment or output`, () => {
      const text = readFileSync(join(HISTORY, name), "utf8");
      for (const [pattern, why] of IMPURE) assert.doesNotMatch(text, pattern, `src/history/${name} ${why}`);
    });
});
