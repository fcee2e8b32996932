import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monthNumber } from "../../../src/analysis/journal/months.js";
import { JournalReader, MAX_LINE_CHARS } from "../../../src/analysis/journal/reader.js";
import { parseTextLine } from "../../../src/analysis/journal/text.js";
import { JournalParser, parseJournal } from "../../../src/analysis/parse-journal.js";
import { readFixture } from "../../harness/fixtures.js";

function parseInChunks(bytes: Uint8Array, size: number) {
  const parser = new JournalParser();
  const events = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    events.push(...parser.push(bytes.subarray(offset, offset + size)));
  events.push(...parser.end());
  return events;
}

describe("journal reader", () => {
  for (const [dir, file] of [
    ["seed/journal", "k8s-node-04.log"],
    ["kernel", "fedora-6.5-crio-besteffort.export"],
    ["kernel", "gke-5.15-cgroupv2-containerd.json"],
  ] as const) {
    it(`when ${file} arrives in 7-byte chunks, then the events equal a whole read`, () => {
      const bytes = readFixture(...dir.split("/"), file);
      assert.deepEqual(parseInChunks(bytes, 7), parseJournal(bytes).events);
    });
  }

  it("when a JSON journal has lines that are not JSON, then they are skipped", () => {
    const good = readFixture("kernel", "gke-5.15-cgroupv2-containerd.json").toString("utf8");
    const noisy = `{"MESSAGE":"first"}\nnot json at all\n{"broken":\n[1,2,3]\n${good}`;
    const parsed = parseJournal(noisy);
    assert.equal(parsed.stats.form, "json");
    assert.equal(parsed.events.length, 1);
  });

  it("when a MESSAGE is an array of bytes (not UTF-8), then it is decoded", () => {
    const bytes = [...Buffer.from("Killed process 12 (a\u00e9) total-vm:1kB, anon-rss:2kB, file-rss:3kB")];
    const line = JSON.stringify({ _TRANSPORT: "kernel", _HOSTNAME: "n", MESSAGE: bytes });
    const { events } = parseJournal(`${line}\n`);
    assert.equal(events[0]?.victim?.comm, "a\u00e9");
  });

  it("when a line is longer than the cap, then it is shortened and counted, and the next line is read", () => {
    const huge = "x".repeat(MAX_LINE_CHARS * 3);
    const kill = "Memory cgroup out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:2kB, file-rss:3kB";
    const parsed = parseJournal(`${huge}\n${kill}\n`);
    assert.equal(parsed.stats.overlongLines, 1);
    assert.equal(parsed.events[0]?.victim?.pid, 1);
  });

  it("when the input has no newline at all, then the reader stays within its cap", () => {
    const parser = new JournalParser();
    const chunk = new Uint8Array(1 << 20).fill(0x41);
    for (let i = 0; i < 8; i++) parser.push(chunk);
    assert.deepEqual(parser.end(), []);
    assert.equal(parser.stats.overlongLines, 1);
  });

  it("when the text has Windows line endings, then they are ignored", () => {
    const text = readFixture("pitfalls", "bare-kernel-lines.txt").toString("utf8").replaceAll("\n", "\r\n");
    assert.equal(parseJournal(text).events[0]?.victim?.pid, 12007);
  });
});

