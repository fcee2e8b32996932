// What pasted and exported journals do to kernel reports, and that none of it breaks the parser.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJournal } from "../../../src/analysis/parse-journal.js";
import { parseFixture, readFixture } from "../../harness/fixtures.js";

describe("journal pitfalls", () => {
  it("when two reports are interleaved, then each kill goes to the report whose task table holds its pid", () => {
    const { events } = parseFixture(null, "pitfalls", "interleaved-two-reports.log");
    assert.equal(events.length, 2);
    const byVictim = new Map(events.map((event) => [event.victim?.comm, event]));
    const ingest = byVictim.get("ingest");
    const render = byVictim.get("render");
    assert.equal(ingest?.taskCgroup?.podUid, "143c9ccd-5822-7f96-9ffd-03191b899123");
    assert.equal(ingest?.memcg?.limitBytes, 307200 * 1024);
    assert.deepEqual(ingest?.selected, { pid: 1101, comm: "ingest", score: 1971 });
    assert.equal(render?.taskCgroup?.podUid, "6cd105b6-25e1-70ec-3c5e-fd5bc4e438ca");
    assert.equal(render?.memcg?.limitBytes, 409600 * 1024);
    assert.deepEqual(render?.selected, { pid: 2202, comm: "render", score: 1985 });
    assert.equal(render?.reaped?.pid, 2202);
  });

  it("when the report was rate-limited to its `Killed process` line, then the event is flagged partial", () => {
    const parsed = parseFixture(null, "pitfalls", "rate-limited-kill-only.log");
    assert.equal(parsed.events.length, 1);
    const event = parsed.events[0];
    assert.equal(event?.partial, true);
    assert.equal(event?.victim?.pid, 6001);
    assert.equal(event?.scope, "memcg", "the `Memory cgroup out of memory` prefix says so");
    assert.equal(event?.taskCgroup, null);
    assert.match(event?.caveats[0] ?? "", /header is missing/);
    assert.equal(parsed.nodes[0]?.suppressedCallbacks, 12);
  });

  it("when rsyslog escaped the newlines of a memory.stat record as #012, then the stats are read", () => {
    const { events } = parseFixture(null, "pitfalls", "rsyslog-escaped-newlines.log");
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.memoryStats[0]?.values, {
      anon: 128233472,
      file: 770048,
      kernel: 3022848,
      kernel_stack: 114688,
      shmem: 0,
      file_mapped: 520192,
    });
  });

  it("when a paste was hard-wrapped at 80 columns, then the wrapped lines are joined again", () => {
    const { events } = parseFixture(null, "pitfalls", "hard-wrapped-paste.log");
    assert.equal(events.length, 1);
    const event = events[0];
    assert.equal(event?.victim?.anonRssBytes, 63220 * 1024);
    assert.equal(event?.victim?.oomScoreAdj, 1000);
    assert.equal(
      event?.taskCgroup?.containerId,
      "bd1c3aedfbaeef5f922b14d78921035ddee281a5482398c466b24f96483cbf5a",
    );
    assert.equal(event?.taskCgroup?.qos, "BestEffort");
    assert.equal(event?.kernelVersion, "5.10.0-28-amd64");
  });

  it("when kernel lines come bare (no time, no host), then the report is still read", () => {
    const { events } = parseFixture("aks-node-7", "pitfalls", "bare-kernel-lines.txt");
    assert.equal(events.length, 1);
    assert.equal(events[0]?.node, "aks-node-7", "the node comes from the caller");
    assert.equal(events[0]?.time.kind, "none");
    assert.equal(events[0]?.victim?.pid, 12007);
  });

  it("when the journal was printed in a Russian locale, then the month name is understood", () => {
    const { events } = parseFixture(null, "pitfalls", "locale-ru-short.log");
    assert.equal(events.length, 1);
    assert.equal(events[0]?.node, "узел-1");
    assert.deepEqual(events[0]?.time, {
      kind: "wall",
      wall: { year: null, month: 7, day: 3, hour: 4, minute: 5, second: 6, millisecond: 0 },
    });
  });

  it("when the seed's journal is cut by the pager, then the cut lines are counted and no field is invented", () => {
    const parsed = parseFixture(null, "seed", "journal", "k8s-node-04.log");
    assert.equal(parsed.stats.linesCutByPager, 10);
    const stats = parsed.events[0]?.memoryStats[0]?.values;
    assert.deepEqual(stats, { cache: 0, rss: 0, rss_huge: 0, shmem: 0 }, "`mapped_>` is not read as a value");
  });

  it("when the victim's numbers are cut mid-field, then the cut field is dropped, not misread", () => {
    const journal =
      "Jul 12 12:11:16 n kernel: systembus invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=994\n" +
      "Jul 12 12:11:16 n kernel: memory: usage 1024000kB, limit 1024000kB, failcnt 821\n" +
      "Jul 12 12:11:16 n kernel: Memory cgroup out of memory: Killed process 1735923 (systembusin) total-vm:1704328kB, anon-rss:101759>\n";
    const { events } = parseJournal(journal);
    assert.equal(events[0]?.victim?.totalVmBytes, 1704328 * 1024);
    assert.equal(events[0]?.victim?.anonRssBytes, null);
  });

  it("when one journal holds reports from several hosts (json), then each event keeps its host", () => {
    const lines = readFixture("kernel", "gke-5.15-cgroupv2-containerd.json")
      .toString("utf8")
      .trim()
      .split("\n");
    const other = lines.map((line) =>
      line.replace('"_HOSTNAME":"gke-pool-1-5f2a"', '"_HOSTNAME":"gke-pool-1-9x9x"'),
    );
    // Interleave the two hosts line by line: reports are assembled per host.
    const mixed = lines.flatMap((line, index) => [line, other[index] ?? ""]).join("\n");
    const { events } = parseJournal(mixed);
    assert.deepEqual(events.map((event) => event.node).sort(), ["gke-pool-1-5f2a", "gke-pool-1-9x9x"]);
    assert.ok(events.every((event) => event.victim?.pid === 30411 && !event.partial));
  });
});
