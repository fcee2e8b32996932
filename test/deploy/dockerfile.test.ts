// The image as the Dockerfile describes it (no Docker engine runs here to build it): multi-stage,
// production dependencies only, non-root, tini, no HEALTHCHECK; and the compiled CLI it runs starts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../harness/fixtures.js";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const stages = instructions.reduce<string[][]>((all, line) => {
  if (line.startsWith("FROM ")) all.push([line]);
  else all.at(-1)?.push(line);
  return all;
}, []);
const runtime = stages.at(-1) ?? [];

describe("the Dockerfile", () => {
  it("when read, then a build stage compiles and prunes, and the runtime stage copies only its output", () => {
    assert.equal(stages.length, 2);
    assert.match(stages[0]?.[0] ?? "", /^FROM node:20-\S+ AS build$/);
    assert.ok(stages[0]?.some((line) => /npm ci .*&& npm prune --omit=dev/.test(line)));
    const copies = runtime.filter((line) => line.startsWith("COPY"));
    assert.ok(
      copies.length > 0 && copies.every((line) => line.startsWith("COPY --from=build")),
      copies.join("\n"),
    );
    assert.ok(copies.some((line) => / \/app\/dist /.test(line)));
    assert.ok(
      !copies.some((line) => /src|test|tsx/.test(line)),
      "no TypeScript sources or runner in the image",
    );
  });

  it("when read, then the runtime runs as a non-root user under tini, without a HEALTHCHECK", () => {
    const user = runtime.find((line) => line.startsWith("USER "));
    assert.ok(user && !/^USER (0|root)\b/.test(user), String(user));
    assert.match(
      runtime.find((line) => line.startsWith("ENTRYPOINT")) ?? "",
      /\["\/usr\/bin\/tini", "--", "node", "bin\/oom-doctor\.js"\]/,
    );
    assert.ok(!instructions.some((line) => line.startsWith("HEALTHCHECK")));
  });

  it("when read, then .dockerignore lets in only the package files and the sources", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    assert.equal(ignore[0], "*");
    assert.deepEqual(ignore.slice(1).sort(), [
      "!bin",
      "!jobs",
      "!package-lock.json",
      "!package.json",
      "!src",
      "!tsconfig.build.json",
      "!tsconfig.json",
    ]);
  });

  it("when the compiled CLI the image runs is started, then it answers", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "bin", "oom-doctor.js"), "help"], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /serve +the Slack bot/);
  });
});
