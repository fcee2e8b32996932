// The parser takes whatever an operator pastes: it must never throw, and never report an OOM kill that
// the input does not contain.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseJournal } from "../../src/analysis/parse-journal.js";
import { readFixture } from "../harness/fixtures.js";

// A fixed seed keeps runs repeatable; FC_SEED explores others (a failure prints the seed to reuse).
const SEED = Number(process.env.FC_SEED ?? 20210712);
const RUNS = 300;

const REAL_LOGS: Array<[string, ...string[]]> = [
  ["seed", "journal", "k8s-node-04.log"],
  ["kernel", "centos7-3.10-sacrifice-child.log"],
  ["kernel", "debian-5.10-global-oom.short-full"],
  ["kernel", "debian-6.1-oom-group.json"],
  ["kernel", "ubuntu-6.8-rss-columns-odd-comm.short-precise"],
  ["pitfalls", "interleaved-two-reports.log"],
  ["pitfalls", "rsyslog-escaped-newlines.log"],
];

// Words that appear in kernel reports, but never in the exact shape of a report's anchor lines.
const WORDS = [
  "memory:",
  "usage",
  "limit",
  "Killed",
  "process",
  "invoked",
  "oom-killer",
  "Task",
  "in",
  "/kubepods/burstable",
  "[",
  "]",
  "1234",
  "kB,",
  "anon-rss:",
  "kernel:",
  "Jul",
  "12",
  "12:11:16",
  "7月",
  "{",
  "}",
  '"MESSAGE"',
  "#012",
  ">",
  "__CURSOR=",
];

const garbageLine = fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }).map((words) => words.join(" "));

/**
 * Every pid the kernel says it killed or chose to kill (`Killed process N`, `Kill process N`, a summary's
 * `pid=N`), read straight from the text: the oracle for "invented".
 */
function killedPidsIn(text: string): Set<number> {
  const pattern = /Kill(?:ed)? process (\d+)|,pid=(\d+),uid=/g;
  return new Set([...text.matchAll(pattern)].map((match) => Number(match[1] ?? match[2])));
}

/** Lines that each open at most one report: headers, `Task in`, a memcg's usage, "no killable". */
function reportAnchorsIn(text: string): number {
  return [...text.matchAll(/invoked oom-killer:|Task in \/|memory: usage \d+kB|no killable processes/g)]
    .length;
}

/**
 * Nothing is invented when every kill reported is a kill the text states (each pid once), and every
 * report without a kill line stands on a report header the text holds.
 */
function assertNothingInvented(text: string): void {
  const { events } = parseJournal(text);
  const kills = killedPidsIn(text);
  const withVictim = events.filter((event) => event.victim !== null);
  assert.ok(
    withVictim.length <= kills.size,
    `${withVictim.length} kill events from ${kills.size} killed pids`,
  );
  for (const event of withVictim) {
    for (const killed of event.killed)
      assert.ok(kills.has(killed.pid), `pid ${killed.pid} was never killed here`);
  }
  const headless = events.length - withVictim.length;
  assert.ok(headless <= reportAnchorsIn(text), `${headless} reports without a kill line, fewer anchors`);
}

describe("parser properties", () => {
  it("when given any bytes, then it never throws", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        parseJournal(bytes);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("when given any text, then it never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 2000 }), (text) => {
        parseJournal(text);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("when given garbage made of kernel words, then no event is invented", () => {
    fc.assert(
      fc.property(fc.array(garbageLine, { maxLength: 60 }), (lines) => {
        assert.deepEqual(parseJournal(lines.join("\n")).events, []);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  for (const path of REAL_LOGS) {
    const original = readFixture(...path).toString("utf8");
    const lines = original.split("\n");
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), keep: fc.nat({ max: 200 }) }),
      fc.record({ kind: fc.constant("garbage" as const), at: fc.nat(), line: garbageLine }),
    );

    it(`when ${path.at(-1)} is mutated (lines deleted, repeated, cut, garbage added), then no kill is invented`, () => {
      fc.assert(
        fc.property(fc.array(mutation, { maxLength: 8 }), (mutations) => {
          const mutated = [...lines];
          for (const change of mutations) {
            const at = change.at % Math.max(mutated.length, 1);
            const line = mutated[at] ?? "";
            if (change.kind === "delete") mutated.splice(at, 1);
            else if (change.kind === "duplicate") mutated.splice(at, 0, line);
            else if (change.kind === "cut") mutated[at] = `${line.slice(0, change.keep)}>`;
            else mutated.splice(at, 0, change.line);
          }
          assertNothingInvented(mutated.join("\n"));
        }),
        { numRuns: 150, seed: SEED },
      );
    });
  }
});
