// The picture of a workload's memory in the hours before its kills, as SVG, on the pictures' shared
// light card (src/digest/svg.ts): the working set (solid) and RSS (dashed) of each container instance,
// the limit and the request, and each kill with the resident figure the kernel printed. Its only words
// are names, times, byte figures and a short key in English: the title, in the reader's language, is
// the file's title in Slack, so no CJK font is needed where it is rendered. Pure.

import { formatQuantity } from "../analysis/quantity.js";
import { INK, OKABE_ITO, svgCard, xmlText } from "../digest/svg.js";
import { byteLabel, byteTicks, clockLabel, dateLabel, timeTicks } from "./chart-axes.js";
import { lineRuns, type Point } from "./chart-lines.js";
import type { Series } from "./model.js";

export interface MemoryChartInput {
  /** One series per container instance (pod + container); restarts and replaced pods are separate. */
  series: { workingSet: Series[]; rss: Series[] };
  limitBytes: number | null;
  requestBytes: number | null;
  /** Each kill, with the resident memory the kernel reported for the victim, when it did. */
  kills: Array<{ atMs: number; residentBytes: number | null }>;
  startMs: number;
  endMs: number;
  /** The IANA zone the time axis reads in. */
  tz: string;
}

const WIDTH = 900;
const HEIGHT = 480;
const PLOT = { left: 84, top: 40, right: WIDTH - 28, bottom: 330 };
const PLOT_WIDTH = PLOT.right - PLOT.left;
const PLOT_HEIGHT = PLOT.bottom - PLOT.top;
/** Slices of the span each line is thinned to: two samples each, more than the plot has pixels for. */
const BUCKETS = 300;
/** Room above the highest figure, so that a peak at the limit does not touch the frame. */
const HEADROOM = 1.05;
// The ones readable as 2-pixel lines on white first; vermillion is kept for the limit and the kills.
const COLOURS = [
  OKABE_ITO.blue,
  OKABE_ITO.green,
  OKABE_ITO.purple,
  OKABE_ITO.black,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
];
const KILL = OKABE_ITO.vermillion;
/** Dotted, so that the request never reads as an RSS line. */
const REQUEST_DOTS = "1.5 3";
const LEGEND_SLOTS = 6;
const LEGEND_NAME_MAX = 36;
/** A white outline under labels that sit on lines. */
const HALO = `paint-order="stroke" stroke="${INK.card}" stroke-width="3" stroke-linejoin="round"`;

const px = (value: number) => value.toFixed(1);

interface Instance {
  pod: string;
  container: string;
  colour: string;
}

const instanceKey = (series: Series) => `${series.labels.pod ?? ""}\u0000${series.labels.container ?? ""}`;

