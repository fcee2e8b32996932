// The rules of live alerts stay pure, like the analysis core: they import only each other and the
// analysis, and touch no clock, environment or output (every time is an argument).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../harness/fixtures.js";

const PURE = ["model", "detect", "silent", "routing", "storm"].map((name) =>
  join(ROOT, "src", "alerts", `${name}.ts`),
);
const ALLOWED = /^(\.\/(model|detect|silent|routing|storm)|\.\.\/analysis\/[\w/-]+)\.js$/;

const IMPURE: Array<[RegExp, string]> = [
  [/\bprocess\.\w+/, "reads or writes the process"],
  [/\bDate\.now\(/, "reads the clock"],
  [/new Date\(\)/, "reads the clock"],
  [/\bperformance\.now\(/, "reads the clock"],
  [/\bMath\.random\(/, "is not deterministic"],
  [/\bconsole\./, "writes output"],
];

describe("the rules of live alerts", () => {
  for (const file of PURE) {
    const name = file.slice(ROOT.length + 1);
    it(`when ${name} imports, then only the alert rules and the analysis`, () => {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/^import[^"']*["']([^"']+)["']/gm))
        assert.match(match[1] ?? "", ALLOWED, `${name} imports ${match[1]}`);
    });

    it(`when ${name} computes, then it touches no clock, environment or output`, () => {
      const text = readFileSync(file, "utf8");
      for (const [pattern, why] of IMPURE) assert.doesNotMatch(text, pattern, `${name} ${why}`);
    });
  }
});
