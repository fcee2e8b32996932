// `journalctl -o export`: entries of `FIELD=value` lines separated by a blank line; a field whose value
// has a newline or is not text is written as its name, a little-endian 64-bit length and the raw bytes.

import { concatBytes } from "./bytes.js";
import { recordsFromEntry } from "./json.js";
import type { LogRecord } from "./record.js";

const NEWLINE = 0x0a;
const EQUALS = 0x3d;
// A binary field larger than this is not a log message; the entry is skipped rather than buffered.
const MAX_BINARY_FIELD = 16 * 1024 * 1024;

export class ExportParser {
  private buffer: Uint8Array = new Uint8Array(0);
  private fields: Record<string, unknown> = {};
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  push(chunk: Uint8Array): LogRecord[] {
    this.buffer = concatBytes(this.buffer, chunk);
    const out: LogRecord[] = [];
    let position = 0;
    for (;;) {
      const newline = this.buffer.indexOf(NEWLINE, position);
      if (newline < 0) break;
      if (newline === position) {
        out.push(...this.flushEntry());
        position = newline + 1;
        continue;
      }
      const line = this.buffer.subarray(position, newline);
      const equals = line.indexOf(EQUALS);
      if (equals > 0) {
        const name = this.decoder.decode(line.subarray(0, equals));
        this.fields[name] = this.decoder.decode(line.subarray(equals + 1));
        position = newline + 1;
        continue;
      }
      // Binary field: name, newline, 8-byte length, data, newline.
      const lengthAt = newline + 1;
      if (this.buffer.length < lengthAt + 8) break;
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + lengthAt, 8);
      const length = Number(view.getBigUint64(0, true));
      if (length > MAX_BINARY_FIELD) {
        // Not a journal export after all: drop what was read and resynchronise on the next line.
        this.fields = {};
        position = newline + 1;
        continue;
      }
      const dataAt = lengthAt + 8;
      if (this.buffer.length < dataAt + length + 1) break;
      const name = this.decoder.decode(line);
      this.fields[name] = this.decoder.decode(this.buffer.subarray(dataAt, dataAt + length));
      position = dataAt + length + 1;
    }
    this.buffer = this.buffer.slice(position);
    return out;
  }

  end(): LogRecord[] {
    const rest = this.buffer.length > 0 ? this.push(Uint8Array.of(NEWLINE, NEWLINE)) : [];
    return [...rest, ...this.flushEntry()];
  }

  private flushEntry(): LogRecord[] {
    const entry = this.fields;
    this.fields = {};
    return Object.keys(entry).length === 0 ? [] : recordsFromEntry(entry);
  }
}
