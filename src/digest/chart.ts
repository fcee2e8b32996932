// The digest's picture: restarts per workload per day over the last seven days, as SVG, on the
// pictures' shared card (./svg.ts). Its only words are the workloads' names and the dates: the title,
// in the reader's language, is the file's title in Slack, so no CJK font is needed where it is
// rendered. Pure.

import type { DigestModel } from "./summary.js";
import { INK, OKABE_ITO, svgCard, xmlText } from "./svg.js";

const WIDTH = 800;
const HEIGHT = 420;
const MARGIN = { top: 24, right: 24, bottom: 110, left: 56 };
const COLOURS = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.orange];

/** A round upper bound for the axis: 1, 2, 5, 10, 20, 50... */
function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? value;
}

export function restartChart(model: DigestModel, dayLabels: string[]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const series = model.series;
  const max = niceMax(Math.max(0, ...series.flatMap((line) => line.perDay)));
  const groupWidth = plotWidth / 7;
  const barWidth = (groupWidth * 0.8) / Math.max(1, series.length);
  const y = (value: number) => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const parts: string[] = svgCard(WIDTH, HEIGHT);
  for (const tick of [0, max / 2, max]) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="${INK.border}"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(tick) + 4}" font-size="12" text-anchor="end" fill="${INK.muted}">${Number.isInteger(tick) ? tick : tick.toFixed(1)}</text>`,
    );
  }
  dayLabels.forEach((day, index) => {
    const x = MARGIN.left + index * groupWidth + groupWidth / 2;
    parts.push(
      `<text x="${x}" y="${MARGIN.top + plotHeight + 18}" font-size="12" text-anchor="middle" fill="${INK.muted}">${xmlText(day)}</text>`,
    );
  });
  series.forEach((line, lineIndex) => {
    const colour = COLOURS[lineIndex % COLOURS.length];
    line.perDay.forEach((value, day) => {
      if (value === 0) return;
      const x = MARGIN.left + day * groupWidth + groupWidth * 0.1 + lineIndex * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(MARGIN.top + plotHeight - y(value)).toFixed(1)}" fill="${colour}"><title>${xmlText(line.workload)}: ${value}</title></rect>`,
      );
    });
    const legendY = HEIGHT - MARGIN.bottom + 44 + Math.floor(lineIndex / 2) * 20;
    const legendX = MARGIN.left + (lineIndex % 2) * (plotWidth / 2);
    parts.push(
      `<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${legendX + 18}" y="${legendY}" font-size="12" fill="${INK.text}">${xmlText(line.workload)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
