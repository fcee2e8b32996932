// Kills no restart shows, found in genuine kernel reports as a sweep reads them (`journalctl -o json`)
// against the node's pods listed afterwards.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { silentKills } from "../../../src/alerts/silent.js";
import { parseJournal } from "../../../src/analysis/parse-journal.js";
import { fixturePath } from "../../harness/fixtures.js";
import { podObject } from "../../harness/pods.js";

/** Kernel lines of a syslog-style file as a sweep reads them: json entries one microsecond apart. */
function asSweep(path: string, startMs: number, host: string): string {
  const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
  return lines
    .map((line, index) =>
      JSON.stringify({
        __CURSOR: `s=1;i=${index}`,
        __REALTIME_TIMESTAMP: String(startMs * 1000 + index),
        _HOSTNAME: host,
        _TRANSPORT: "kernel",
        SYSLOG_IDENTIFIER: "kernel",
        // What journald keeps of a kernel line: no syslog prefix, no printk stamp.
        MESSAGE: line.replace(/^.*? kernel: /, "").replace(/^\[\s*\d+\.\d+\] /, ""),
      }),
    )
    .join("\n");
}

const eventsOf = (journal: string | Buffer) => parseJournal(journal).events;

// fixtures/kernel/gke-5.15-cgroupv2-containerd.json: stress-ng-vm (30411), child of stress-ng (30398),
// killed by its container's 512Mi memcg on cgroup v2.
const GKE = {
  events: eventsOf(readFileSync(fixturePath("kernel", "gke-5.15-cgroupv2-containerd.json"))),
  uid: "fb04dcb6-970e-4c3d-1873-de51fd5a50d7",
  id: "b63c339a3c752779b5380802340b0530f3500389b7289d53bda9e0c403340803",
};

const gkePod = (overrides: Parameters<typeof podObject>[0] | object = {}) =>
  podObject({
    uid: GKE.uid,
    name: "stress-5c6d7f8b9-k2x4p",
    namespace: "batch",
    node: "gke-pool-1-5f2a",
    container: "stress",
    owner: { kind: "ReplicaSet", name: "stress-5c6d7f8b9" },
    labels: { "pod-template-hash": "5c6d7f8b9" },
    currentContainerId: GKE.id,
    limit: "512Mi",
    restartCount: 0,
    ...overrides,
  });

const input = (events: typeof GKE.events, pods: unknown[], node = "gke-pool-1-5f2a") => ({
  cluster: "prod-eu",
  node,
  events,
  pods,
});

