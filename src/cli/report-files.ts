// `scan --output FILE`: the report in FILE, and beside it each workload's memory picture, linked from
// the Markdown report.

import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { svgToPng } from "../digest/png.js";
import { fileError, ok, type Result } from "../errors.js";
import { memoryChart } from "../history/chart.js";
import { markdownPicture, pictureFileName } from "../history/markdown-picture.js";
import type { WorkloadPicture } from "../investigate-history.js";

/** The pictures' times are drawn in UTC, as the reports write them. */
const PICTURE_ZONE = "UTC";

export async function writeReport(
  path: string,
  report: string,
  pictures: readonly WorkloadPicture[],
): Promise<Result<string>> {
  const links: string[] = [];
  try {
    for (const picture of pictures) {
      const name = pictureFileName(`${picture.workloadKey}/${picture.container}`);
      await writeFile(
        join(dirname(path), name),
        svgToPng(memoryChart({ ...picture.chart, tz: PICTURE_ZONE })),
      );
      links.push(markdownPicture(`${picture.workloadKey} (${picture.container})`, name));
    }
    const pictured =
      links.length === 0
        ? report
        : `${report.trimEnd()}\n\n## Memory before the kills\n\n${links.join("\n\n")}\n`;
    await writeFile(path, pictured);
  } catch (error) {
    return { ok: false, error: fileError(path, error) };
  }
  const extra =
    links.length === 0 ? "" : ` and ${links.length} picture${links.length === 1 ? "" : "s"} beside it`;
  return ok(`wrote ${path}${extra}`);
}
