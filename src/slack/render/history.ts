// A workload's memory history in its thread reply: the figures, the pattern, and the next kill for a
// leak. Pure.

import { formatBytes } from "../../analysis/quantity.js";
import { perHour } from "../../analysis/recommendation-notes.js";
import type { HistorySummary } from "../../history/model.js";
import type { Messages } from "../i18n/catalog.js";
import { type Block, section } from "./blocks.js";
import { inert } from "./escape.js";

const minute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

function patternText(history: HistorySummary, t: Messages): string {
  const h = t.history;
  const { pattern } = history;
  switch (pattern.pattern) {
    case "leak": {
      const lines = [h.leak(perHour(pattern.slopeBytesPerHour ?? 0), (pattern.rSquared ?? 0).toFixed(2))];
      const next = pattern.prediction;
      if (next)
        lines.push(
          h.nextKill(
            perHour(next.slopeBytesPerHour),
            formatBytes(next.fromBytes),
            minute(next.at),
            Math.round(next.errorMinutes),
          ),
        );
      return lines.join("\n");
    }
    case "spike":
      return h.spike(formatBytes(pattern.largestJumpBytes ?? 0));
    case "undersized":
      return h.undersized(Math.round((pattern.nearLimitShare ?? 0) * 100));
    default:
      return h.unknown;
  }
}

export function historyBlock(history: HistorySummary, t: Messages): Block {
  const h = t.history;
  const lines = [h.title];
  const ws = history.workingSet;
  if (ws !== null) {
    const rss = history.rssMax === null ? null : formatBytes(history.rssMax);
    lines.push(
      h.figures(
        history.days,
        formatBytes(ws.p50),
        formatBytes(ws.p90),
        formatBytes(ws.p99),
        formatBytes(ws.max),
        rss,
      ),
    );
    lines.push(patternText(history, t));
  }
  // Problems are the adapter's own words about the query (no node or secret): shown, but inert.
  for (const problem of history.problems) lines.push(h.incomplete(inert(problem)));
  return section(lines.join("\n"));
}
