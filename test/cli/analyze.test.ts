import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../harness/cli.js";
import { fixturePath, ROOT } from "../harness/fixtures.js";
import { podList } from "../harness/pods.js";

const ESC = "\u001b";
const scratch = mkdtempSync(join(tmpdir(), "oom-doctor-cli-"));
const emptyDir = mkdtempSync(join(tmpdir(), "oom-doctor-empty-"));

after(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

function write(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe("oom-doctor analyze", () => {
  it("when given the seed capture as JSON, then the k8s-node-04 pod is container-limit with the kernel's figures", async () => {
    const run = await runCli(["analyze", fixturePath("seed"), "--format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 1);
    const finding = report.findings.find((f: { node: string }) => f.node === "k8s-node-04");
    assert.equal(finding.verdict, "container-limit");
    assert.equal(finding.kernelEvent.victim.comm, "systembusin");
    assert.equal(finding.kernelEvent.victim.pid, 1735923);
    assert.equal(finding.kernelEvent.memcgUsageBytes, 1_048_576_000);
    assert.equal(finding.kernelEvent.memcgLimitBytes, 1_048_576_000);
    assert.equal(finding.kernelEvent.victim.anonRssBytes, 1_042_014_208);
    assert.equal(finding.qosClass, "Burstable");
    assert.ok(finding.recommendation.memoryLimitBytes > 1_048_576_000);
    assert.equal(finding.clockSkewSeconds, 56);
    assert.equal(finding.kernelEvent.cgroupDriver, "systemd");
    assert.equal(finding.kernelEvent.runtime, "docker");
    assert.match(finding.explanation, /99\.4% of the 1000Mi limit/);
    assert.match(finding.explanation, /total-vm 1\.6 GiB is virtual address space/);
    assert.match(finding.explanation, /2\.6 per pod per day/);
  });

  it("when given --pods and --journal NODE=FILE, then the same verdict comes out", async () => {
    const run = await runCli([
      "analyze",
      "--pods",
      fixturePath("seed", "pods.json"),
      "--journal",
      `k8s-node-04=${fixturePath("seed", "journal", "k8s-node-04.log")}`,
      "--namespace",
      "production",
      "--format",
      "json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.namespace, "production");
    assert.deepEqual(report.summary.byVerdict["container-limit"], 1);
  });

  it("when pods come as YAML with several documents, then they are read", async () => {
    const pods = podList({ uid: "3b0f6d7e-5a8c-4b1e-9f2d-7c4e1a9b8d21", lastContainerId: "ab".repeat(32) });
    const items = (pods.items as unknown[]).map((item) => `---\n${JSON.stringify(item)}\n`).join("");
    const run = await runCli(["analyze", "--pods", write("pods.yaml", items), "--format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).findings[0].verdict, "no-evidence");
  });

  it("when output goes to a terminal, then the verdict is coloured; to a pipe, it is plain", async () => {
    const tty = await runCli(["analyze", fixturePath("seed")], { tty: true });
    assert.ok(tty.stdout.includes(`${ESC}[31m[container-limit]`));
    const pipe = await runCli(["analyze", fixturePath("seed")]);
    assert.ok(!pipe.stdout.includes(ESC));
  });

  it("when only a syslog journal and the node's offset are given, then each kill is listed with its verdict and an ISO time", async () => {
    const journal = write(
      "node-7.log",
      [
        "Dec 31 23:59:58 node-7 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods.slice,task_memcg=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b5e6c1c_8d1e_4b59_9d1a_2f3c4d5e6f70.slice/cri-containerd-aa11bb22cc33dd44ee55ff6677889900aa11bb22cc33dd44ee55ff6677889900.scope,task=java,pid=4242,uid=1000",
        "Dec 31 23:59:58 node-7 kernel: Memory cgroup out of memory: Killed process 4242 (java) total-vm:4194304kB, anon-rss:2097152kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4200kB oom_score_adj:1000",
      ].join("\n"),
    );
    const json = await runCli(
      ["analyze", "--journal", journal, "--node-utc-offset", "+08:00", "--format", "json"],
      {
        nowMs: Date.parse("2026-01-02T00:00:00Z"),
      },
    );
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.findings, []);
    assert.equal(report.kernelEvents.length, 1);
    const [event] = report.kernelEvents;
    assert.equal(event.verdict, "node-allocatable");
    assert.equal(event.node, "node-7");
    assert.equal(event.time, "2025-12-31T15:59:58.000Z", "the year nearest the run, not the next one");
    assert.equal(event.podUid, "0b5e6c1c-8d1e-4b59-9d1a-2f3c4d5e6f70");
    assert.equal(event.finding, null);
    const text = await runCli(["analyze", "--journal", journal, "--node-utc-offset", "+08:00"], {
      nowMs: Date.parse("2026-01-02T00:00:00Z"),
    });
    assert.match(text.stdout, /1 kernel OOM report in the journals \(1 node-allocatable\)/);
    assert.match(text.stdout, /\[node-allocatable\] node-7 2025-12-31T15:59:58\.000Z: java \(pid 4242\)/);
  });

  const badInputs: Array<[string, string[], RegExp]> = [
    [
      "a missing pods file",
      ["analyze", "--pods", "/nonexistent/pods.json"],
      /\/nonexistent\/pods\.json: no such file/,
    ],
    [
      "a directory without pods.json",
      ["analyze", emptyDir],
      /no pods\.json \(or pods\.yaml\) in this directory/,
    ],
    [
      "an unknown format",
      ["analyze", fixturePath("seed"), "--format", "xml"],
      /--format xml: expected one of text, markdown, json/,
    ],
    [
      "an invalid namespace",
      ["analyze", fixturePath("seed"), "--namespace", "Prod_1"],
      /--namespace Prod_1: not a valid namespace/,
    ],
    [
      "a bad --as-of",
      ["analyze", fixturePath("seed"), "--as-of", "yesterday"],
      /--as-of yesterday: expected a time/,
    ],
    [
      "a bad offset",
      ["analyze", fixturePath("seed"), "--node-utc-offset", "+25:00"],
      /--node-utc-offset \+25:00/,
    ],
    [
      "an empty NODE=",
      ["analyze", "--pods", "x", "--journal", "=file"],
      /--journal =file: expected NODE=FILE/,
    ],
    ["an unknown option", ["analyze", "--frobnicate"], /Unknown option '--frobnicate'/],
    ["nothing to analyse", ["analyze"], /give a capture directory, --pods FILE, or --journal/],
    [
      "--namespace with a journal alone",
      ["analyze", "--journal", "node.log", "--namespace", "shop"],
      /--namespace needs --pods/,
    ],
    ["both a directory and --pods", ["analyze", "dir", "--pods", "p.json"], /not both/],
    ["an unknown command", ["analyse-this"], /unknown command "analyse-this"/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`when given ${what}, then it exits 2 with a clear message and no stack trace`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
      assert.equal(run.stdout, "");
    });
  }

  it("when the pods file is not JSON or YAML, then the message names the file and line", async () => {
    const run = await runCli(["analyze", "--pods", write("broken.yaml", "items:\n  - a: [1, 2\n")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /broken\.yaml:\d+: not valid JSON or YAML/);
  });

  it("when the pods file is JSON but holds no pods, then it says what was expected", async () => {
    const run = await runCli(["analyze", "--pods", write("cm.json", '{"kind":"ConfigMap"}')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no Pod objects found/);
    assert.match(run.stderr, /kubectl get pods -n NAMESPACE -o json/);
  });

  it("when a journal file is missing, then the message names it", async () => {
    const run = await runCli([
      "analyze",
      "--pods",
      fixturePath("seed", "pods.json"),
      "--journal",
      "n1=/nope.log",
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\/nope\.log: no such file/);
  });

  it("when run as the installed command, then the exit code and streams are the same", () => {
    const bin = join(ROOT, "bin", "oom-doctor.js");
    const ok = spawnSync(process.execPath, [bin, "analyze", fixturePath("seed"), "--format", "json"], {
      encoding: "utf8",
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).summary.findings, 3);
    const bad = spawnSync(process.execPath, [bin, "analyze", "--pods", "/nonexistent.json"], {
      encoding: "utf8",
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^oom-doctor: \/nonexistent\.json: no such file or directory\n$/);
  });
});