/** The picture as SVG; with no sample within the span, a card that says so. */
export function memoryChart(input: MemoryChartInput): string {
  const { startMs, endMs } = input;
  const inSpan = (ms: number) => ms >= startMs && ms <= endMs;
  const thinned = (series: Series) => ({ series, runs: lineRuns(series.points, startMs, endMs, BUCKETS) });
  const workingSet = input.series.workingSet.map(thinned).filter((line) => line.runs.length > 0);
  const rss = input.series.rss.map(thinned).filter((line) => line.runs.length > 0);
  if (endMs <= startMs || workingSet.length + rss.length === 0) return noDataCard(input);

  const instances = instancesOf([...workingSet, ...rss]);
  const kills = input.kills.filter((kill) => inSpan(kill.atMs));
  const highest = [...workingSet, ...rss]
    .flatMap((line) => line.runs.flat().map((point) => point[1]))
    .concat(kills.map((kill) => kill.residentBytes ?? 0))
    .reduce((max, value) => Math.max(max, value), Math.max(input.limitBytes ?? 0, input.requestBytes ?? 0));
  const bytes = byteTicks(highest * HEADROOM);
  const x = (ms: number) => PLOT.left + ((ms - startMs) / (endMs - startMs)) * PLOT_WIDTH;
  const y = (value: number) => PLOT.bottom - (value / bytes.top) * PLOT_HEIGHT;
  const path = (runs: Point[][]) =>
    runs
      .map(([first, ...rest]) =>
        first === undefined
          ? ""
          : rest.length === 0
            ? `M${px(x(first[0]))} ${px(y(first[1]))}h1` // a lone sample between gaps: a dot, not nothing
            : `M${px(x(first[0]))} ${px(y(first[1]))}${rest.map(([ms, value]) => `L${px(x(ms))} ${px(y(value))}`).join("")}`,
      )
      .join("");
  const colourOf = (series: Series) => instances.get(instanceKey(series))?.colour ?? INK.text;

  const parts = svgCard(WIDTH, HEIGHT);
  parts.push(
    `<rect class="plot" x="${PLOT.left}" y="${PLOT.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="${INK.border}"/>`,
  );
  for (let value = 0; value <= bytes.top; value += bytes.every) {
    parts.push(
      `<line class="gridline" x1="${PLOT.left}" x2="${PLOT.right}" y1="${px(y(value))}" y2="${px(y(value))}" stroke="${INK.border}"/>`,
      `<text x="${PLOT.left - 8}" y="${px(y(value) + 4)}" font-size="12" text-anchor="end" fill="${INK.muted}">${byteLabel(value)}</text>`,
    );
  }
  parts.push(...timeAxis(input, x));
  parts.push(...sizeLine("request", input.requestBytes, y, INK.muted, REQUEST_DOTS, input.limitBytes));
  parts.push(...sizeLine("limit", input.limitBytes, y, KILL, null, null));
  for (const line of rss) {
    parts.push(
      `<path class="rss" d="${path(line.runs)}" fill="none" stroke="${colourOf(line.series)}" stroke-width="1.5" stroke-dasharray="6 4" stroke-linejoin="round"/>`,
    );
  }
  for (const line of workingSet) {
    parts.push(
      `<path class="working-set" d="${path(line.runs)}" fill="none" stroke="${colourOf(line.series)}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  parts.push(...killMarkers(kills, input.tz, x, y));
  parts.push(...legend([...instances.values()]));
  parts.push("</svg>");
  return parts.join("\n");
}

/** Each pod + container once, in the order they first appear, with its colour. */
function instancesOf(lines: Array<{ series: Series; runs: Point[][] }>): Map<string, Instance> {
  const firstSample = new Map<string, { series: Series; ms: number }>();
  for (const { series, runs } of lines) {
    const key = instanceKey(series);
    const ms = runs[0]?.[0]?.[0] ?? Number.POSITIVE_INFINITY;
    const known = firstSample.get(key);
    if (!known || ms < known.ms) firstSample.set(key, { series, ms });
  }
  const ordered = [...firstSample.entries()].sort(
    ([keyA, a], [keyB, b]) => a.ms - b.ms || (keyA < keyB ? -1 : 1),
  );
  return new Map(
    ordered.map(([key, { series }], index) => [
      key,
      {
        pod: series.labels.pod ?? "",
        container: series.labels.container ?? "",
        colour: COLOURS[index % COLOURS.length] ?? INK.text,
      },
    ]),
  );
}

function timeAxis(input: MemoryChartInput, x: (ms: number) => number): string[] {
  const parts: string[] = [];
  for (const tick of timeTicks(input.startMs, input.endMs, input.tz)) {
    const at = px(x(tick.ms));
    parts.push(
      tick.dayStart
        ? `<line class="day" x1="${at}" x2="${at}" y1="${PLOT.top}" y2="${PLOT.bottom + 5}" stroke="${INK.muted}" stroke-dasharray="2 3"/>`
        : `<line x1="${at}" x2="${at}" y1="${PLOT.bottom}" y2="${PLOT.bottom + 5}" stroke="${INK.muted}"/>`,
      `<text x="${at}" y="${PLOT.bottom + 19}" font-size="12" text-anchor="middle" fill="${tick.dayStart ? INK.text : INK.muted}"${tick.dayStart ? ' font-weight="bold"' : ""}>${tick.label}</text>`,
    );
  }
  // Which day the span starts on, and on whose clock.
  parts.push(
    `<text x="${PLOT.left}" y="${PLOT.bottom + 37}" font-size="11" fill="${INK.muted}">${dateLabel(input.startMs, input.tz)}</text>`,
    `<text x="${PLOT.right}" y="${PLOT.bottom + 37}" font-size="11" text-anchor="end" fill="${INK.muted}">${xmlText(input.tz)}</text>`,
  );
  return parts;
}

/**
 * The limit or the request across the plot, labelled with its quantity at the right end; the label is
 * in ink, since 12-pixel text needs more contrast than a line.
 */
function sizeLine(
  name: "limit" | "request",
  bytes: number | null,
  y: (value: number) => number,
  colour: string,
  dashes: string | null,
  limitAbove: number | null,
): string[] {
  if (bytes === null) return [];
  const at = y(bytes);
  // A request close under the limit takes its label below its line, clear of the limit's.
  const below = limitAbove !== null && limitAbove >= bytes && Math.abs(y(limitAbove) - at) < 16;
  return [
    `<line class="${name}" x1="${PLOT.left}" x2="${PLOT.right}" y1="${px(at)}" y2="${px(at)}" stroke="${colour}" stroke-width="1.5"${dashes ? ` stroke-dasharray="${dashes}"` : ""}/>`,
    `<text x="${PLOT.right - 6}" y="${px(below ? at + 15 : at - 5)}" font-size="12" text-anchor="end" fill="${INK.text}" ${HALO}>${name} ${formatQuantity(bytes)}</text>`,
  ];
}

/** A vertical line at each kill, its time above the plot, and the kernel's resident figure as a dot. */
function killMarkers(
  kills: MemoryChartInput["kills"],
  tz: string,
  x: (ms: number) => number,
  y: (value: number) => number,
): string[] {
  const parts: string[] = [];
  let lastLabelX = Number.NEGATIVE_INFINITY;
  for (const kill of [...kills].sort((a, b) => a.atMs - b.atMs)) {
    const at = x(kill.atMs);
    parts.push(
      `<line class="kill" x1="${px(at)}" x2="${px(at)}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="${KILL}" stroke-width="1.5" stroke-dasharray="3 3"/>`,
    );
    if (kill.residentBytes !== null) {
      parts.push(
        `<circle class="resident" cx="${px(at)}" cy="${px(y(kill.residentBytes))}" r="5" fill="${KILL}" stroke="${INK.card}" stroke-width="1.5"/>`,
      );
    }
    // Kills closer than a label's width share the first one's label.
    if (at - lastLabelX >= 40) {
      parts.push(
        `<text x="${px(at)}" y="${PLOT.top - 8}" font-size="11" text-anchor="middle" fill="${INK.text}">${clockLabel(kill.atMs, tz)}</text>`,
      );
      lastLabelX = at;
    }
  }
  return parts;
}

