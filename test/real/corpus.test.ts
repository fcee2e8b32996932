// Genuine oom-killer reports from public bug trackers, mailing lists, vendor docs and other projects'
// test data (fixtures/real/*/source.md says where each comes from). Each case's expected.json was
// written by reading the log; here every OOM invocation's fields and verdict are compared.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../harness/cli.js";
import { fixturePath } from "../harness/fixtures.js";

interface ExpectedEvent extends Record<string, unknown> {
  invoker: string | null;
  killedPids: number[];
}

interface ExpectedCase {
  args: string[];
  kernelEvents: ExpectedEvent[];
}

interface ReportedEvent extends Record<string, unknown> {
  invoker: { comm: string } | null;
  killed: Array<{ pid: number }>;
}

const CORPUS = fixturePath("real");
const PATH_OPTIONS = new Set(["--journal", "--pods"]);

/** The case's arguments with its file names made relative to the case folder. */
function caseArgs(dir: string, args: string[]): string[] {
  return args.map((arg, index) => {
    if (!PATH_OPTIONS.has(args[index - 1] ?? "")) return arg;
    const equals = arg.indexOf("=");
    return equals < 0 ? join(dir, arg) : `${arg.slice(0, equals + 1)}${join(dir, arg.slice(equals + 1))}`;
  });
}

/** The reported event in the expected file's terms: the invoker's comm and the killed pids. */
function comparable(event: ReportedEvent): Record<string, unknown> {
  return { ...event, invoker: event.invoker?.comm ?? null, killedPids: event.killed.map((k) => k.pid) };
}

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe("real-world kernel OOM reports", () => {
  it("when the corpus is listed, then it holds at least 30 cases", () => {
    assert.ok(cases.length >= 30, `${cases.length} cases`);
  });

  for (const name of cases) {
    it(`when ${name} is analysed, then every report is read right, field by field`, async () => {
      const dir = join(CORPUS, name);
      const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as ExpectedCase;
      const run = await runCli(["analyze", ...caseArgs(dir, expected.args), "--format", "json"]);
      assert.equal(run.code, 0, run.stderr);
      const reported = (JSON.parse(run.stdout).kernelEvents as ReportedEvent[]).map(comparable);
      const summary = (events: Array<Record<string, unknown>>) =>
        events.map((event) => `${String(event.verdict)} ${JSON.stringify(event.killedPids)}`).join("; ");
      assert.equal(
        reported.length,
        expected.kernelEvents.length,
        `reports: got ${summary(reported)}, expected ${summary(expected.kernelEvents)}`,
      );
      expected.kernelEvents.forEach((want, index) => {
        const got = reported[index] ?? {};
        for (const [field, value] of Object.entries(want))
          assert.deepEqual(got[field], value, `report ${index + 1}, ${field}`);
      });
    });
  }
});
