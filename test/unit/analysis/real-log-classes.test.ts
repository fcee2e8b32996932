// The ways real logs were misread, one class at a time: each with a genuine log from fixtures/real/
// (source.md there says where it comes from) or lines in the kernel's own format.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyse } from "../../../src/analysis/analyse.js";
import type { NodeJournal } from "../../../src/analysis/correlate.js";
import { kernelVerdict } from "../../../src/analysis/kernel-verdict.js";
import type { OomEvent } from "../../../src/analysis/oom-event.js";
import { parseJournal } from "../../../src/analysis/parse-journal.js";
import { readPods } from "../../../src/analysis/pod.js";
import { buildReport } from "../../../src/report/model.js";
import { parseFixture } from "../../harness/fixtures.js";
import { type PodSpec, podList } from "../../harness/pods.js";

function events(text: string): OomEvent[] {
  return parseJournal(text).events;
}

function real(caseName: string, file: string): OomEvent[] {
  return parseFixture(null, "real", caseName, file).events;
}

function only(list: OomEvent[]): OomEvent {
  assert.equal(list.length, 1, `expected one report, got ${list.length}`);
  return list[0] as OomEvent;
}

/** The one report the kernel lines make, printed as syslog does. */
function reportOf(...kernelLines: string[]): OomEvent {
  return only(events(lines(...kernelLines)));
}

const lines = (...text: string[]) => text.map((line) => `Mar  3 02:14:07 node-a kernel: ${line}`).join("\n");

function nodeJournal(text: string, utcOffsetMinutes: number | null): NodeJournal {
  const parsed = parseJournal(text);
  return { node: "node-a", events: parsed.events, facts: parsed.nodes, utcOffsetMinutes, unavailable: null };
}

