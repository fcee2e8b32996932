// The digest's look ahead: for its top workloads with OOM kills, what their memory history says of the
// next kill, when they leak. Read through the cluster and metrics ports; a workload whose pods or
// history cannot be read is left out, never the digest.

import { type ContainerCase, finishedMs, readPods } from "../src/analysis/pod.js";
import { workloadName } from "../src/analysis/workload-key.js";
import type { DigestModel } from "../src/digest/summary.js";
import type { Prediction } from "../src/history/model.js";
import type { MetricsSource } from "../src/history/ports.js";
import type { HistoryOptions } from "../src/history/queries.js";
import { historyReader, workloadHistory } from "../src/history/workload-history.js";
import type { ClusterReader } from "../src/ports.js";

export interface DigestPrediction {
  /** `namespace/Kind/name`. */
  workload: string;
  prediction: Prediction;
}

/** The top workloads looked ahead for, at most: each costs a pod listing and two queries. */
const LOOKED_AT = 5;

const isOomKilled = (container: ContainerCase) => container.lastTermination?.reason === "OOMKilled";

export async function predictedKills(
  cluster: ClusterReader,
  history: { source: MetricsSource; options: HistoryOptions },
  model: DigestModel,
  pageSize: number,
  nowMs: number,
): Promise<DigestPrediction[]> {
  const found: DigestPrediction[] = [];
  for (const line of model.top.filter((top) => top.oomKills > 0).slice(0, LOOKED_AT)) {
    const listed = await cluster.listPods(line.namespace, pageSize);
    const pods = listed.ok ? readPods(listed.value) : null;
    if (!pods?.ok) continue;
    const mine = pods.cases.filter((container) => workloadName(container.workload) === line.workload);
    const killed = mine.find(isOomKilled);
    if (!killed) continue;
    const same = mine.filter((container) => container.container === killed.container);
    const kills = same.filter(isOomKilled).flatMap((container) => {
      const atMs = finishedMs(container);
      return atMs === null ? [] : [{ pod: container.pod, container: container.container, atMs, bytes: null }];
    });
    const { summary } = await workloadHistory(
      historyReader(history.source, history.options),
      {
        namespace: line.namespace,
        container: killed.container,
        podNames: same.map((container) => container.pod),
        workload: killed.workload,
        kills,
        limitBytes: killed.memoryLimitBytes,
        nowMs,
      },
      history.options,
    );
    const prediction = summary.pattern.prediction;
    if (prediction && Date.parse(prediction.at) > nowMs) found.push({ workload: line.key, prediction });
  }
  return found;
}
