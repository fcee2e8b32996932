// `npm run bench:parse`: parses ~100 MB of generated journal (half JSON lines, half short text) and
// compares with `grep -c 'Killed process'` over the same files in the same run.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJournal } from "./journal-generator.js";

const TOTAL_MB = Number(process.env.BENCH_PARSE_MB ?? 100);
const dir = mkdtempSync(join(tmpdir(), "oom-doctor-bench-"));

function timed<T>(run: () => T): { seconds: number; value: T } {
  const started = process.hrtime.bigint();
  const value = run();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** dmesg lines, 200 KB each, made of what each kernel-line pattern scans for: no line is a report. */
function hostileLines(bytes: number): string {
  const run = 200_000;
  const shapes = [
    `Memory cgroup stats for /a: ${"a".repeat(run)}`,
    `oom-kill:constraint=CONSTRAINT_NONE,${"task=".repeat(run / 5)}`,
    `CPU: 0 PID: 1 Comm: x Not tainted ${"1.1-".repeat(run / 4)}`,
    `active_anon:1 ${"b".repeat(run)}`,
    `Killed process 1 (${")".repeat(run)}`,
    `x invoked oom-killer: gfp_mask=0x0, nodemask=${",".repeat(run)}`,
    `Task in /${"a".repeat(run)}`,
    `[ 1] ${" 1".repeat(run / 2)}`,
  ];
  const lines: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const line = `[    1.000000] ${shapes[i % shapes.length]}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

try {
  // Two halves, each a JSON journal and a text journal: the first half alone shows whether memory stays flat.
  const files = ["a.json", "a.txt", "b.json", "b.txt"].map((name) => join(dir, name));
  const quarter = (TOTAL_MB * 1024 * 1024) / 4;
  const generated = [];
  for (const file of files)
    generated.push(await generateJournal(file, file.endsWith(".json") ? "json" : "text", quarter));
  const reports = generated.reduce((sum, part) => sum + part.reports, 0);
  const megabytes = generated.reduce((sum, part) => sum + part.bytes, 0) / 1024 / 1024;
  process.stderr.write(`generated ${megabytes.toFixed(1)} MB with ${reports} OOM reports\n`);

  const runParser = (paths: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, [join(import.meta.dirname, "parse-files.mjs"), ...paths], {
        encoding: "utf8",
      }),
    ) as {
      seconds: number;
      events: number;
      peakRssMb: number;
    };
  const runs = 3;
  const parseRuns: Array<ReturnType<typeof runParser>> = [];
  const grepSeconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    grepSeconds.push(
      timed(() => execFileSync("grep", ["-c", "Killed process", ...files], { encoding: "utf8" })).seconds,
    );
    parseRuns.push(runParser(files));
  }
  // Hostile kernel lines (200 KB runs of what each pattern scans) must cost no more per MB than the journal.
  const hostile = join(dir, "hostile.txt");
  writeFileSync(hostile, hostileLines(Math.round(16 * 1024 * 1024)));
  const hostileMb = statSync(hostile).size / 1024 / 1024;
  const hostileSeconds = median([0, 1, 2].map(() => runParser([hostile]).seconds));
  // Flat memory: half the input should need about the same peak as all of it.
  const halfRss = runParser(files.slice(0, 2)).peakRssMb;
  const parseSeconds = median(parseRuns.map((run) => run.seconds));
  const events = parseRuns[0]?.events ?? 0;
  if (events !== reports) throw new Error(`parsed ${events} events, generated ${reports}`);
  const result = {
    mbPerSecond: Number((megabytes / parseSeconds).toFixed(1)),
    eventsPerSecond: Math.round(events / parseSeconds),
    ratioToGrep: Number((parseSeconds / median(grepSeconds)).toFixed(2)),
    peakRssMb: Number(Math.max(...parseRuns.map((run) => run.peakRssMb)).toFixed(1)),
    hostileMbPerSecond: Number((hostileMb / hostileSeconds).toFixed(1)),
  };
  process.stdout.write(
    `parse: ${result.mbPerSecond} MB/s, ${result.eventsPerSecond} events/s (${events} reports)\n` +
      `peak RSS: ${halfRss.toFixed(1)} MB for the first ${(megabytes / 2).toFixed(0)} MB, ${result.peakRssMb} MB for all ${megabytes.toFixed(0)} MB\n` +
      `grep -c 'Killed process': ${median(grepSeconds).toFixed(3)} s; parsing takes ${result.ratioToGrep}x grep's time (medians of ${runs})\n` +
      `hostile 200 KB kernel lines: ${result.hostileMbPerSecond} MB/s, ${(result.mbPerSecond / result.hostileMbPerSecond).toFixed(2)}x the journal's time per MB\n` +
      `${JSON.stringify(result)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
