// `npm run bench:scan`: a fake cluster of 300 pods, 40 of them OOM-killed, on 12 nodes with one real
// sshd each. Times `oom-doctor scan` against, in the same run, (a) the operator's way scripted as a
// sequential loop (one API call and one `ssh ... journalctl` per killed pod) and (b) the critical path
// (one pod list plus the slowest single node's fetch).

import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type HarnessCluster, startCluster } from "../harness/cluster.js";
import { podObject } from "../harness/pods.js";
import { oomReport } from "./journal-generator.js";

const NODES = 12;
const PODS = 300;
const KILLED = 40;
const NAMESPACE = "shop";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASE = Date.parse("2024-06-01T12:00:00Z");

type Json = Record<string, unknown>;

function hex(seed: number, length: number): string {
  let out = "";
  let x = seed * 2654435761;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += x.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

function uid(seed: number): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function entry(host: string, micros: number, message: string, kernel: boolean): string {
  const fields = [
    `__REALTIME_TIMESTAMP=${micros}`,
    "_BOOT_ID=5b6c7d8e9f0a1b2c3d4e5f60718293a4",
    `_HOSTNAME=${host}`,
    ...(kernel
      ? ["_TRANSPORT=kernel", "SYSLOG_IDENTIFIER=kernel"]
      : ["_TRANSPORT=stdout", "SYSLOG_IDENTIFIER=kubelet", "_SYSTEMD_UNIT=kubelet.service"]),
    `MESSAGE=${message}`,
  ];
  return `${fields.join("\n")}\n\n`;
}

interface Killed {
  pod: string;
  node: string;
  finishedMs: number;
}

async function buildCluster(dir: string): Promise<{ cluster: HarnessCluster; killed: Killed[] }> {
  const pods: Json[] = [];
  const killed: Killed[] = [];
  const journals = new Map<number, string[]>();
  for (let n = 0; n < NODES; n++) {
    // Background chatter: a node's kubelet writes all day long.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(
        entry(
          `bench-node-${n}`,
          (BASE - 3_600_000 + i * 2400) * 1000,
          `I0601 kubelet.go:2191] "SyncLoop (probe)" probe="readiness" status="ready" pod="${NAMESPACE}/web-${i}"`,
          false,
        ),
      );
    }
    journals.set(n, lines);
  }
  for (let p = 0; p < PODS; p++) {
    const n = p % NODES;
    const node = `bench-node-${n}`;
    const id = hex(p + 7, 64);
    const podUid = uid(p + 1);
    const isKilled = p < KILLED;
    const finishedMs = BASE + p * 45_000;
    pods.push(
      podObject({
        name: `web-${p}`,
        namespace: NAMESPACE,
        uid: podUid,
        node,
        restartCount: isKilled ? 3 : 0,
        ...(isKilled ? { lastContainerId: id, finishedAt: new Date(finishedMs).toISOString() } : {}),
      }),
    );
    if (isKilled) {
      killed.push({ pod: `web-${p}`, node, finishedMs });
      const micros = (finishedMs - 1000) * 1000;
      for (const [i, line] of oomReport(podUid, id, 10_000 + p).entries())
        journals.get(n)?.push(entry(node, micros + i, line, true));
    }
  }
  const nodes = [];
  for (let n = 0; n < NODES; n++) {
    const file = join(dir, `bench-node-${n}.export`);
    const lines = journals.get(n) ?? [];
    lines.sort(
      (a, b) =>
        Number(/__REALTIME_TIMESTAMP=(\d+)/.exec(a)?.[1]) - Number(/__REALTIME_TIMESTAMP=(\d+)/.exec(b)?.[1]),
    );
    writeFileSync(file, lines.join(""));
    nodes.push({ name: `bench-node-${n}`, address: `127.0.3.${n + 1}`, journal: [file] });
  }
  return { cluster: await startCluster({ pods, nodes }), killed };
}

