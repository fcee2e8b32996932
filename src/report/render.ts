import { renderJson } from "./json.js";
import { renderMarkdown } from "./markdown.js";
import type { Report } from "./model.js";
import { renderText, type TextOptions } from "./text.js";

export type OutputFormat = "text" | "markdown" | "json";

export function render(report: Report, format: OutputFormat, options: TextOptions): string {
  if (format === "json") return renderJson(report);
  if (format === "markdown") return renderMarkdown(report);
  return renderText(report, options);
}
