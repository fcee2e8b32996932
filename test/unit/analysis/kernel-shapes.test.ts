// One fixture per kernel generation's report shape; each row says what the kernel printed and so what
// must come out. Sizes are the kernel's kB figures times 1024.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OomEvent } from "../../../src/analysis/oom-event.js";
import { parseFixture } from "../../harness/fixtures.js";

interface Shape {
  fixture: string;
  what: string;
  check: (event: OomEvent) => void;
}

const KB = 1024;

const SHAPES: Shape[] = [
  {
    fixture: "centos7-3.10-sacrifice-child.log",
    what: "3.10 two-line kill where the kernel sacrifices a child with another pid",
    check: (event) => {
      assert.deepEqual(event.selected, { pid: 2345, comm: "java", score: 1986 });
      assert.equal(event.victim?.pid, 2399);
      assert.equal(event.victim?.comm, "sh");
      assert.equal(event.victim?.anonRssBytes, 1320 * KB);
      assert.equal(event.victim?.oomScoreAdj, 968, "taken from the task table: 3.10 does not print it");
      assert.equal(event.invoker?.pid, 2360, "the CPU line with `Kdump: loaded` still gives the pid");
      assert.equal(event.kernelVersion, "3.10.0-1160.el7.x86_64");
      assert.equal(event.taskCgroup?.driver, "cgroupfs");
      assert.equal(event.taskCgroup?.qos, "Burstable");
      assert.equal(
        event.oomMemcg,
        event.taskMemcg,
        "`killed as a result of limit of` names the container itself",
      );
      assert.deepEqual(
        event.tasks.map((row) => [row.pid, row.rssPages, row.oomScoreAdj, row.name]),
        [
          [2341, 355, 968, "run-java.sh"],
          [2345, 523640, 968, "java"],
          [2399, 444, 968, "sh"],
        ],
        "3.10 header: nr_ptes, no nr_pmds",
      );
      assert.equal(event.memoryStats[0]?.values.rss, 2096940 * KB);
    },
  },
  {
    fixture: "ubuntu-4.15-two-line.dmesg",
    what: "4.x `Kill process ... or sacrifice child` + `Killed process` in dmesg -T form",
    check: (event) => {
      assert.deepEqual(event.selected, { pid: 4242, comm: "node", score: 0 });
      assert.equal(event.victim?.pid, 4242);
      assert.equal(event.victim?.shmemRssBytes, 0);
      assert.equal(event.taskCgroup?.qos, "Guaranteed");
      assert.equal(event.taskCgroup?.podUid, "94091dd6-4a21-ffe9-4214-bc6d17deeb43");
      assert.equal(event.tasks[0]?.rssPages, 130515, "4.x header with nr_ptes and nr_pmds");
      assert.equal(event.tasks[0]?.oomScoreAdj, -998);
      assert.deepEqual(event.time, {
        kind: "wall",
        wall: { year: 2020, month: 4, day: 14, hour: 9, minute: 31, second: 52, millisecond: 0 },
      });
      assert.equal(event.reaped?.pid, 4242);
    },
  },
  {
    fixture: "debian-4.19-dmesg-stamps.dmesg",
    what: "4.19 dmesg with [uptime] stamps and `Tasks state` header",
    check: (event) => {
      assert.equal(event.time.kind, "uptime");
      assert.equal(event.victim?.comm, "redis-server");
      assert.equal(event.cpuset, "aec36845f550fbedc534dfc3ad4b6b9728731b2baddccc5f2b90d95393f391fb");
      assert.equal(event.tasks[0]?.pgtablesBytes, 622592);
      assert.equal(event.memcg?.failcnt, 5121);
    },
  },
  {
    fixture: "ubuntu-5.4-uid-suffix.short-iso",
    what: "5.x `oom-kill:` summary, 5.3+ `UID:` suffix, multi-line memory.stat record printed by journalctl",
    check: (event) => {
      assert.equal(event.constraint, "CONSTRAINT_MEMCG");
      assert.equal(event.victim?.uid, 1001);
      assert.equal(event.victim?.pgtablesBytes, null, "5.3 has UID but not pgtables");
      assert.equal(event.victim?.oomScoreAdj, 999);
      assert.deepEqual(event.memoryStats[0]?.values, {
        anon: 266895360,
        file: 0,
        kernel_stack: 221184,
        slab: 1212416,
        sock: 0,
        shmem: 0,
      });
      assert.equal(event.swap?.limitBytes, null, "the page-counter maximum means no limit");
      assert.deepEqual(event.time, { kind: "instant", epochMs: Date.parse("2023-02-07T16:20:31Z") });
      assert.equal(event.invoker?.pid, 88012, "the invoking thread differs from the victim");
    },
  },
  {
    fixture: "gke-5.15-cgroupv2-containerd.json",
    what: "5.4+ `pgtables:`/`oom_score_adj:` suffixes, cgroup v2, containerd, one-record memory.stat in JSON",
    check: (event) => {
      assert.equal(event.node, "gke-pool-1-5f2a");
      assert.equal(event.bootId, "4c1f2e3d4b5a69788796a5b4c3d2e1f0");
      assert.equal(event.victim?.pgtablesBytes, 1088 * KB);
      assert.equal(event.victim?.oomScoreAdj, -997);
      assert.equal(event.taskCgroup?.runtime, "containerd");
      assert.equal(event.taskCgroup?.qos, "Guaranteed");
      assert.equal(
        event.oomCgroup?.containerId,
        "b63c339a3c752779b5380802340b0530f3500389b7289d53bda9e0c403340803",
      );
      assert.equal(Object.keys(event.memoryStats[0]?.values ?? {}).length, 21);
      assert.equal(event.memoryStats[0]?.values.anon, 533372928);
      assert.equal(event.swap?.limitBytes, 0);
    },
  },
  {
    fixture: "fedora-6.5-crio-besteffort.export",
    what: "6.5+ one line per memory.stat entry, CRI-O, BestEffort, journalctl -o export with binary fields",
    check: (event) => {
      assert.equal(event.node, "okd-worker-2");
      assert.equal(event.taskCgroup?.runtime, "cri-o");
      assert.equal(event.taskCgroup?.qos, "BestEffort");
      assert.equal(event.memoryStats[0]?.values.anon, 258953216);
      assert.equal(Object.keys(event.memoryStats[0]?.values ?? {}).length, 28);
      assert.equal(event.victim?.uid, 1000660000);
      assert.equal(event.constraint, "CONSTRAINT_MEMCG", "the summary came as a binary export field");
    },
  },
  {
    fixture: "ubuntu-6.8-rss-columns-odd-comm.short-precise",
    what: "6.8+ task table with rss_anon/rss_file/rss_shmem; a comm with spaces, parentheses and a comma",
    check: (event) => {
      assert.equal(event.victim?.comm, "py (wk), 2");
      assert.equal(event.victim?.pid, 5151);
      assert.equal(event.invoker?.comm, "py (wk), 2");
      assert.deepEqual(
        event.tasks.map((row) => [
          row.pid,
          row.rssPages,
          row.rssAnonPages,
          row.rssFilePages,
          row.rssShmemPages,
          row.name,
        ]),
        [
          [5102, 896, 128, 768, 0, "tini"],
          [5151, 150112, 149890, 222, 0, "py (wk), 2"],
        ],
      );
      assert.equal(event.time.kind === "wall" ? event.time.wall.millisecond : -1, 812);
      assert.equal(event.taskCgroup?.runtime, null, "cgroupfs with a bare id does not name the runtime");
    },
  },
  {
    fixture: "debian-6.1-oom-group.json",
    what: "memory.oom.group: the whole cgroup is killed, the victim printed twice",
    check: (event) => {
      assert.equal(event.victim?.pid, 901);
      assert.deepEqual(
        event.killed.map((victim) => victim.pid),
        [901, 944, 950],
      );
      assert.match(event.oomGroup ?? "", /cri-containerd-f9e37c34/);
      assert.equal(event.reaped?.pid, 901);
    },
  },
  {
    fixture: "debian-5.10-global-oom.short-full",
    what: "global OOM (CONSTRAINT_NONE, global_oom) with the Mem-Info dump",
    check: (event) => {
      assert.equal(event.scope, "global");
      assert.equal(event.constraint, "CONSTRAINT_NONE");
      assert.equal(event.oomMemcg, null);
      assert.equal(event.taskCgroup?.podUid, "28c2dec1-5a9b-d200-bf93-582445f1b365");
      assert.equal(event.totalRamPages, 2097051);
      assert.equal(event.memInfo?.active_anon, 1834511);
      assert.equal(event.tasks.length, 6);
      assert.equal(event.victim?.comm, "java");
      assert.equal(event.invoker?.comm, "kubelet");
      assert.deepEqual(event.time, { kind: "instant", epochMs: Date.parse("2024-01-15T03:12:44Z") });
    },
  },
];

