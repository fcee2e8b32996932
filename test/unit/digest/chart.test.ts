import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { restartChart } from "../../../src/digest/chart.js";
import { svgToPng } from "../../../src/digest/png.js";
import { type DigestModel, dayLabels } from "../../../src/digest/summary.js";

const model: DigestModel = {
  endMs: Date.parse("2026-06-08T01:00:00Z"),
  today: { restarts: 9, oomKills: 2, podsAffected: 3, lowerBound: false },
  yesterday: { restarts: 4, oomKills: 0, podsAffected: 2, lowerBound: false },
  top: [],
  newOffenders: [],
  chronic: [],
  series: [
    { workload: "shop/Deployment/web", perDay: [0, 1, 2, 0, 3, 1, 6] },
    { workload: "shop/StatefulSet/db<&>", perDay: [1, 0, 0, 0, 0, 2, 3] },
  ],
};

describe("the digest chart", () => {
  it("when drawn, then the SVG names each workload, escaped, and labels the seven days in the zone", () => {
    const labels = dayLabels(model.endMs, "Asia/Shanghai");
    assert.deepEqual(labels, ["06-02", "06-03", "06-04", "06-05", "06-06", "06-07", "06-08"]);
    const svg = restartChart(model, labels);
    assert.match(svg, /shop\/Deployment\/web/);
    assert.match(svg, /shop\/StatefulSet\/db&lt;&amp;&gt;/);
    assert.match(svg, /fill="#ffffff"/, "its own light card, readable on dark themes too");
    assert.equal(
      (svg.match(/<rect [^>]*fill="#0072B2"><title>/g) ?? []).length,
      5,
      "one bar per non-zero day",
    );
  });

  it("when rendered, then it is a PNG of the SVG's size", () => {
    const png = svgToPng(restartChart(model, dayLabels(model.endMs, "UTC")));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString("ascii", 12, 16), "IHDR");
    assert.equal(png.readUInt32BE(16), 800);
    assert.equal(png.readUInt32BE(20), 420);
    assert.ok(png.length > 5000, `a picture with content, not a blank: ${png.length} bytes`);
  });
});