/** What each stroke means, then the container instances: at most six slots, the last "+N more". */
function legend(instances: Instance[]): string[] {
  const keyY = PLOT.bottom + 62;
  const sample = (at: number, line: string, label: string) => [
    line,
    `<text x="${at + 30}" y="${keyY + 4}" font-size="12" fill="${INK.text}">${label}</text>`,
  ];
  // A stroke as the plot draws it, 24 pixels of it, and what it means.
  const stroke = (at: number, colour: string, width: number, dash: string | null, label: string) =>
    sample(
      at,
      `<line x1="${at}" x2="${at + 24}" y1="${keyY}" y2="${keyY}" stroke="${colour}" stroke-width="${width}"${dash === null ? "" : ` stroke-dasharray="${dash}"`}/>`,
      label,
    );
  const parts = [
    ...stroke(PLOT.left, INK.muted, 2, null, "working set"),
    ...stroke(PLOT.left + 140, INK.muted, 1.5, "6 4", "RSS"),
    ...stroke(PLOT.left + 230, KILL, 1.5, null, "limit"),
    ...stroke(PLOT.left + 320, INK.muted, 1.5, REQUEST_DOTS, "request"),
    ...sample(
      PLOT.left + 430,
      `<line x1="${PLOT.left + 442}" x2="${PLOT.left + 442}" y1="${keyY - 9}" y2="${keyY + 9}" stroke="${KILL}" stroke-width="1.5" stroke-dasharray="3 3"/><circle cx="${PLOT.left + 442}" cy="${keyY}" r="5" fill="${KILL}" stroke="${INK.card}" stroke-width="1.5"/>`,
      "OOM kill, resident memory",
    ),
  ];
  const shown = instances.length > LEGEND_SLOTS ? instances.slice(0, LEGEND_SLOTS - 1) : instances;
  const names = shortPodNames(instances.map((instance) => instance.pod));
  const slot = (index: number) => ({
    x: PLOT.left + (index % 3) * (PLOT_WIDTH / 3),
    y: keyY + 26 + Math.floor(index / 3) * 22,
  });
  shown.forEach((instance, index) => {
    const at = slot(index);
    const name = [names.get(instance.pod) ?? instance.pod, instance.container].filter(Boolean).join(" · ");
    parts.push(
      `<line class="legend" x1="${px(at.x)}" x2="${px(at.x + 24)}" y1="${at.y}" y2="${at.y}" stroke="${instance.colour}" stroke-width="3"/>`,
      `<text x="${px(at.x + 30)}" y="${at.y + 4}" font-size="12" fill="${INK.text}">${xmlText(middleEllipsis(name, LEGEND_NAME_MAX))}</text>`,
    );
  });
  if (shown.length < instances.length) {
    const at = slot(shown.length);
    parts.push(
      `<text x="${px(at.x + 30)}" y="${at.y + 4}" font-size="12" fill="${INK.muted}">+${instances.length - shown.length} more</text>`,
    );
  }
  return parts;
}

