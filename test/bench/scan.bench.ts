// `npm run bench:scan`: a fake cluster of 300 pods, 40 of them OOM-killed, on 12 nodes with one real
// sshd each. Times `oom-doctor scan` against, in the same run, (a) the operator's way scripted as a
// sequential loop (one API call and one `ssh ... journalctl` per killed pod) and (b) the critical path
// (one pod list plus the slowest single node's fetch).

import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import {
  buildCluster,
  KILLED,
  median,
  NAMESPACE,
  NODES,
  operatorTools,
  PODS,
  seconds,
  timedScan,
} from "./bench-cluster.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const scratch = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
const { cluster, killed } = await buildCluster(scratch);
try {
  const config = cluster.writeConfig({ concurrency: Number(process.env.BENCH_CONCURRENCY ?? NODES) });
  const { curl, ssh, journalQuery, sequentialLoop } = operatorTools(cluster, killed);

  const scanRuns: number[] = [];
  const warmRuns: number[] = [];
  let peakRssMb = 0;
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    const scan = await timedScan(config);
    scanRuns.push(scan.wallSeconds);
    warmRuns.push(scan.warmSeconds);
    peakRssMb = Math.max(peakRssMb, scan.peakRssMb);
    const report = JSON.parse(scan.stdout) as { findings: Array<{ verdict: string }> };
    findings = report.findings.filter((finding) => finding.verdict === "container-limit").length;
  }
  if (findings !== KILLED)
    throw new Error(`scan found ${findings} container-limit verdicts, expected ${KILLED}`);

  const sequentialRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sequentialRuns.push(await seconds(sequentialLoop));
  }

  const nodeWindow = (node: string) => {
    const times = killed.filter((pod) => pod.node === node).map((pod) => Math.floor(pod.finishedMs / 1000));
    return journalQuery(Math.min(...times) - 600, Math.max(...times) + 300);
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