describe("text lines", () => {
  const prefixed = (line: string) => {
    const parsed = parseTextLine(line);
    assert.equal(parsed.kind, "records");
    return parsed.kind === "records" ? parsed.records[0] : undefined;
  };

  it("when journalctl prints short-monotonic, then the uptime and host are read", () => {
    const record = prefixed("[ 1432.390211] node-9 kernel: Out of memory: Killed process 1 (a)");
    assert.deepEqual(record?.time, { kind: "uptime", seconds: 1432.390211 });
    assert.equal(record?.host, "node-9");
    assert.equal(record?.message, "Out of memory: Killed process 1 (a)");
  });

  it("when kern.log repeats the kernel's stamp inside the message, then it is stripped", () => {
    const record = prefixed(
      "Jul 12 12:11:16 host kernel: [ 1432.390211] memory: usage 1kB, limit 1kB, failcnt 0",
    );
    assert.equal(record?.message, "memory: usage 1kB, limit 1kB, failcnt 0");
  });

  it("when dmesg prints ISO times (--time-format iso), then the line is the kernel's and the time an instant", () => {
    const record = prefixed(
      "2023-12-13T07:23:21,123456+00:00 stress invoked oom-killer: gfp_mask=0xcc0, order=0, oom_score_adj=0",
    );
    assert.equal(record?.kernel, true);
    assert.equal(record?.host, null);
    assert.deepEqual(record?.time, { kind: "instant", epochMs: Date.parse("2023-12-13T07:23:21.123Z") });
    assert.match(record?.message ?? "", /^stress invoked oom-killer/);
  });

  it("when dmesg decodes facility and level (-x), then they are stripped from a kernel line", () => {
    const record = prefixed(
      "kern  :err   : [  123.656789] Memory cgroup out of memory: Killed process 42 (stress)",
    );
    assert.deepEqual(record?.time, { kind: "uptime", seconds: 123.656789 });
    assert.equal(record?.message, "Memory cgroup out of memory: Killed process 42 (stress)");
  });

  it("when a kernel has CONFIG_PRINTK_CALLER or dmesg -r keeps the level, then both are stripped", () => {
    assert.equal(
      prefixed("[   37.052923][ T9185] a.out invoked oom-killer:")?.message,
      "a.out invoked oom-killer:",
    );
    assert.equal(prefixed("<6>[ 1205.517883] Task in /a killed")?.message, "Task in /a killed");
  });

  it("when lines share a stamp or a source, then each line's own host, source and message are read", () => {
    const text = [
      "Jul 12 12:11:16 node-a kernel: Killed process 1 (a)",
      "Jul 12 12:11:16 node-a kubelet[22]: Killed process 2 (b)",
      "Jul 12 12:11:16 node-b kernel: Killed process 3 (c)",
      "Jul 12 12:11:17 node-b kernel: Killed process 4 (d)",
      "Jul 12 12:11:17 node-b kernel:  Killed process 5 (e)",
    ].join("\n");
    const reader = new JournalReader();
    // A non-kernel line is passed over, and read only if it is the last: the order is the message's.
    const records = [...reader.push(new TextEncoder().encode(text)), ...reader.end()].sort((a, b) =>
      a.message.trim().localeCompare(b.message.trim()),
    );
    assert.deepEqual(
      records.map((record) => [
        record.host,
        record.kernel,
        record.message,
        record.time.kind === "wall" && record.time.wall.second,
      ]),
      [
        ["node-a", true, "Killed process 1 (a)", 16],
        ["node-a", false, "Killed process 2 (b)", 16],
        ["node-b", true, "Killed process 3 (c)", 16],
        ["node-b", true, "Killed process 4 (d)", 17],
        ["node-b", true, " Killed process 5 (e)", 17],
      ],
    );
  });

  it("when short-iso has a +08:00 offset, then the time is an instant", () => {
    const record = prefixed("2021-07-12T12:11:16+08:00 k8s-node-04 kernel: x");
    assert.deepEqual(record?.time, { kind: "instant", epochMs: Date.parse("2021-07-12T04:11:16Z") });
  });

  it("when short-full names a zone abbreviation other than UTC, then the time stays wall-clock with its year", () => {
    const record = prefixed("Mon 2021-07-12 12:11:16 CST k8s-node-04 kernel: x");
    assert.equal(record?.time.kind, "wall");
    assert.equal(record?.time.kind === "wall" ? record.time.wall.year : 0, 2021);
  });

  it("when a non-kernel identifier writes the line, then it is not a kernel record", () => {
    const record = prefixed('Jul 12 12:11:16 k8s-node-04 dockerd[2687797]: time="x" level=error');
    assert.equal(record?.kernel, false);
    assert.equal(record?.host, "k8s-node-04");
  });

  it("when journalctl separates boots, then the marker is a boot record", () => {
    assert.equal(prefixed("-- Boot 0f1e2d3c4b5a69788796a5b4c3d2e1f0 --")?.marker, "boot");
    assert.equal(prefixed("-- Reboot --")?.marker, "boot");
    assert.equal(prefixed("--")?.marker, "gap", "grep's separator between context groups");
  });

  it("when a month is written in any supported locale, then its number is known", () => {
    const cases: Array<[string, number]> = [
      ["Jul", 7],
      ["7月", 7],
      ["12월", 12],
      ["juil.", 7],
      ["Okt", 10],
      ["Mär", 3],
      ["ago", 8],
      ["июл", 7],
      ["paź", 10],
      ["03", 3],
    ];
    for (const [token, month] of cases) assert.equal(monthNumber(token), month, token);
    assert.equal(monthNumber("kernel:"), null);
    assert.equal(monthNumber("13"), null);
  });
});

describe("journal coverage", () => {
  it("when a JSON journal starts with other units' lines, then its start is still known", () => {
    const line = (micros: number, transport: string, message: string) =>
      JSON.stringify({
        __REALTIME_TIMESTAMP: String(micros),
        _HOSTNAME: "n1",
        _TRANSPORT: transport,
        MESSAGE: message,
      });
    const text = [
      line(1_000_000_000_000, "stdout", "kubelet started"),
      line(1_000_100_000_000, "stdout", "kubelet still running"),
      line(1_000_200_000_000, "kernel", "eth0: link up"),
      line(1_000_300_000_000, "stdout", "kubelet still running"),
    ].join("\n");
    const facts = parseJournal(text).nodes[0];
    assert.deepEqual(facts?.firstTime, { kind: "instant", epochMs: 1_000_000_000 });
    assert.deepEqual(facts?.lastTime, { kind: "instant", epochMs: 1_000_300_000 });
  });
});
