// A kernel report's task table as a channel may see it. When the node ran out of memory, the table
// lists every process on the node, other tenants' too: only the killed process of the finding's pod
// keeps its row, the rest become one count with their resident memory.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { OomEvent } from "../../../src/analysis/oom-event.js";
import { foldTaskRows } from "../../../src/analysis/task-table.js";
import { visibleExcerpt } from "../../../src/report/kernel-excerpt.js";
import type { FindingJson, Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { kernelLines } from "../../../src/slack/render/report.js";
import { fixturePath, parseFixture } from "../../harness/fixtures.js";

const seed = JSON.parse(
  readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
) as Report;
const seedFinding = seed.findings[0] as FindingJson;

// debian-5.10-global-oom: the node ran out; java (pid 31337) of pod 28c2dec1-... was killed. The table
// also lists systemd-journal, containerd, kubelet, another tenant's mysqld and java's child sh.
const GLOBAL_POD = "28c2dec1-5a9b-d200-bf93-582445f1b365";
const globalEvent = parseFixture(null, "kernel", "debian-5.10-global-oom.short-full").events[0] as OomEvent;

function nodePressureFinding(podUid: string | null): FindingJson {
  const kernelEvent = seedFinding.kernelEvent;
  assert.ok(kernelEvent);
  return {
    ...seedFinding,
    podUid,
    verdict: "node-pressure",
    kernelEvent: {
      ...kernelEvent,
      scope: globalEvent.scope,
      oomMemcg: globalEvent.oomMemcg,
      taskMemcg: globalEvent.taskMemcg,
      podUid: globalEvent.taskCgroup?.podUid ?? null,
      killed: globalEvent.killed,
      excerpt: globalEvent.excerpt,
    },
  };
}

const rows = (lines: string[]) => lines.filter((line) => /^\[\s*\d+\]/.test(line));

describe("the task table of a node-pressure report", () => {
  it("when the finding's pod is the one killed, then only its killed process keeps a row", () => {
    const lines = kernelLines(nodePressureFinding(GLOBAL_POD), messages("en"));
    assert.deepEqual(
      rows(lines).map((row) => row.split(/\s+/).pop()),
      ["java"],
    );
    // 9021 + 12204 + 30112 + 402113 + 220 pages of 4 KiB.
    assert.ok(
      lines.includes("… 5 other processes, 1.7 GiB resident (not this workload's: not shown)"),
      lines.join("\n"),
    );
    for (const name of ["mysqld", "containerd", "systemd-journal", "kubelet "])
      assert.ok(!rows(lines).some((row) => row.includes(name)), name);
    // The header and the rest of the report stay.
    assert.ok(lines.some((line) => line.startsWith("[  pid  ]")));
    assert.ok(lines.some((line) => /Killed process 31337 \(java\)/.test(line)));
  });

  it("when the report cannot be tied to the finding's pod, then every row is folded", () => {
    const lines = kernelLines(nodePressureFinding("00000000-0000-0000-0000-000000000000"), messages("zh-CN"));
    assert.deepEqual(rows(lines), []);
    assert.ok(
      lines.includes("…… 另有 6 个进程，共驻留 6.7 GiB（不属于该工作负载，未显示）"),
      lines.join("\n"),
    );
  });

  it("when the cgroup that ran out is the pod's own, then every row is the pod's and stays", () => {
    const lines = visibleExcerpt(seedFinding);
    assert.deepEqual(
      lines.map((line) => (line.kind === "line" ? line.text : "folded")),
      seedFinding.kernelEvent?.excerpt,
    );
  });
});

describe("folding task-table rows", () => {
  const table = [
    "Tasks state (memory values in pages):",
    "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
    "[    100]     0   100    12330     9021     9000       21         0   106496        0          -250 other",
    "[    200]     0   200    12330      256      200       56         0   106496        0           994 ours",
    "[    300]     0   300    12330      512      500       12         0   106496        0           994 another",
    "[    400]     0   400    1233",
    "oom-kill:constraint=CONSTRAINT_NONE,task=ours,pid=200,uid=0",
  ];

  it("when rows around a shown one are hidden, then they become one entry at the end of the table", () => {
    const folded = foldTaskRows(table, (pid) => pid === 200);
    assert.deepEqual(
      folded.map((line) => (line.kind === "line" ? line.text.slice(0, 10) : line.tasks)),
      [
        "Tasks stat",
        "[  pid  ] ",
        "[    200] ",
        // rss of 100 and 300; 400's row was cut and counts without its memory.
        { count: 3, residentBytes: (9021 + 512) * 4096 },
        "oom-kill:c",
      ],
    );
  });

  it("when nothing is a task row, then the lines come back as they were", () => {
    const lines = ["memory: usage 1024000kB, limit 1024000kB, failcnt 821", "Killed process 1 (x)"];
    assert.deepEqual(
      foldTaskRows(lines, () => false),
      lines.map((text) => ({ kind: "line", text })),
    );
  });
});