const POD_UID = "a9d4b3f1-0189-4f5e-a8ee-94f0a3f53ab0";
const CONTAINER = "4d2af8acef61505159dd1fb6e232eacd1b724e1d629f043fcaa47809544f6d92";
const POD_SLICE = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_UID.replaceAll("-", "_")}.slice`;
const CONTAINER_SCOPE = `${POD_SLICE}/cri-containerd-${CONTAINER}.scope`;

describe("kill lines as Red Hat kernels print them", () => {
  it("when a 3.10 kill line has ', UID N,' and a comm with spaces, then the kill is read whole", () => {
    const event = reportOf(
      "Out of memory: Kill process 1847 (node /opt/www/p) score 512 or sacrifice child",
      "Killed process 1847 (node /opt/www/p), UID 80, total-vm:1048576kB, anon-rss:524288kB, file-rss:4096kB, shmem-rss:0kB",
    );
    assert.equal(event.victim?.comm, "node /opt/www/p");
    assert.equal(event.victim?.uid, 80);
    assert.equal(event.victim?.anonRssBytes, 524288 * 1024);
    assert.equal(event.victim?.fileRssBytes, 4096 * 1024);
    assert.equal(kernelVerdict(event), "node-pressure");
  });

  it("when a 2.6.32 kill line puts the uid before the comm, then the kill is read whole", () => {
    const event = reportOf(
      "Killed process 11726, UID 498, (mysqld) total-vm:7823732kB, anon-rss:2539268kB, file-rss:768kB",
    );
    assert.deepEqual([event.victim?.pid, event.victim?.comm, event.victim?.uid], [11726, "mysqld", 498]);
    assert.equal(event.victim?.anonRssBytes, 2539268 * 1024);
  });

  it("when a grep of a 3.10 node holds four global kills, then each is its own report", () => {
    const found = real("01-centos7-3.10-uid-kill-line-grep-multi", "dmesg.txt");
    assert.equal(found.length, 4);
    assert.ok(found.every((event) => kernelVerdict(event) === "node-pressure"));
    assert.ok(found.every((event) => event.victim?.uid === 0));
  });
});

describe("a summary line with no kill line after it", () => {
  it("when only the oom-kill summary survived, then it is a kill with the figures left null", () => {
    const event = reportOf(
      `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-${CONTAINER}.scope,mems_allowed=0,oom_memcg=${CONTAINER_SCOPE},task_memcg=${CONTAINER_SCOPE},task=java,pid=4242,uid=1001`,
    );
    assert.deepEqual(
      event.killed.map((killed) => killed.pid),
      [4242],
    );
    assert.equal(event.victim?.comm, "java");
    assert.equal(event.victim?.uid, 1001);
    assert.equal(event.victim?.anonRssBytes, null);
    assert.equal(event.victimSource, "summary");
    assert.equal(event.partial, true);
    assert.match(event.caveats.join("; "), /summary names, without its figures/);
    assert.equal(event.taskCgroup?.podUid, POD_UID);
    assert.equal(event.taskCgroup?.containerId, CONTAINER);
    assert.equal(kernelVerdict(event), "container-limit");
  });

  it("when the summary's comm holds commas, then pid and uid are still read from its end", () => {
    const event = reportOf(
      "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=py (wk), 2,pid=77,uid=0",
    );
    assert.equal(event.victim?.comm, "py (wk), 2");
    assert.equal(event.victim?.pid, 77);
    assert.equal(event.scope, "global");
  });

  it("when a pod's summary line was all a Harvester node kept, then the pod it names is found", () => {
    const event = only(real("20-sle15-5.14-harvester-pod-summary-only", "journal.log"));
    assert.notEqual(event.victim, null);
    assert.notEqual(event.taskCgroup?.podUid, null);
    assert.equal(kernelVerdict(event), "pod-limit");
  });
});

describe("threads are not children", () => {
  it("when the chosen pid is no row of the task table, then the kill is one process's, not a child's", () => {
    const event = only(real("02-centos7-3.10-docker-thread-chosen-syslog", "messages"));
    assert.equal(event.selected?.pid, 76756);
    assert.equal(event.victim?.pid, 76513);
    assert.equal(kernelVerdict(event), "container-limit");
  });

  it("when the table lists both the chosen and the killed process, then a child was sacrificed", () => {
    const event = reportOf(
      "java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=968",
      "Task in /docker/aa0c055d742e69a7c5056de02bcbefd3e914016a120a0858290cf41acc88507a killed as a result of limit of /docker/aa0c055d742e69a7c5056de02bcbefd3e914016a120a0858290cf41acc88507a",
      "memory: usage 2097152kB, limit 2097152kB, failcnt 4417",
      "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
      "[ 2345]  1000  2345  1240381   523640    1142        0           968 java",
      "[ 2399]  1000  2399     2898      444      10        0           968 sh",
      "Memory cgroup out of memory: Kill process 2345 (java) score 1986 or sacrifice child",
      "Killed process 2399 (sh) total-vm:11592kB, anon-rss:1320kB, file-rss:456kB, shmem-rss:0kB",
    );
    assert.equal(kernelVerdict(event), "child-process");
    assert.equal(event.victim?.uid, 1000, "from the victim's row of the task table");
    assert.equal(event.victim?.oomScoreAdj, 968);
  });
});

describe("which memcg hit its limit", () => {
  it("when oom_memcg is /kubepods.slice, then it is node allocatable, not the container's limit", () => {
    const event = only(real("23-aks-cgroupv2-node-allocatable-bare-summary", "kernel.txt"));
    assert.equal(event.oomMemcg, "/kubepods.slice");
    assert.notEqual(event.taskCgroup?.podUid, null);
    assert.equal(kernelVerdict(event), "node-allocatable");
  });

  for (const [path, verdict] of [
    ["/kubepods", "node-allocatable"],
    ["/kubepods/burstable", "node-allocatable"],
    ["/kubepods.slice/kubepods-besteffort.slice", "node-allocatable"],
    [POD_SLICE, "pod-limit"],
    [CONTAINER_SCOPE, "container-limit"],
    ["/system.slice/containerd.service", "container-limit"],
  ] as const) {
    it(`when the limit of ${path} was hit, then ${verdict}`, () => {
      const event = reportOf(
        `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${path},task_memcg=${CONTAINER_SCOPE},task=app,pid=9,uid=0`,
        "Memory cgroup out of memory: Killed process 9 (app) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:900",
      );
      assert.equal(kernelVerdict(event), verdict);
    });
  }
});

describe("reports stitched across cut points", () => {
  const headerA = [
    "alpha invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
    "CPU: 1 PID: 100 Comm: alpha Not tainted 5.10.0-21-amd64 #1",
    "Tasks state (memory values in pages):",
    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    "[    100]     0   100    10000     5000    90112        0             0 alpha",
  ];
  const killB =
    "Memory cgroup out of memory: Killed process 200 (beta) total-vm:4000kB, anon-rss:3000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0";

  it("when grep's -- separates a header from a kill, then the kill borrows neither header nor excerpt", () => {
    const found = events([lines(...headerA), "--", lines(killB)].join("\n"));
    assert.equal(found.length, 2);
    const kill = found.find((event) => event.victim?.pid === 200);
    assert.equal(kill?.invoker, null);
    assert.equal(kill?.kernelVersion, null);
    assert.ok(kill?.excerpt.every((line) => !line.includes("alpha")));
    const header = found.find((event) => event.invoker?.comm === "alpha");
    assert.equal(header?.victim, null, "the header's own kill line was cut");
  });

  it("when a kill's pid is not in the open report's task table, then it is another report's", () => {
    const found = events(lines(...headerA, killB));
    assert.equal(found.length, 2);
    assert.equal(found.find((event) => event.victim?.pid === 200)?.invoker, null);
  });

  it("when a minute passes between a header and a kill, then they are two reports", () => {
    const text = [
      "[  100.000000] alpha invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
      `[  160.000000] ${killB}`,
    ].join("\n");
    assert.equal(events(text).length, 2);
  });

  it("when a new header follows a finished report, then later lines belong to the new one", () => {
    const found = events(
      lines(
        ...headerA,
        "Memory cgroup out of memory: Killed process 100 (alpha) total-vm:40000kB, anon-rss:20000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:90kB oom_score_adj:0",
        "gamma invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "CPU: 0 PID: 300 Comm: gamma Not tainted 5.10.0-21-amd64 #1",
      ),
    );
    assert.equal(found.length, 2, "the trailing header is an OOM invocation of its own");
    assert.deepEqual(
      found.map((event) => [event.invoker?.comm, event.victim?.pid ?? null]),
      [
        ["alpha", 100],
        ["gamma", null],
      ],
    );
  });

  it("when grep cut a report's task table in two, then the pieces after the cut still make one kill", () => {
    const event = only(real("33-aliyun-k8s-docker-systemd-grep-context-constraint-none", "messages"));
    assert.equal(event.victim?.pid, 26865);
    assert.equal(event.scope, "memcg", "CONSTRAINT_NONE on a memcg OOM: the memcg signs win");
  });
});

describe("matching by the clock ignores kills in other cgroups", () => {
  const pod: PodSpec = {
    uid: POD_UID,
    node: "node-a",
    lastContainerId: `containerd://${CONTAINER.replace("4", "5")}`,
    finishedAt: "2024-03-03T02:14:09Z",
    reason: "OOMKilled",
    exitCode: 137,
  };

  function matched(taskMemcg: string) {
    const text = [
      `2024-03-03T02:14:07+00:00 node-a kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${taskMemcg},task_memcg=${taskMemcg},task=app,pid=9,uid=0`,
      "2024-03-03T02:14:07+00:00 node-a kernel: Memory cgroup out of memory: Killed process 9 (app) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:900",
    ].join("\n");
    const journal = nodeJournal(text, 0);
    const pods = readPods(podList(pod));
    assert.ok(pods.ok);
    return analyse(pods.cases, [journal], { asOfMs: Date.parse("2024-03-04T00:00:00Z") }).findings[0];
  }

  for (const cgroup of [
    "/user.slice/user-1000.slice/session-3.scope",
    "/system.slice/kubelet.service",
    `/kubepods.slice/kubepods-pod${"f".repeat(8)}_1111_2222_3333_444444444444.slice`,
    `/docker/${"ab".repeat(32)}`,
  ]) {
    it(`when the kill was in ${cgroup.slice(0, 40)}..., then it is not tied to the pod by time`, () => {
      const finding = matched(cgroup);
      assert.equal(finding?.match.event, null);
      assert.equal(finding?.diagnosis.verdict, "no-evidence");
    });
  }
});

