// The digests' jobs. snapshot: list the scope's pods page by page and record how far every
// container's restart count moved (one snapshot of a scope at a time). digest: snapshot, then post
// the day's digest, with its chart in the thread. Scheduled occurrences are one job each however
// many workers run, and what a job posted is remembered, so a digest is sent once.

import { randomBytes } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import { type Job, UnrecoverableError } from "bullmq";
import type { Kill } from "../src/alerts/model.js";
import { isNamespaceName, isSlackId } from "../src/analysis/names.js";
import { readPods } from "../src/analysis/pod.js";
import { workloadKey } from "../src/analysis/workload-key.js";
import { containerKey, observe, type RestartEvent, type Seen } from "../src/digest/accounting.js";
import { restartChart } from "../src/digest/chart.js";
import { svgToPng } from "../src/digest/png.js";
import { dayLabels, localTime, summarise } from "../src/digest/summary.js";
import { isTransient, type Result } from "../src/errors.js";
import type { MetricsSource } from "../src/history/ports.js";
import type { HistoryOptions } from "../src/history/queries.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import type { ClusterReader } from "../src/ports.js";
import type { DigestJobData } from "../src/queue/digests.js";
import { type ChannelMap, scopeAllowed } from "../src/slack/channels.js";
import type { Messages } from "../src/slack/i18n/catalog.js";
import { ThreadPoster } from "../src/slack/poster.js";
import { silentKillsText } from "../src/slack/render/alerts.js";
import { digestMessage } from "../src/slack/render/digest.js";
import type { BotStore } from "../src/store/bot-store.js";
import type { DigestStore } from "../src/store/digests.js";
import { predictedKills } from "./digest-predictions.js";

export interface DigestJobDeps {
  client: WebClient;
  store: BotStore;
  digests: DigestStore;
  metrics: Metrics;
  log: Log;
  t: Messages;
  /** slack.channels: which channel may see which scope. */
  channels: ChannelMap;
  now: () => number;
  pageSize: number;
  cluster: () => Result<ClusterReader>;
  /** Where memory history comes from, if anywhere (prometheus.url): the digest then looks ahead. */
  history: { source: MetricsSource; options: HistoryOptions } | null;
  /** Silent kills (see src/alerts) in a namespace, or in every one for null, at or after a time. */
  silentKills: (namespace: string | null, sinceMs: number) => Promise<Kill[]>;
}

const DAY_MS = 86_400_000;

function parseData(data: unknown): DigestJobData | null {
  const value = (data ?? {}) as Record<string, unknown>;
  const { channel, scope, tz } = value;
  if (typeof scope !== "string" || !(scope === "all" || isNamespaceName(scope))) return null;
  if (channel === undefined) return { channel: "", scope, tz: "UTC" };
  if (typeof channel !== "string" || !isSlackId(channel) || typeof tz !== "string") return null;
  return { channel, scope, tz };
}

export function digestProcessor(deps: DigestJobDeps) {
  async function snapshot(scope: string, nowMs: number): Promise<void> {
    const token = randomBytes(8).toString("hex");
    // Two snapshots of one scope at once would count the same restarts twice: the second waits its turn.
    if (!(await deps.digests.lock(scope, token)))
      throw new Error(`a snapshot of ${scope} is already running`);
    try {
      const cluster = deps.cluster();
      if (!cluster.ok) throw new UnrecoverableError(cluster.error.message);
      const previous = await deps.digests.lastSnapshot(scope);
      const seen = new Map<string, Seen>();
      const events: RestartEvent[] = [];
      const listed = await cluster.value.eachPodPage(
        scope === "all" ? null : scope,
        deps.pageSize,
        (page) => {
          const pods = readPods(page);
          for (const container of pods.ok ? pods.cases : []) {
            const key = containerKey(container);
            const observed = observe(container, previous.seen.get(key), previous.atMs, nowMs);
            seen.set(key, observed.seen);
            if (observed.event) events.push(observed.event);
          }
        },
      );
      if (!listed.ok) {
        throw isTransient(listed.error)
          ? new Error(listed.error.message)
          : new UnrecoverableError(listed.error.message);
      }
      await deps.digests.saveSnapshot(scope, nowMs, seen, events);
    } finally {
      await deps.digests.unlock(scope, token);
    }
  }

  async function digest(job: Job, data: DigestJobData): Promise<void> {
    // Subscribed under an older slack.channels: the channel is held to the map as it is now.
    if (!scopeAllowed(deps.channels, data.channel, data.scope)) {
      deps.log("warn", "digest not posted: slack.channels no longer lets the channel see its scope", {
        job: job.id,
        channel: data.channel,
        scope: data.scope,
      });
      return;
    }
    const nowMs = deps.now();
    await snapshot(data.scope, nowMs);
    const all = await deps.digests.events(data.scope, nowMs - 8 * DAY_MS, nowMs);
    const keyOf = (event: RestartEvent) => workloadKey(event.namespace, event.workload);
    const keys = [...new Set(all.map(keyOf))];
    const snoozed = await deps.store.snoozed(data.channel, keys);
    const model = summarise(
      all.filter((event) => !snoozed.has(keyOf(event))),
      nowMs,
    );
    const jobId = job.id ?? "";
    const buttons = new Map<string, string>();
    for (const line of model.top) {
      buttons.set(
        line.key,
        await deps.digests.saveButton({
          channel: data.channel,
          job: jobId,
          namespace: line.namespace,
          workload: line.key,
        }),
      );
    }
    const silent = (await deps.silentKills(data.scope === "all" ? null : data.scope, nowMs - DAY_MS)).filter(
      (kill) => kill.namespace !== null && !snoozed.has(workloadKey(kill.namespace, kill.workload ?? "")),
    );
    const cluster = deps.cluster();
    const predictions =
      deps.history && cluster.ok
        ? await predictedKills(cluster.value, deps.history, model, deps.pageSize, nowMs)
        : [];
    const message = digestMessage(model, {
      t: deps.t,
      scope: data.scope,
      endText: localTime(nowMs, data.tz),
      snoozed: snoozed.size,
      buttonValue: (workload) => buttons.get(workload) ?? "",
      silent: silentKillsText(silent, deps.t),
      predictions: predictions.map(({ workload, prediction }) => ({
        workload,
        at: localTime(Date.parse(prediction.at), data.tz),
        errorMinutes: Math.round(prediction.errorMinutes),
      })),
    });
    const ts = await new ThreadPoster(
      deps.client,
      deps.store,
      deps.metrics,
      jobId,
      data.channel,
      "",
    ).channelMessage("digest", message);
    if (model.top.length === 0) return;
    const title = deps.t.digest.chartTitle(data.scope);
    const png = svgToPng(restartChart(model, dayLabels(nowMs, data.tz)));
    await new ThreadPoster(deps.client, deps.store, deps.metrics, jobId, data.channel, ts).upload("chart", {
      filename: `restarts-${data.scope}.png`,
      title,
      content: png,
    });
  }

  return async (job: Job<unknown>): Promise<void> => {
    const data = parseData(job.data);
    if (data === null) throw new UnrecoverableError("invalid job data");
    if (job.name === "snapshot") return snapshot(data.scope, deps.now());
    if (job.name === "digest") return digest(job, data);
    throw new UnrecoverableError(`unknown job ${job.name}`);
  };
}
