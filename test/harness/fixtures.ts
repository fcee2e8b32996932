import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParsedJournal, parseJournal } from "../../src/analysis/parse-journal.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function fixturePath(...parts: string[]): string {
  return join(ROOT, "fixtures", ...parts);
}

export function readFixture(...parts: string[]): Buffer {
  return readFileSync(fixturePath(...parts));
}

export function parseFixture(node: string | null, ...parts: string[]): ParsedJournal {
  return parseJournal(readFixture(...parts), node);
}