describe("other shapes", () => {
  it("when lone `Kill process` lines outlive their kill lines, then each is its own invocation", () => {
    const found = real("14-4.5-rc-oom-kill-allocating-task-printk-dropped-lone-kill-lines", "serial.log");
    assert.equal(found.length, 7);
    assert.ok(
      found.slice(2).every((event) => event.victim?.pid === 10595 && event.victimSource === "choice"),
    );
  });

  it("when the kernel found nothing to kill, then the invocation counts, with no victim", () => {
    const event = only(real("09-4.19-boot-oom-no-killable-processes", "dmesg.txt"));
    assert.equal(event.victim, null);
    assert.equal(event.noKillable, true);
    assert.equal(event.partial, false);
    assert.equal(kernelVerdict(event), "node-pressure");
  });

  it("when a memcg OOM finds nothing to kill (4.19+ says so too), then it stays a memcg OOM", () => {
    const [event] = real("63-crio-memcg-no-killable-then-bare-header-mail-wrapped", "dmesg-mail.txt");
    assert.equal(event?.noKillable, true);
    assert.equal(event?.scope, "memcg");
    assert.equal(event && kernelVerdict(event), "container-limit");
  });

  it("when a paste glued dmesg -T lines together, then each is read on its own", () => {
    const found = real("66-zh-dmesg-T-loongarch-pod-limit-no-kill-line-glued", "dmesg-T.txt");
    assert.match(found.at(-1)?.kernelVersion ?? "", /^4\.19\.0-91\.82/);
  });

  it("when a cut left only a report's stats and task table, then it still counts as an invocation", () => {
    const found = real("68-zh-dmesg-T-fragment-stats-first-then-header", "dmesg-T.txt");
    assert.equal(found.length, 2);
    assert.equal(found[0]?.invoker, null);
    assert.equal(found[0]?.taskCgroup?.runtime, "containerd");
  });

  it("when the `Task in` line is missing, then the first `Memory cgroup stats for` names the cgroup and its ids", () => {
    const event = reportOf(
      "memory: usage 524288kB, limit 524288kB, failcnt 12",
      `Memory cgroup stats for ${CONTAINER_SCOPE}: cache:0KB rss:524000KB`,
      "Memory cgroup out of memory: Killed process 9 (app) total-vm:1000kB, anon-rss:524000kB, file-rss:0kB, shmem-rss:0kB",
    );
    assert.equal(event.oomMemcg, CONTAINER_SCOPE);
    assert.equal(event.taskCgroup?.containerId, CONTAINER);
    assert.equal(event.taskCgroup?.podUid, POD_UID);
  });

  it("when a Docker container outside Kubernetes is killed, then its id and runtime are read", () => {
    const event = only(real("41-docker-scope-system-slice-fedora", "messages"));
    assert.equal(event.taskCgroup?.runtime, "docker");
    assert.equal(event.taskCgroup?.kubepods, false);
    assert.notEqual(event.victim?.uid, null, "from the task table");
  });

  it("when a kernel line is 200 KB of a pattern's favourite characters, then it is read and rejected", () => {
    const hostile = [
      `Memory cgroup stats for /a: ${"a".repeat(200_000)}`,
      `oom-kill:constraint=CONSTRAINT_NONE,${"task=".repeat(40_000)}`,
      `CPU: 0 PID: 1 Comm: x Not tainted ${"1.1-".repeat(50_000)}`,
      `active_anon:1 ${"b".repeat(200_000)}`,
      `Killed process 1 (${")".repeat(200_000)}`,
    ];
    const found = events(hostile.map((line) => `[    1.000000] ${line}`).join("\n"));
    assert.ok(found.every((event) => event.victim === null || event.victim.pid === 1));
  });
});

