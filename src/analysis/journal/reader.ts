// Streams any supported journal form into LogRecords: detects the form from the first bytes, then feeds
// lines to the matching parser. Pure: the caller does the reading.

import { concatBytes } from "./bytes.js";
import { ExportParser } from "./export-form.js";
import { parseJsonLine } from "./json.js";
import type { LogRecord } from "./record.js";
import { parseTextLine } from "./text.js";

export type JournalForm = "json" | "export" | "text";

export interface ReaderStats {
  form: JournalForm | null;
  lines: number;
  /** Lines longer than the cap: kept only up to it. */
  overlongLines: number;
  linesCutByPager: number;
}

/** The longest line kept whole; kernel lines are far shorter, so longer ones are garbage or attacks. */
export const MAX_LINE_CHARS = 64 * 1024;
// Journal continuation lines are indented to the message column; a hard wrap leaves little or none.
const MULTILINE_INDENT = /^ {8,}|^\t/;
const EXPORT_START = /^(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_?[A-Z][A-Z0-9_]*)=/;

export class JournalReader {
  readonly stats: ReaderStats = { form: null, lines: 0, overlongLines: 0, linesCutByPager: 0 };
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private exportParser: ExportParser | null = null;
  private pending = "";
  private skippingOverlong = false;
  private sniffed: Uint8Array = new Uint8Array(0);
  /** The last text record, held back because the next line may continue it. */
  private held: { record: LogRecord; prefixed: boolean } | null = null;

  push(chunk: Uint8Array): LogRecord[] {
    if (this.stats.form === null) {
      this.sniffed = concatBytes(this.sniffed, chunk);
      const form = detectForm(this.sniffed);
      if (form === null) return [];
      this.stats.form = form;
      chunk = this.sniffed;
      this.sniffed = new Uint8Array(0);
    }
    if (this.stats.form === "export") {
      this.exportParser ??= new ExportParser();
      return this.count(this.exportParser.push(chunk));
    }
    return this.pushText(this.decoder.decode(chunk, { stream: true }));
  }

  end(): LogRecord[] {
    if (this.stats.form === null) {
      if (this.sniffed.length === 0) return [];
      this.stats.form = detectForm(this.sniffed, true) ?? "text";
      const sniffed = this.sniffed;
      this.sniffed = new Uint8Array(0);
      return [...this.push(sniffed), ...this.end()];
    }
    if (this.stats.form === "export") return this.count(this.exportParser?.end() ?? []);
    const out = this.pushText(`${this.decoder.decode()}\n`);
    if (this.held) out.push(this.held.record);
    this.held = null;
    return this.count(out);
  }

  private count(records: LogRecord[]): LogRecord[] {
    for (const record of records) if (record.cutByPager) this.stats.linesCutByPager++;
    return records;
  }

  private pushText(text: string): LogRecord[] {
    const out: LogRecord[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline < 0) break;
      const piece = text.slice(start, newline);
      start = newline + 1;
      if (this.skippingOverlong) {
        this.skippingOverlong = false;
        this.pending = "";
        continue;
      }
      const line = this.pending.length > 0 ? this.pending + piece : piece;
      this.pending = "";
      if (line.length > MAX_LINE_CHARS) this.stats.overlongLines++;
      for (const record of this.line(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line)) {
        out.push(record);
      }
    }
    if (!this.skippingOverlong) {
      this.pending += text.slice(start);
      if (this.pending.length > MAX_LINE_CHARS) {
        this.stats.overlongLines++;
        out.push(...this.line(this.pending.slice(0, MAX_LINE_CHARS)));
        this.pending = "";
        this.skippingOverlong = true;
      }
    }
    return this.count(out);
  }

  private line(line: string): LogRecord[] {
    this.stats.lines++;
    if (this.stats.form === "json") return line.length === 0 ? [] : parseJsonLine(line);
    if (line.trim().length === 0) return [];
    const out: LogRecord[] = [];
    // A JSON entry among text lines (a pasted mix, or a JSON journal with a stray first line).
    const json = line.startsWith("{") ? parseJsonLine(line) : [];
    if (json.length > 0) {
      if (this.held) out.push(this.held.record);
      this.held = null;
      out.push(...json);
      return out;
    }
    const parsed = parseTextLine(line);
    if (parsed.kind === "records") {
      const first = parsed.records[0];
      // A `-- Boot --` separator names no host: it belongs to the host around it.
      if (first?.bootMarker) first.host = this.held?.record.host ?? null;
      if (this.held) {
        if (this.held.record.bootMarker) this.held.record.host ??= first?.host ?? null;
        out.push(this.held.record);
      }
      const last = parsed.records.length - 1;
      out.push(...parsed.records.slice(0, last));
      const lastRecord = parsed.records[last];
      this.held = lastRecord ? { record: lastRecord, prefixed: true } : null;
      return out;
    }
    const held = this.held;
    if (held?.prefixed) {
      if (MULTILINE_INDENT.test(parsed.text)) {
        // Another line of a multi-line message: same entry, new line.
        out.push(held.record);
        this.held = {
          record: { ...held.record, message: parsed.text.trim(), cutByPager: false },
          prefixed: true,
        };
      } else {
        // A hard-wrapped paste: the line goes on.
        held.record.message += parsed.text;
      }
      return out;
    }
    if (held) out.push(held.record);
    this.held = {
      record: {
        time: { kind: "none" },
        host: null,
        kernel: true,
        message: parsed.text.trim(),
        cutByPager: false,
        bootId: null,
        bootMarker: false,
      },
      prefixed: false,
    };
    return out;
  }
}

function detectForm(bytes: Uint8Array, atEnd = false): JournalForm | null {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 && !atEnd && bytes.length < 4096) return null;
  const text = new TextDecoder().decode(bytes).trimStart();
  if (text.length === 0 && !atEnd) return null;
  if (text.startsWith("{")) return "json";
  if (EXPORT_START.test(text)) return "export";
  return "text";
}
