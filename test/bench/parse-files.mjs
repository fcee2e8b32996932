// Child process of the parse benchmark: parses the given journals with the built parser, streaming,
// and reports its own figures, so that time and peak RSS are the parser's and nothing else's.

import { createReadStream } from "node:fs";
import { JournalParser } from "../../dist/src/analysis/parse-journal.js";

const started = process.hrtime.bigint();
let events = 0;
let bytes = 0;
for (const path of process.argv.slice(2)) {
  const parser = new JournalParser();
  for await (const chunk of createReadStream(path)) {
    bytes += chunk.length;
    events += parser.push(chunk).length;
  }
  events += parser.end().length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({ seconds, bytes, events, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