describe("kernel report shapes", () => {
  for (const shape of SHAPES) {
    it(`when the journal holds a ${shape.what}, then one complete event carries its facts`, () => {
      const parsed = parseFixture(null, "kernel", shape.fixture);
      assert.equal(parsed.events.length, 1, "exactly one event");
      const event = parsed.events[0] as OomEvent;
      assert.equal(event.partial, false);
      shape.check(event);
    });
  }
});

describe("the seed incident (RHEL 8, 4.18, docker, systemd driver, zh_CN journal)", () => {
  const parsed = parseFixture(null, "seed", "journal", "k8s-node-04.log");
  const event = parsed.events[0] as OomEvent;

  it("when the same report is printed twice, then it is one event", () => {
    assert.equal(parsed.events.length, 1);
  });

  it("then every figure of the write-up is read exactly", () => {
    assert.equal(event.node, "k8s-node-04");
    assert.deepEqual(event.memcg, { usageBytes: 1_048_576_000, limitBytes: 1_048_576_000, failcnt: 821 });
    assert.deepEqual(event.victim, {
      pid: 1735923,
      comm: "systembusin",
      totalVmBytes: 1704328 * KB,
      anonRssBytes: 1_042_014_208,
      fileRssBytes: 17492 * KB,
      shmemRssBytes: 0,
      uid: 0,
      pgtablesBytes: null,
      oomScoreAdj: 994,
    });
    assert.deepEqual(event.time, {
      kind: "wall",
      wall: { year: null, month: 7, day: 12, hour: 12, minute: 11, second: 16, millisecond: 0 },
    });
    assert.equal(event.kernelVersion, "4.18.0-193.14.2.el8_2.x86_64");
  });

  it("when the `Task in` path is cut by the pager, then the cpuset line completes the container id", () => {
    assert.equal(event.taskCgroup?.podUid, "f05bdc36-dd14-4537-9b91-57cc07df0932");
    assert.equal(
      event.taskCgroup?.containerId,
      "052d52a163eb1ced8ddbd9968b31cb1d1ec74a2b389e18984737c3118fdd7a5e",
    );
    assert.equal(event.taskCgroup?.containerIdIsPrefix, false);
    assert.equal(event.taskCgroup?.runtime, "docker");
    assert.equal(event.cutByPager, true);
    assert.deepEqual(event.caveats, ["some lines were cut by a pager"]);
  });

  it("then the pause container's -998 and the app's 994 are in the task table", () => {
    assert.deepEqual(
      event.tasks.map((row) => [row.name, row.oomScoreAdj]),
      [
        ["pause", -998],
        ["systembusin", 994],
      ],
    );
    assert.equal(event.invokerStackInGoHeap, true, "RSP 0xc000478a98 lies in Go's heap arena");
  });
});
