// The bench cluster's memory history, as a Prometheus scraping its kubelets every minute would hold
// it: every pod's container over the week before the kills and the hour since. Of the four
// Deployments whose pods were all OOM-killed, two leak (killed every 6 to 10 hours), one spikes and
// one sits flat under its limit (killed about daily); the other pods sit well below theirs. Written
// straight to an OpenMetrics file, a series at a time: millions of samples.

import { closeSync, openSync, writeSync } from "node:fs";
import type { Pattern } from "../../src/history/model.js";
import {
  flat,
  HOUR_MS,
  leaking,
  MI,
  MINUTE_MS,
  type RunSpec,
  simulateRun,
  spiking,
} from "../harness/container-memory.js";
import { type GeneratedSeries, seriesLines } from "../harness/prometheus.js";
import { type ClusterLayout, NAMESPACE, PODS, podIdentity } from "./bench-cluster.js";
import { seeded } from "./history-generator.js";

const DAY_MS = 24 * HOUR_MS;
/** The bench pods' container, limited to 512Mi (test/harness/pods.ts). */
const CONTAINER = "app";

export interface KilledPod {
  pod: string;
  finishedMs: number;
}

/** The pattern each killed Deployment's history shows, by the Deployment's number. */
const KILLED_PATTERNS: Pattern[] = ["leak", "spike", "undersized", "leak"];

export function expectedPattern(deployment: string): Pattern {
  return KILLED_PATTERNS[Number(deployment.replace("svc-", ""))] ?? "unknown";
}

/** The runs before a kill, newest first, back to `fromMs`: each `runMs` long, restarted within a minute. */
function runsBefore(
  killMs: number,
  runMs: number,
  fromMs: number,
): Array<{ startMs: number; endMs: number }> {
  const runs = [];
  for (let endMs = killMs; endMs > fromMs; endMs -= runMs + MINUTE_MS)
    runs.push({ startMs: Math.max(fromMs, endMs - runMs), endMs });
  return runs;
}

function podRuns(
  p: number,
  layout: ClusterLayout,
  killed: Map<string, number>,
  fromMs: number,
  nowMs: number,
) {
  const random = seeded(1000 + p);
  const { name, deployment } = podIdentity(p, layout);
  const spec = (part: Omit<RunSpec, "pod" | "container" | "id" | "limitBytes">, index: number): RunSpec => ({
    pod: name,
    container: CONTAINER,
    id: `/kubepods/burstable/pod-${name}/containerd-${index}`,
    limitBytes: null,
    ...part,
  });
  const killMs = killed.get(name);
  if (killMs === undefined || deployment === null)
    return [
      simulateRun(
        random,
        spec(
          { startMs: fromMs, untilMs: nowMs, level: flat((100 + (p % 8) * 25) * MI), noiseFraction: 0.03 },
          0,
        ),
      ),
    ];
  const pattern = expectedPattern(deployment);
  const runMs = pattern === "leak" ? (6 + (p % 5)) * HOUR_MS : 20 * HOUR_MS;
  const level = (runLengthMs: number) =>
    pattern === "leak"
      ? leaking(60 * MI, (440 * MI) / (runLengthMs / HOUR_MS))
      : pattern === "spike"
        ? spiking(200 * MI, runLengthMs - 2 * MINUTE_MS, 600 * MI)
        : flat(480 * MI);
  const noiseFraction = pattern === "undersized" ? 0.008 : 0.01;
  const killedRuns = runsBefore(killMs, runMs, fromMs)
    .reverse()
    .map(({ startMs, endMs }, index) =>
      simulateRun(random, spec({ startMs, untilMs: endMs, level: level(runMs), noiseFraction }, index)),
    );
  const current = simulateRun(
    random,
    spec(
      {
        startMs: killMs + 10_000,
        untilMs: nowMs,
        level: pattern === "leak" ? level(runMs) : pattern === "spike" ? flat(200 * MI) : flat(480 * MI),
        noiseFraction,
      },
      killedRuns.length,
    ),
  );
  return [...killedRuns, current];
}

/**
 * Writes the history of every pod of the layout to `path` as OpenMetrics: working set and RSS, from
 * `days` days and some hours before the first kill (all any workload's report reads) to `nowMs`.
 */
export function writeBenchHistory(
  path: string,
  layout: ClusterLayout,
  killedPods: readonly KilledPod[],
  nowMs: number,
  days: number,
): { samples: number } {
  const killed = new Map(killedPods.map((pod) => [pod.pod, pod.finishedMs]));
  const fromMs = Math.min(...killedPods.map((pod) => pod.finishedMs)) - days * DAY_MS - 7 * HOUR_MS;
  const fd = openSync(path, "w");
  let samples = 0;
  try {
    for (const [metric, share] of [
      ["container_memory_working_set_bytes", 1],
      ["container_memory_rss", 0.85],
    ] as const) {
      writeSync(fd, `# TYPE ${metric} gauge\n`);
      // Regenerated for each metric from the same seeds: nothing but one pod's runs is held at once.
      for (let p = 0; p < PODS; p++) {
        for (const run of podRuns(p, layout, killed, fromMs, nowMs)) {
          const series: GeneratedSeries = {
            metric,
            labels: {
              job: "kubelet",
              namespace: NAMESPACE,
              pod: run.spec.pod,
              container: CONTAINER,
              id: run.spec.id,
            },
            samples: run.points.map(([ms, bytes]) => [ms, Math.round(bytes * share)]),
          };
          samples += series.samples.length;
          writeSync(fd, seriesLines(series));
        }
      }
    }
    writeSync(fd, "# EOF\n");
  } finally {
    closeSync(fd);
  }
  return { samples };
}