describe("times of kills not tied to a container", () => {
  it("when the node's offset is given, then an unmatched syslog kill has an ISO time in the report", () => {
    const journal = nodeJournal(
      lines(
        "Memory cgroup out of memory: Killed process 9 (app) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB",
      ),
      480,
    );
    const analysis = analyse([], [journal], { asOfMs: Date.parse("2024-03-04T00:00:00Z") });
    const report = buildReport(analysis, null, []);
    assert.equal(report.unmatchedEvents[0]?.time, "2024-03-02T18:14:07.000Z");
    assert.equal(report.kernelEvents[0]?.time, "2024-03-02T18:14:07.000Z");
  });

  it("when the node's zone is not known, then the kernel event's time is null", () => {
    const journal = nodeJournal(
      lines("Killed process 9 (app) total-vm:1000kB, anon-rss:900kB, file-rss:0kB"),
      null,
    );
    const analysis = analyse([], [journal], { asOfMs: Date.parse("2024-03-04T00:00:00Z") });
    const event = buildReport(analysis, null, []).kernelEvents[0];
    assert.equal(event?.time, null);
    assert.equal(event?.timeAsLogged, "03-03 02:14:07 (node local time)");
    assert.equal(event?.verdict, null, "a bare 3.x kill line says neither memcg nor global");
  });
});
