// The analysis core stays pure: no I/O, no clock, no environment, no library clients. This reads its
// sources and fails on the first import or call that would break that.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../harness/fixtures.js";

const ANALYSIS = join(ROOT, "src", "analysis");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

const IMPURE: Array<[RegExp, string]> = [
  [/\bprocess\.(env|argv|exit|cwd|hrtime|stdout|stderr|stdin)\b/, "reads or writes the process"],
  [/\bDate\.now\(/, "reads the clock"],
  [/new Date\(\)/, "reads the clock"],
  [/\bMath\.random\(/, "is not deterministic"],
  [/\bconsole\./, "writes output"],
];

describe("architecture", () => {
  const files = sources(ANALYSIS);

  it("when src/analysis imports, then only other analysis modules", () => {
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/^import[^"']*["']([^"']+)["']/gm)) {
        const target = match[1] ?? "";
        assert.ok(target.startsWith("."), `${relative(ROOT, file)} imports ${target}`);
        const resolved = join(file, "..", target);
        assert.ok(
          resolved.startsWith(ANALYSIS),
          `${relative(ROOT, file)} imports ${target} from outside analysis`,
        );
      }
    }
  });

  it("when src/analysis computes, then it touches no clock, environment or output", () => {
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const [pattern, why] of IMPURE)
        assert.doesNotMatch(text, pattern, `${relative(ROOT, file)} ${why}`);
    }
  });
});
