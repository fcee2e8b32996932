// The seed incident's reports, byte for byte. Regenerate after an intended change with
// `npm run test:golden:update` and review the diff.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runCli } from "../harness/cli.js";
import { fixturePath, ROOT } from "../harness/fixtures.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
// Reports name files as they were given: run from the repository root with a relative path, as a user would.
process.chdir(ROOT);

async function checkGolden(format: string, file: string): Promise<void> {
  const run = await runCli(["analyze", "fixtures/seed", "--format", format]);
  assert.equal(run.code, 0, run.stderr);
  const path = fixturePath("seed", "expected", file);
  if (UPDATE) writeFileSync(path, run.stdout);
  assert.equal(run.stdout, readFileSync(path, "utf8"));
}

describe("seed incident reports", () => {
  it("when analysed as text, then the report matches the golden file", () =>
    checkGolden("text", "report.golden.txt"));
  it("when analysed as markdown, then the report matches the golden file", () =>
    checkGolden("markdown", "report.golden.md"));
  it("when analysed as JSON, then the report matches the golden file", () =>
    checkGolden("json", "report.golden.json"));
});
