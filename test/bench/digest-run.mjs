// One measured run for `npm run bench:digest`, in a process of its own so that /usr/bin/time reports
// its peak memory alone. `floor`: list every pod of the cluster page by page and do nothing else.
// `digest`: the digest job as the worker runs it (page-streamed snapshot into Redis, the summary,
// the Slack message and the chart). Prints the operation's seconds.

// The compiled code (`npm run build`), as production runs it: no TypeScript loader in the measurement.
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import { digestProcessor } from "../../dist/jobs/digest.js";
import { ok } from "../../dist/src/errors.js";
import { KubernetesCluster } from "../../dist/src/k8s/cluster.js";
import { loadKubeConfig } from "../../dist/src/k8s/kubeconfig.js";
import { Metrics } from "../../dist/src/ops/metrics.js";
import { messages } from "../../dist/src/slack/i18n/catalog.js";
import { BotStore } from "../../dist/src/store/bot-store.js";
import { DigestStore } from "../../dist/src/store/digests.js";

const [mode, kubeconfig, slackUrl, prefix, token] = process.argv.slice(2);
const kube = loadKubeConfig({ kubeconfig: kubeconfig ?? null, context: null, inCluster: false });
if (!kube.ok) throw new Error(kube.error.message);
const cluster = new KubernetesCluster(kube.value);
const PAGE = 500;

const started = performance.now();
if (mode === "floor") {
  const listed = await cluster.eachPodPage(null, PAGE, () => undefined);
  if (!listed.ok) throw new Error(listed.error.message);
} else {
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const processor = digestProcessor({
    client: new WebClient(token, { slackApiUrl: slackUrl }),
    store: new BotStore(redis, prefix ?? "bench"),
    digests: new DigestStore(redis, prefix ?? "bench"),
    metrics: new Metrics(),
    log: () => undefined,
    t: messages("en"),
    channels: { C0BENCH: ["*"] },
    now: () => Date.parse("2024-06-02T01:00:00Z"),
    pageSize: PAGE,
    cluster: () => ok(cluster),
  });
  await processor({
    name: "digest",
    id: `bench-${process.pid}`,
    data: { channel: "C0BENCH", scope: "all", tz: "UTC" },
  });
  redis.disconnect();
}
process.stdout.write(`${((performance.now() - started) / 1000).toFixed(3)}\n`);