// The fake API server lives in this process: children must run asynchronously so it can answer them.
function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const scratch = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
const { cluster, killed } = await buildCluster(scratch);
try {
  const config = cluster.writeConfig({ concurrency: Number(process.env.BENCH_CONCURRENCY ?? NODES) });
  const ca = join(cluster.dir, "ca.crt");
  const curl = (path: string) =>
    run("curl", [
      "-sf",
      "--cacert",
      ca,
      "-H",
      "Authorization: Bearer harness-token",
      `${cluster.api.url}${path}`,
    ]);
  const ssh = (node: string, command: string) => {
    const target = cluster.fleet.nodes.get(node);
    if (!target) throw new Error(node);
    const options = [
      `UserKnownHostsFile=${cluster.knownHostsPath}`,
      "StrictHostKeyChecking=yes",
      "BatchMode=yes",
    ];
    return run("ssh", [
      "-q",
      "-i",
      cluster.fleet.userKeyPath,
      "-p",
      String(target.port),
      ...options.flatMap((option) => ["-o", option]),
      `${cluster.fleet.user}@${target.address}`,
      command,
    ]);
  };
  const journalQuery = (node: string, since: number, until: number) =>
    `${cluster.fleet.nodes.get(node)?.journalCommand} -o json --no-pager -q --since @${since} --until @${until} _TRANSPORT=kernel`;

  const scanRuns: number[] = [];
  const warmRuns: number[] = [];
  let peakRssMb = 0;
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    let output = "";
    scanRuns.push(
      await seconds(async () => {
        const result = await run(process.execPath, [
          join(import.meta.dirname, "run-cli.mjs"),
          "scan",
          NAMESPACE,
          "--config",
          config,
          "--format",
          "json",
        ]);
        output = result.stdout;
        warmRuns.push(Number(/run-seconds (\S+)/.exec(result.stderr)?.[1]));
        peakRssMb = Math.max(peakRssMb, Number(/peak-rss-kb (\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024);
      }),
    );
    const report = JSON.parse(output) as { findings: Array<{ verdict: string }> };
    findings = report.findings.filter((finding) => finding.verdict === "container-limit").length;
  }
  if (findings !== KILLED)
    throw new Error(`scan found ${findings} container-limit verdicts, expected ${KILLED}`);

  const sequentialRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sequentialRuns.push(
      await seconds(async () => {
        for (const pod of killed) {
          await curl(`/api/v1/namespaces/${NAMESPACE}/pods/${pod.pod}`);
          const at = Math.floor(pod.finishedMs / 1000);
          await ssh(pod.node, journalQuery(pod.node, at - 600, at + 300));
        }
      }),
    );
  }

  const nodeWindow = (node: string) => {
    const times = killed.filter((pod) => pod.node === node).map((pod) => Math.floor(pod.finishedMs / 1000));
    return journalQuery(node, Math.min(...times) - 600, Math.max(...times) + 300);
  };
  const criticalRuns: number[] = [];
  const floorRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const list = await seconds(() => curl(`/api/v1/namespaces/${NAMESPACE}/pods?limit=500`));
    const perNode: number[] = [];
    for (const node of cluster.fleet.nodes.keys())
      perNode.push(await seconds(() => ssh(node, nodeWindow(node))));
    criticalRuns.push(list + Math.max(...perNode));
    // All nodes at once with OpenSSH: what the same parallel work costs when the "nodes" share this machine.
    const together = await seconds(() =>
      Promise.all([...cluster.fleet.nodes.keys()].map((node) => ssh(node, nodeWindow(node)))),
    );
    floorRuns.push(list + together);
  }

  // The command as an operator runs it (a new process) against the operator's loop; the investigation
  // itself (modules loaded, as in the worker) against the critical path.
  const scanSeconds = median(scanRuns);
  const warmSeconds = median(warmRuns);
  const result = {
    speedupVsSequential: Number((median(sequentialRuns) / scanSeconds).toFixed(2)),
    ratioToCriticalPath: Number((warmSeconds / median(criticalRuns)).toFixed(2)),
    peakRssMb: Number(peakRssMb.toFixed(1)),
  };
  const ratioToParallelFloor = Number((warmSeconds / median(floorRuns)).toFixed(2));
  process.stdout.write(
    `cluster: ${PODS} pods, ${KILLED} OOM-killed, ${NODES} nodes (one sshd each); scan with ssh.concurrency ${NODES}\n` +
      `scan ${scanSeconds.toFixed(2)} s as a command (${warmSeconds.toFixed(2)} s once its modules are loaded), sequential operator loop ${median(sequentialRuns).toFixed(2)} s, critical path ${median(criticalRuns).toFixed(2)} s (medians of ${RUNS})\n` +
      `scan is ${result.speedupVsSequential}x faster than the sequential loop and takes ${result.ratioToCriticalPath}x the critical path; peak RSS ${result.peakRssMb} MB\n` +
      `all ${NODES} nodes fetched at once by OpenSSH take ${median(floorRuns).toFixed(2)} s here (the nodes share ${availableParallelism()} cores): scan takes ${ratioToParallelFloor}x that\n` +
      `${JSON.stringify(result)}\n`,
  );
} finally {
  await cluster.close();
  execFileSync("rm", ["-rf", scratch]);
}
