import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Resvg } from "@resvg/resvg-js";
import { svgToPng } from "../../../src/digest/png.js";
import { INK } from "../../../src/digest/svg.js";
import { type MemoryChartInput, memoryChart } from "../../../src/history/chart.js";
import type { Series } from "../../../src/history/model.js";
import { realisticCase } from "../../harness/memory-chart-case.js";

const MIB = 2 ** 20;
const MINUTE_MS = 60_000;
const START_MS = Date.parse("2026-07-11T10:00:00Z");
const HOUR_MS = 3_600_000;

/** Samples every `stepMs` over [fromMs, toMs], valued by `mib`. */
function series(
  pod: string,
  container: string,
  fromMs: number,
  toMs: number,
  mib: (ms: number) => number,
  stepMs = MINUTE_MS,
): Series {
  const points: Array<[number, number]> = [];
  for (let ms = fromMs; ms <= toMs; ms += stepMs) points.push([ms, mib(ms) * MIB]);
  return { labels: { namespace: "shop", pod, container }, points };
}

function chartOf(overrides: Partial<MemoryChartInput>): MemoryChartInput {
  return {
    series: { workingSet: [series("web-1", "app", START_MS, START_MS + 4 * HOUR_MS, () => 300)], rss: [] },
    limitBytes: null,
    requestBytes: null,
    kills: [],
    startMs: START_MS,
    endMs: START_MS + 4 * HOUR_MS,
    tz: "UTC",
    ...overrides,
  };
}

/** Every element named `tag` (with `class="..."` when given), as its attributes. */
function elements(svg: string, tag: string, className?: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const match of svg.matchAll(new RegExp(`<${tag} ([^>]*?)/?>`, "g"))) {
    const attributes = Object.fromEntries(
      [...(match[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name, value]) => [name, value]),
    );
    if (className === undefined || attributes.class === className) found.push(attributes);
  }
  return found;
}

const num = (attributes: Record<string, string> | undefined, name: string) => Number(attributes?.[name]);

function plotBox(svg: string) {
  const plot = elements(svg, "rect", "plot")[0];
  return {
    left: num(plot, "x"),
    top: num(plot, "y"),
    width: num(plot, "width"),
    height: num(plot, "height"),
  };
}

