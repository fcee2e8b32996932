// The memory picture of a realistic workload (test/harness/memory-chart-case.ts), byte for byte.
// Regenerate after an intended change with `npm run test:golden:update` and review the diff (and the
// picture: open the SVG in a browser).

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { memoryChart } from "../../src/history/chart.js";
import { fixturePath } from "../harness/fixtures.js";
import { realisticCase } from "../harness/memory-chart-case.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("the memory picture", () => {
  it("when a leaking container is killed twice among restarts, a replaced pod and a gap, then the SVG matches the golden file", () => {
    const svg = memoryChart(realisticCase());
    const path = fixturePath("history", "memory-chart.golden.svg");
    if (UPDATE) writeFileSync(path, svg);
    assert.equal(svg, readFileSync(path, "utf8"));
  });
});
