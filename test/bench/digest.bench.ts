// `npm run bench:digest`: a cluster-wide digest over 10,000 pods in 200 namespaces on the fake API
// server, against the floor measured in the same run: one bare paginated listing of the same pods
// with the same client. Each run is a process of its own, so peak RSS is the run's alone.
// Last line: {"seconds", "ratioToFloor", "peakRssMb"}. Targets: within 2x of the floor, under 300 MB.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPrefix, uniquePrefix } from "../harness/bot.js";
import { FakeKubeApi } from "../harness/fake-kube-api.js";
import { BOT_TOKEN, FakeSlack } from "../harness/fake-slack.js";
import { podObject } from "../harness/pods.js";
import { makeTls } from "../harness/tls.js";

const NAMESPACES = 200;
const PODS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function run(args: string[]): Promise<{ seconds: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/usr/bin/time",
      ["-f", "%M", process.execPath, "test/bench/digest-run.mjs", ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (code) => {
      const rssKb = Number(err.trim().split("\n").at(-1));
      if (code !== 0 || !Number.isFinite(rssKb)) reject(new Error(`${args[0]} failed (${code}): ${err}`));
      else resolve({ seconds: Number(out.trim()), peakRssMb: rssKb / 1024 });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), "oom-doctor-bench-digest-"));
const api = new FakeKubeApi(makeTls(dir));
const slack = new FakeSlack();
const prefix = uniquePrefix();
try {
  await api.start();
  await slack.start();
  for (let index = 0; index < PODS; index++) {
    const namespace = `team-${String(index % NAMESPACES).padStart(3, "0")}`;
    const restarting = index % 10 === 0;
    api.state.pods.push(
      podObject({
        name: `app-${index % 37}-5f7d9c8b6d-${String(index).padStart(5, "0")}`,
        uid: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
        namespace,
        node: `node-${index % 40}`,
        owner: { kind: "ReplicaSet", name: `app-${index % 37}-5f7d9c8b6d` },
        labels: { app: `app-${index % 37}`, "pod-template-hash": "5f7d9c8b6d" },
        restartCount: restarting ? 1 + (index % 7) : 0,
        ...(restarting
          ? {
              lastContainerId: `c${index}`,
              reason: index % 20 === 0 ? "OOMKilled" : "Error",
              finishedAt: "2024-06-01T20:00:00Z",
            }
          : {}),
        createdAt: "2024-06-01T12:00:00Z",
      }),
    );
  }
  const kubeconfig = api.writeKubeconfig(dir);
  const floors: Array<{ seconds: number; peakRssMb: number }> = [];
  const digests: Array<{ seconds: number; peakRssMb: number }> = [];
  for (let attempt = 0; attempt < RUNS; attempt++) {
    floors.push(await run(["floor", kubeconfig]));
    digests.push(await run(["digest", kubeconfig, slack.apiUrl, `${prefix}-${attempt}`, BOT_TOKEN]));
  }
  const floor = median(floors.map((r) => r.seconds));
  const seconds = median(digests.map((r) => r.seconds));
  const peakRssMb = Math.max(...digests.map((r) => r.peakRssMb));
  console.log(`pods: ${PODS} in ${NAMESPACES} namespaces, pages of 500, ${RUNS} runs each (medians)`);
  console.log(
    `floor (bare paginated listing): ${floor.toFixed(2)} s, peak RSS ${median(floors.map((r) => r.peakRssMb)).toFixed(0)} MB`,
  );
  console.log(
    `digest (snapshot, summary, message, chart): ${seconds.toFixed(2)} s, peak RSS ${peakRssMb.toFixed(0)} MB`,
  );
  console.log(`ratio to floor: ${(seconds / floor).toFixed(2)}x (target 2x); peak RSS target 300 MB`);
  console.log(
    JSON.stringify({
      seconds: Number(seconds.toFixed(3)),
      ratioToFloor: Number((seconds / floor).toFixed(2)),
      peakRssMb: Math.round(peakRssMb),
    }),
  );
} finally {
  for (let attempt = 0; attempt < RUNS; attempt++) await dropPrefix(`${prefix}-${attempt}`);
  await slack.stop();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