/** The y of the gridline labelled `label` on the byte axis. */
function gridlineY(svg: string, label: string): number {
  const text = [...svg.matchAll(/<text [^>]*y="([\d.]+)"[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].find(
    ([, , content]) => content === label,
  );
  assert.ok(text, `a gridline labelled ${label}`);
  return Number(text[1]) - 4;
}

/** The path's points, subpath by subpath. */
function subpaths(d: string): Array<Array<[number, number]>> {
  return d
    .split("M")
    .filter(Boolean)
    .map((sub) =>
      [...sub.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map(([, x, y]): [number, number] => [Number(x), Number(y)]),
    );
}

describe("the memory chart", () => {
  it("when a kill falls in the span, then its marker stands at the kill's time and its dot at the kernel's figure", () => {
    const killMs = START_MS + 3 * HOUR_MS;
    const svg = memoryChart(
      chartOf({
        limitBytes: 1024 * MIB,
        kills: [
          { atMs: killMs, residentBytes: 512 * MIB },
          { atMs: START_MS + HOUR_MS, residentBytes: null },
          { atMs: START_MS - HOUR_MS, residentBytes: 700 * MIB },
        ],
      }),
    );
    const plot = plotBox(svg);
    const kills = elements(svg, "line", "kill");
    assert.deepEqual(
      kills.map((kill) => num(kill, "x1")),
      [plot.left + plot.width / 4, plot.left + (plot.width * 3) / 4].map((x) => Number(x.toFixed(1))),
      "one marker per kill within the span, at its time",
    );
    const dots = elements(svg, "circle", "resident");
    assert.equal(dots.length, 1, "a dot only where the kernel gave a figure");
    assert.equal(num(dots[0], "cx"), num(kills[1], "x1"));
    assert.equal(num(dots[0], "cy"), gridlineY(svg, "512 MiB"));
    assert.match(svg, />13:00<\/text>/, "the kill's time above its marker");
  });

  it("when the pod has a limit and a request, then their lines lie on the byte axis at their sizes, labelled in binary units", () => {
    const svg = memoryChart(chartOf({ limitBytes: 1024 * MIB, requestBytes: 100 * MIB }));
    const limit = elements(svg, "line", "limit")[0];
    assert.equal(num(limit, "y1"), gridlineY(svg, "1 GiB"));
    assert.equal(num(limit, "y1"), num(limit, "y2"), "horizontal");
    assert.match(svg, />limit 1Gi<\/text>/);
    const zero = gridlineY(svg, "0 B");
    const expected = zero - (100 / 256) * (zero - gridlineY(svg, "256 MiB"));
    assert.ok(Math.abs(num(elements(svg, "line", "request")[0], "y1") - expected) < 0.1);
    assert.match(svg, />request 100Mi<\/text>/);
  });

  it("when the span's highest figure is the limit, then the byte axis reaches past it on a round binary tick", () => {
    const svg = memoryChart(chartOf({ limitBytes: 1000 * MIB }));
    for (const label of ["0 B", "256 MiB", "512 MiB", "768 MiB", "1 GiB", "1.25 GiB"]) gridlineY(svg, label);
    assert.equal(elements(svg, "line", "gridline").length, 6);
    assert.equal(plotBox(svg).top, gridlineY(svg, "1.25 GiB"), "the top tick is the plot's top");
  });

  it("when names from the cluster hold markup or control characters, then the SVG escapes them and still renders", () => {
    const svg = memoryChart(
      chartOf({
        series: {
          workingSet: [
            series('evil-<script>&"x"', "c\u0001</text>", START_MS, START_MS + HOUR_MS, () => 100),
          ],
          rss: [],
        },
        tz: "Asia/Shanghai",
      }),
    );
    assert.doesNotMatch(svg, /<script>|c<\/text>/);
    assert.ok(!svg.includes("\u0001"), "no character XML forbids");
    assert.match(svg, /evil-&lt;script&gt;&amp;&quot;x&quot; · c\uFFFD&lt;\/text&gt;/);
    assert.doesNotThrow(() => svgToPng(svg));
  });

  it("when a series has far more samples than the picture has room for, then each line keeps at most 600 points and its spike", () => {
    const spikeMs = START_MS + 17 * HOUR_MS + 1234_000;
    const dense = series(
      "web-1",
      "app",
      START_MS,
      START_MS + 24 * HOUR_MS,
      (ms) => (ms === spikeMs ? 900 : 200 + 50 * Math.sin(ms / 600_000)),
      1000,
    );
    assert.equal(dense.points.length, 86_401);
    const svg = memoryChart(
      chartOf({ series: { workingSet: [dense], rss: [dense] }, endMs: START_MS + 24 * HOUR_MS }),
    );
    for (const className of ["working-set", "rss"]) {
      const points = subpaths(elements(svg, "path", className)[0]?.d ?? "").flat();
      assert.ok(points.length <= 600 && points.length > 200, `${className}: ${points.length} points`);
    }
    const highest = Math.min(
      ...subpaths(elements(svg, "path", "working-set")[0]?.d ?? "")
        .flat()
        .map(([, y]) => y),
    );
    const zero = gridlineY(svg, "0 B");
    const expected = zero - (900 / 1024) * (zero - gridlineY(svg, "1 GiB"));
    assert.ok(
      Math.abs(highest - expected) < 0.1,
      `the one-second spike to 900 MiB is drawn: ${highest} vs ${expected}`,
    );
  });

  it("when samples stop for more than three steps, then the line breaks there, and not for a shorter pause", () => {
    const withPause = (pauseMinutes: number) => ({
      labels: { pod: "web-1", container: "app" },
      points: series("web-1", "app", START_MS, START_MS + 4 * HOUR_MS, () => 300).points.filter(
        ([ms]) => ms <= START_MS + HOUR_MS || ms >= START_MS + HOUR_MS + pauseMinutes * MINUTE_MS,
      ),
    });
    const runs = (pauseMinutes: number) =>
      subpaths(
        elements(
          memoryChart(chartOf({ series: { workingSet: [withPause(pauseMinutes)], rss: [] } })),
          "path",
        )[0]?.d ?? "",
      ).length;
    assert.equal(runs(10), 2, "a ten-minute hole in one-minute samples");
    assert.equal(runs(3), 1, "three steps is still a line");
  });

  it("when no sample falls in the span, then the card says there is no data, with the span on the reader's clock", () => {
    const outside = series("web-1", "app", START_MS - 5 * HOUR_MS, START_MS - HOUR_MS, () => 300);
    for (const workingSet of [[], [outside], [{ labels: {}, points: [] }]]) {
      const svg = memoryChart(
        chartOf({ series: { workingSet, rss: [] }, limitBytes: 1000 * MIB, tz: "Asia/Shanghai" }),
      );
      assert.match(svg, /class="no-data"[^>]*>no memory samples</);
      assert.match(svg, /07-11 18:00 – 07-11 22:00 Asia\/Shanghai/);
      assert.equal(elements(svg, "path").length, 0);
    }
  });

  it("when there are many container instances, then the legend names six at most, the last slot counting the rest", () => {
    const pods = ["a1b2c", "d3e4f", "g5h6i", "j7k8l", "m9n0o", "p1q2r", "s3t4u", "v5w6x"];
    const workingSet = pods.map((pod, index) =>
      series(
        `web-7d4b9c8f6-${pod}`,
        "app",
        START_MS + index * MINUTE_MS,
        START_MS + HOUR_MS,
        () => 100 + index,
      ),
    );
    const svg = memoryChart(chartOf({ series: { workingSet, rss: [] } }));
    assert.equal(elements(svg, "line", "legend").length, 5);
    assert.match(svg, />…a1b2c · app</, "the pods' shared replica-set prefix left out");
    assert.match(svg, />…m9n0o · app</);
    assert.doesNotMatch(svg, />…p1q2r · app</);
    assert.match(svg, />\+3 more</);
    assert.equal(elements(svg, "path", "working-set").length, 8, "every instance is still drawn");
  });

  it("when an instance restarts, then its series share one colour and one legend entry, its RSS dashed in the same colour", () => {
    const { series: all } = realisticCase();
    const svg = memoryChart(realisticCase());
    const strokeOf = (className: string) => elements(svg, "path", className).map((path) => path.stroke);
    assert.deepEqual(strokeOf("rss"), strokeOf("working-set"));
    const apiStrokes = new Set(
      all.workingSet
        .map((line, index) => ({ line, stroke: strokeOf("working-set")[index] }))
        .filter(
          ({ line }) => line.labels.pod === "checkout-7d4b9c8f6-x2x9z" && line.labels.container === "api",
        )
        .map(({ stroke }) => stroke),
    );
    assert.equal(apiStrokes.size, 1, "three series of the same container, one colour");
    assert.equal(
      elements(svg, "line", "legend").length,
      4,
      "four instances: two pods' api, a replaced pod's, a sidecar",
    );
    assert.ok(elements(svg, "path", "rss").every((path) => path["stroke-dasharray"] === "6 4"));
  });

  it("when drawn, then every word is dark enough to read on the card", () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((at) => {
        const channel = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
        return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const svg = memoryChart(realisticCase());
    const fills = new Set(elements(svg, "text").map((text) => text.fill ?? ""));
    for (const fill of fills) {
      const contrast = (luminance(INK.card) + 0.05) / (luminance(fill) + 0.05);
      assert.ok(contrast >= 4.5, `text in ${fill}: ${contrast.toFixed(2)}:1`);
    }
  });

  it("when rendered, then it is a PNG of the SVG's size", () => {
    const png = svgToPng(memoryChart(realisticCase()));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString("ascii", 12, 16), "IHDR");
    assert.equal(png.readUInt32BE(16), 900);
    assert.equal(png.readUInt32BE(20), 480);
    assert.ok(png.length > 20_000, `a picture with content, not a blank: ${png.length} bytes`);
  });

  it("when shown on Slack's dark theme, then everything inside the card looks as it does on the light one", () => {
    const svg = memoryChart(realisticCase());
    const on = (background: string) =>
      new Resvg(svg, { background, font: { loadSystemFonts: true } }).render().pixels;
    const light = on("#ffffff");
    const dark = on("#1a1d21");
    const width = 900;
    const height = 480;
    const radius = 12;
    const inCorner = (x: number, y: number) =>
      (x < radius || x >= width - radius) && (y < radius || y >= height - radius);
    let differing = 0;
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      if (light.readUInt32BE(pixel * 4) === dark.readUInt32BE(pixel * 4)) continue;
      differing += 1;
      const [x, y] = [pixel % width, Math.floor(pixel / width)];
      assert.ok(inCorner(x, y), `the card lets the dark background through at (${x}, ${y})`);
    }
    assert.ok(differing > 0, "the corners are rounded off, so the two renderings do differ there");
  });
});