describe("silent kills", () => {
  it("when the kernel killed a process of a container that still runs under the same id, then it is a child-process kill", () => {
    assert.deepEqual(silentKills(input(GKE.events, [gkePod()])), [
      {
        id: `child/gke-pool-1-5f2a/${GKE.id}/30411/1700000000000`,
        kind: "child-process",
        cluster: "prod-eu",
        namespace: "batch",
        pod: "stress-5c6d7f8b9-k2x4p",
        podUid: GKE.uid,
        container: "stress",
        node: "gke-pool-1-5f2a",
        workload: "Deployment/stress",
        at: "2023-11-14T22:13:20.000Z",
        message: null,
        process: {
          name: "stress-ng-vm",
          pid: 30411,
          // anon-rss 520228kB + file-rss 1640kB + shmem-rss 0kB; the memcg's 524288kB limit.
          residentBytes: (520_228 + 1_640) * 1024,
          limitBytes: 524_288 * 1024,
        },
      },
    ]);
  });

  it("when the container runs under another id now, then it restarted: not silent", () => {
    const restarted = gkePod({
      currentContainerId: "0123456789ab".repeat(5).slice(0, 64),
      lastContainerId: GKE.id,
    });
    assert.deepEqual(silentKills(input(GKE.events, [restarted])), []);
  });

  it("when the container is not running, then the kill stopped it: not silent", () => {
    const stopped = gkePod({
      status: {
        containerStatuses: [
          {
            name: "stress",
            restartCount: 0,
            containerID: `containerd://${GKE.id}`,
            state: { terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: "2023-11-14T22:13:21Z" } },
          },
        ],
      },
    });
    assert.deepEqual(silentKills(input(GKE.events, [stopped])), []);
  });

  it("when the pod is gone or another pod, then nothing", () => {
    assert.deepEqual(silentKills(input(GKE.events, [])), []);
    assert.deepEqual(
      silentKills(input(GKE.events, [gkePod({ uid: "00000000-0000-4000-8000-000000000000" })])),
      [],
    );
  });

  it("when the same report is swept twice, then it is one kill", () => {
    assert.equal(silentKills(input([...GKE.events, ...GKE.events], [gkePod()])).length, 1);
  });

  it("when a cgroup v1 kernel chose java and sacrificed its child sh, then the sh is the silent kill, with the memcg's limit", () => {
    // fixtures/kernel/centos7-3.10-sacrifice-child.log: "Kill process 2345 (java) ... or sacrifice child",
    // "Killed process 2399 (sh)", in /kubepods/burstable/pod<uid>/<docker id>.
    const uid = "f28d5b0d-6f8b-e0da-8446-dabe79044cb9";
    const id = "da42a9d25cc5e450e26ec1ee6410e4b898166aa9588babe26229dc86f88c825e";
    const startMs = Date.parse("2024-03-03T02:14:07Z");
    const events = eventsOf(
      asSweep(fixturePath("kernel", "centos7-3.10-sacrifice-child.log"), startMs, "node-c7"),
    );
    const pod = podObject({ uid, node: "node-c7", currentContainerId: `docker://${id}`, limit: "2Gi" });
    const [kill] = silentKills(input(events, [pod], "node-c7"));
    assert.equal(kill?.id, `child/node-c7/${id}/2399/${startMs}`);
    assert.deepEqual(kill?.process, {
      name: "sh",
      pid: 2399,
      residentBytes: (1_320 + 456) * 1024,
      limitBytes: 2_097_152 * 1024,
    });
  });

  it("when memory.oom.group killed every task of the cgroup, then the container stopped: not silent", () => {
    // fixtures/kernel/debian-6.1-oom-group.json: app, helper and sh killed together.
    const events = eventsOf(readFileSync(fixturePath("kernel", "debian-6.1-oom-group.json")));
    const pod = podObject({
      uid: "39782046-85fb-437c-b2c7-edaa62173e78",
      node: "k8s-w7",
      currentContainerId: "f9e37c341e7941d7b57feedb975d7cc9afb4219f1c63d6de70dffeac21d4c689",
    });
    assert.ok(events.length > 0);
    assert.deepEqual(silentKills(input(events, [pod], "k8s-w7")), []);
  });

  it("when the victim ran outside any pod (a plain Docker container), then it is ignored", () => {
    const path = fixturePath("real", "41-docker-scope-system-slice-fedora", "messages");
    const events = eventsOf(asSweep(path, Date.parse("2016-12-17T00:34:31Z"), "fanatica"));
    assert.ok(events.some((event) => event.victim?.comm === "stress"));
    assert.deepEqual(silentKills(input(events, [gkePod()], "fanatica")), []);
  });

  describe("a kill whose cgroup names only the pod", () => {
    // fixtures/real/27-rhel7-5.4-kata-pod-memcg-mail-wrapped: the Kata QEMU runs in the pod's own cgroup.
    const uid = "acfa3d53-2068-4b61-a754-fa21968b4201";
    const pod = `/kubepods/burstable/pod${uid}`;
    const lines = [
      "qemu-kata-syste invoked oom-killer: gfp_mask=0x101c4a(GFP_NOFS|__GFP_HIGHMEM|__GFP_HARDWALL|__GFP_MOVABLE|__GFP_WRITE), order=0, oom_score_adj=-100",
      "CPU: 3 PID: 1887079 Comm: qemu-kata-syste Kdump: loaded Tainted: P W O 5.4.77-7.el7pie #1",
      "memory: usage 12218368kB, limit 12218368kB, failcnt 1728013",
      "memory+swap: usage 12218368kB, limit 9007199254740988kB, failcnt 0",
      "kmem: usage 154424kB, limit 9007199254740988kB, failcnt 0",
      `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=pod${uid},mems_allowed=0-1,oom_memcg=${pod},task_memcg=${pod},task=qemu-kata-syste,pid=1887079,uid=0`,
      "Memory cgroup out of memory: Killed process 1887079 (qemu-kata-syste) total-vm:13598556kB, anon-rss:39836kB, file-rss:8712kB, shmem-rss:12017992kB, UID:0 pgtables:24204kB oom_score_adj:-100",
    ];
    const atMs = Date.parse("2021-09-20T10:00:00Z");
    const sweep = lines
      .map((MESSAGE, index) =>
        JSON.stringify({ __REALTIME_TIMESTAMP: String(atMs * 1000 + index), _TRANSPORT: "kernel", MESSAGE }),
      )
      .join("\n");
    const events = eventsOf(sweep);
    const kataPod = (finishedAt: string) =>
      podObject({
        uid,
        node: "kata-1",
        currentContainerId: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
        lastContainerId: "0ddba11",
        reason: "Error",
        finishedAt,
      });

    it("when every container runs and none stopped about then, then it is silent, with no container and the pod's limit", () => {
      const [kill] = silentKills(input(events, [kataPod("2021-09-19T08:00:00Z")], "kata-1"));
      assert.equal(kill?.id, `child/kata-1/${uid}/1887079/${atMs}`);
      assert.equal(kill?.container, null);
      assert.equal(kill?.process?.limitBytes, 12_218_368 * 1024);
      assert.equal(kill?.process?.residentBytes, (39_836 + 8_712 + 12_017_992) * 1024);
    });

    it("when a container stopped a few seconds after the kill, then the kill stopped it: not silent", () => {
      assert.deepEqual(silentKills(input(events, [kataPod("2021-09-20T10:00:03Z")], "kata-1")), []);
    });
  });
});
