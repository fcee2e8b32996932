// A finding's memory history in words, for the text and Markdown reports: the figures over the
// history, the pattern with the figures it rests on, the next kill for a leak, and what is missing.

import { formatBytes } from "../analysis/quantity.js";
import { perHour } from "../analysis/recommendation-notes.js";
import type { HistorySummary, PatternFinding } from "../history/model.js";

const at = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** The pattern and what it rests on; for a leak, when the next kill should come. */
export function patternLine(pattern: PatternFinding): string {
  switch (pattern.pattern) {
    case "leak": {
      const growth = `${perHour(pattern.slopeBytesPerHour ?? 0)}, R² ${(pattern.rSquared ?? 0).toFixed(2)}`;
      const next = pattern.prediction;
      return next === null
        ? `leak: working set grows steadily (${growth})`
        : `leak: at ${perHour(next.slopeBytesPerHour)} from ${formatBytes(next.fromBytes)}, the limit is reached around ${at(next.at)}, ±${Math.round(next.errorMinutes)} min (R² ${(pattern.rSquared ?? 0).toFixed(2)})`;
    }
    case "spike":
      return `spike: working set rose ${formatBytes(pattern.largestJumpBytes ?? 0)} within minutes before the kill`;
    case "undersized":
      return `undersized: flat near the limit (${Math.round((pattern.nearLimitShare ?? 0) * 100)}% of samples within 10% of it)`;
    default:
      return "no clear pattern (not a steady climb, a sudden jump or flat at the limit)";
  }
}

export function historyLines(history: HistorySummary): string[] {
  const lines: string[] = [];
  const ws = history.workingSet;
  if (ws !== null)
    lines.push(
      `working set over ${history.days} days: p50 ${formatBytes(ws.p50)}, p90 ${formatBytes(ws.p90)}, p99 ${formatBytes(ws.p99)}, max ${formatBytes(ws.max)}` +
        (history.rssMax === null ? "" : `; RSS max ${formatBytes(history.rssMax)}`),
    );
  if (ws !== null) lines.push(`pattern: ${patternLine(history.pattern)}`);
  for (const problem of history.problems) lines.push(`history incomplete: ${problem}`);
  return lines;
}