/**
 * Pods of one workload share their name up to the replica set's hash: the title names the workload, so
 * the legend keeps what tells the pods apart (`web-7d4b9c8f6-x2x9z` and `web-7d4b9c8f6-k8s2p` become
 * `…x2x9z` and `…k8s2p`).
 */
function shortPodNames(pods: string[]): Map<string, string> {
  const distinct = [...new Set(pods)];
  const words = distinct.map((pod) => pod.split("-"));
  const first = words[0] ?? [];
  let shared = 0;
  while (
    distinct.length > 1 &&
    words.every((parts) => parts.length > shared + 1 && parts[shared] === first[shared])
  ) {
    shared += 1;
  }
  return new Map(
    distinct.map((pod, index) => [
      pod,
      shared > 0 ? `…${(words[index] ?? []).slice(shared).join("-")}` : pod,
    ]),
  );
}

const middleEllipsis = (text: string, max: number) =>
  text.length <= max
    ? text
    : `${text.slice(0, Math.ceil((max - 1) / 2))}…${text.slice(-Math.floor((max - 1) / 2))}`;

function noDataCard(input: MemoryChartInput): string {
  const when = (ms: number) => `${dateLabel(ms, input.tz)} ${clockLabel(ms, input.tz)}`;
  const middle = PLOT.left + PLOT_WIDTH / 2;
  return [
    ...svgCard(WIDTH, HEIGHT),
    `<rect class="plot" x="${PLOT.left}" y="${PLOT.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="${INK.border}" stroke-dasharray="4 4"/>`,
    `<text class="no-data" x="${middle}" y="${(PLOT.top + PLOT.bottom) / 2}" font-size="18" text-anchor="middle" fill="${INK.text}">no memory samples</text>`,
    `<text x="${middle}" y="${(PLOT.top + PLOT.bottom) / 2 + 26}" font-size="13" text-anchor="middle" fill="${INK.muted}">${when(input.startMs)} – ${when(input.endMs)} ${xmlText(input.tz)}</text>`,
    "</svg>",
  ].join("\n");
}
