// The task table of a kernel OOM report, folded: rows of processes the reader may see stay as they
// are; the others become one entry, after the table's last row, saying how many processes and how
// much resident memory they held.
// Works on the report's lines as printed, so the excerpt keeps its shape.

import { readKernelLine } from "./kernel-facts.js";
import { PAGE_BYTES, type TaskRow, tableRow } from "./oom-event.js";

export interface FoldedTasks {
  count: number;
  residentBytes: number;
}

export type ExcerptLine = { kind: "line"; text: string } | { kind: "folded"; tasks: FoldedTasks };

/** rss, or on kernels that split it, anon + file + shmem; 0 when the row was cut. */
function residentBytes(row: TaskRow | null): number {
  if (row === null) return 0;
  const pages = row.rssPages ?? (row.rssAnonPages ?? 0) + (row.rssFilePages ?? 0) + (row.rssShmemPages ?? 0);
  return pages * PAGE_BYTES;
}

/** The lines with the task-table rows whose pid `shown` refuses folded into one entry at the table's end. */
export function foldTaskRows(lines: string[], shown: (pid: number) => boolean): ExcerptLine[] {
  const out: ExcerptLine[] = [];
  let columns: string[] = [];
  let folded: FoldedTasks | null = null;
  const flush = () => {
    if (folded) out.push({ kind: "folded", tasks: folded });
    folded = null;
  };
  for (const text of lines) {
    // A pager's cut mark (a trailing ">") is not part of the row.
    const fact = readKernelLine(text.replace(/>$/, ""), false, false);
    if (fact?.kind === "table-row") {
      if (shown(fact.pid)) {
        out.push({ kind: "line", text });
        continue;
      }
      folded ??= { count: 0, residentBytes: 0 };
      folded.count += 1;
      folded.residentBytes += residentBytes(tableRow(fact.pid, fact.rest, columns));
      continue;
    }
    flush();
    if (fact?.kind === "table-header") columns = fact.columns;
    out.push({ kind: "line", text });
  }
  flush();
  return out;
}
