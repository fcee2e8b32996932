// The `investigate` job: run the investigation with the cluster and SSH adapters, then post the
// report into the root message's thread. Bad input fails for good (UnrecoverableError); transient
// faults throw and BullMQ retries with backoff. Posting goes through ThreadPoster, so a retried or
// taken-over job updates what it posted before instead of posting again.

import type { WebClient } from "@slack/web-api";
import { type Job, UnrecoverableError } from "bullmq";
import type { Kill } from "../src/alerts/model.js";
import { workloadKey } from "../src/analysis/workload-key.js";
import type { SlackConfig } from "../src/config/schema.js";
import { svgToPng } from "../src/digest/png.js";
import { type AppError, isTransient, type Result } from "../src/errors.js";
import { memoryChart } from "../src/history/chart.js";
import { pictureFileName } from "../src/history/markdown-picture.js";
import type { MetricsSource } from "../src/history/ports.js";
import type { HistoryOptions } from "../src/history/queries.js";
import { type InvestigateOptions, type Investigation, investigate } from "../src/investigate.js";
import type { WorkloadPicture } from "../src/investigate-history.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import type { ClusterReader, NodeJournalSource } from "../src/ports.js";
import { type InvestigateJobData, parseInvestigateData } from "../src/queue/investigations.js";
import type { Report } from "../src/report/model.js";
import { splitReplies } from "../src/report/severity.js";
import type { Messages } from "../src/slack/i18n/catalog.js";
import { ThreadPoster } from "../src/slack/poster.js";
import { silentKillsText } from "../src/slack/render/alerts.js";
import { section } from "../src/slack/render/blocks.js";
import { failedMessage, progressMessage, queuedMessage } from "../src/slack/render/messages.js";
import {
  affectedGroups,
  kernelExcerpt,
  kernelLines,
  notesReply,
  sharedReply,
  summaryMessage,
  workloadReply,
} from "../src/slack/render/report.js";
import type { WorkloadGroup } from "../src/slack/render/workloads.js";
import type { BotStore } from "../src/store/bot-store.js";
import { LatestOnly } from "./latest-only.js";

export interface Adapters {
  cluster: ClusterReader;
  journals: NodeJournalSource;
}

export interface InvestigateJobDeps {
  client: WebClient;
  store: BotStore;
  metrics: Metrics;
  log: Log;
  t: Messages;
  slack: SlackConfig;
  now: () => number;
  /** The adapters for one investigation; the journal source is closed when it ends. */
  open: () => Promise<Result<Adapters>>;
  options: (namespace: string, pod: string | null) => InvestigateOptions;
  /** Where memory history comes from, if anywhere (prometheus.url). */
  history: { source: MetricsSource; options: HistoryOptions } | null;
  /** The namespace's silent kills (see src/alerts) at or after a time. */
  silentKills: (namespace: string, sinceMs: number) => Promise<Kill[]>;
}

const DAY_MS = 86_400_000;
/** Pictures are drawn in UTC, as every time in the thread is written. */
const PICTURE_ZONE = "UTC";

// Retrying cannot help these: the input or the setup is wrong.

/** Times each node's journal fetch for /metrics. */
function timed(journals: NodeJournalSource, metrics: Metrics): NodeJournalSource {
  return {
    fetch: async (target, windows) => {
      const stop = metrics.sshFetchTimer(target.node);
      try {
        return await journals.fetch(target, windows);
      } finally {
        stop();
      }
    },
    close: () => journals.close(),
  };
}

async function publish(
  deps: InvestigateJobDeps,
  poster: ThreadPoster,
  data: InvestigateJobData,
  report: Report,
  pictures: readonly WorkloadPicture[],
): Promise<void> {
  const { t, store } = deps;
  const groups = affectedGroups(report);
  const snoozed = await store.snoozed(
    data.channel,
    groups.map((group) => group.key),
  );
  const shown = groups.filter((group) => !snoozed.has(group.key));
  const ids = new Map<WorkloadGroup, string>();
  for (const group of shown) {
    const finding = group.primary;
    ids.set(
      group,
      await store.saveFinding({
        channel: data.channel,
        threadTs: data.threadTs ?? data.rootTs,
        namespace: group.namespace,
        workload: { kind: group.kind, name: group.name },
        workloadKey: group.key,
        pod: finding.pod,
        container: finding.container,
        node: finding.node,
        memoryLimitBytes: finding.memoryLimitBytes,
        memoryRequestBytes: finding.memoryRequestBytes,
        residentBytes: finding.kernelEvent?.residentBytes ?? null,
        nodeAllocatableBytes: finding.limitCaps.nodeAllocatableBytes,
        limitRangeMaxBytes: finding.limitCaps.limitRangeMaxBytes,
        recommendedLimit: finding.recommendation?.memoryLimit ?? null,
        recommendedRequest: finding.recommendation?.memoryRequest ?? null,
        recommendationNotes: finding.recommendation?.notes ?? [],
        kernelReport: kernelLines(finding, t),
      }),
    );
  }
  const context = {
    t,
    excerptLines: deps.slack.excerptLines,
    snoozeDays: deps.slack.snoozeDays,
    findingId: (group: WorkloadGroup) => ids.get(group) ?? "",
  };
  const { own, shared } = splitReplies(shown, deps.slack.maxReplies);
  for (const group of own) {
    await poster.reply(`workload:${group.key}`, workloadReply(group, context));
    const finding = group.primary;
    const picture = pictures.find(
      (one) => one.workloadKey === group.key && one.container === finding.container,
    );
    if (picture)
      await poster.upload(`memory:${group.key}`, {
        filename: pictureFileName(`${group.key}/${finding.container}`),
        title: t.history.pictureTitle(`${group.kind} ${group.name}`),
        content: svgToPng(memoryChart({ ...picture.chart, tz: PICTURE_ZONE })),
      });
    if (kernelExcerpt(finding, deps.slack.excerptLines, t).attach) {
      await poster.upload(`kernel:${group.key}`, {
        filename: `${finding.pod}-oom.log`,
        title: t.kernelFileTitle(finding.pod),
        content: `${kernelLines(finding, t).join("\n")}\n`,
      });
    }
  }
  if (shared.length > 0) await poster.reply("shared", sharedReply(shared, context));
  const notes = notesReply(report, t);
  if (notes) await poster.reply("notes", notes);
  // Kills no restart shows: a namespace's report names them; a pod's (an alert's) has them in its thread already.
  if (data.pod === null) {
    const kills = await deps.silentKills(data.namespace, deps.now() - DAY_MS);
    const hidden = await store.snoozed(
      data.channel,
      kills.map((kill) => workloadKey(data.namespace, kill.workload ?? "")),
    );
    const silent = silentKillsText(
      kills.filter((kill) => !hidden.has(workloadKey(data.namespace, kill.workload ?? ""))),
      t,
    );
    if (silent) await poster.reply("silent", { text: silent, blocks: [section(silent)] });
  }
  await poster.updateRoot(
    summaryMessage(report, shown, {
      t,
      user: data.user,
      snoozed: snoozed.size,
      withoutHistory: deps.history === null,
    }),
  );
}

/**
 * A reserved investigation whose root message never came (the process that reserved it stopped before
 * posting it): the job posts it, once, where it would have been.
 */
async function postRoot(
  deps: InvestigateJobDeps,
  jobId: string,
  data: InvestigateJobData,
): Promise<InvestigateJobData> {
  const thread = data.threadTs ?? "";
  const poster = new ThreadPoster(deps.client, deps.store, deps.metrics, jobId, data.channel, thread);
  const message = queuedMessage(data.namespace, data.user, deps.t);
  const rootTs =
    thread === "" ? await poster.channelMessage("root", message) : await poster.reply("root", message);
  return { ...data, rootTs, threadTs: thread === "" ? rootTs : thread };
}

export function investigateProcessor(deps: InvestigateJobDeps) {
  return async (job: Job<unknown>): Promise<{ findings: number }> => {
    const parsed = parseInvestigateData(job.data);
    if (typeof parsed === "string") throw new UnrecoverableError(`invalid job data: ${parsed}`);
    const data = parsed.rootTs === "" ? await postRoot(deps, job.id ?? "", parsed) : parsed;
    const poster = new ThreadPoster(
      deps.client,
      deps.store,
      deps.metrics,
      job.id ?? "",
      data.channel,
      data.threadTs ?? data.rootTs,
      data.rootTs,
    );
    const finish = async (outcome: "completed" | "failed") =>
      deps.store.recordRun({
        namespace: data.namespace,
        channel: data.channel,
        outcome,
        finishedAt: new Date(deps.now()).toISOString(),
      });
    const giveUp = async (error: AppError, permanent: boolean): Promise<never> => {
      const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last) {
        await poster.updateRoot(failedMessage(data.namespace, data.user, error, deps.t));
        await finish("failed");
      }
      throw permanent ? new UnrecoverableError(error.message) : new Error(error.message);
    };

    const adapters = await deps.open();
    if (!adapters.ok) return giveUp(adapters.error, true);
    const progress = new LatestOnly((message: ReturnType<typeof progressMessage>) =>
      poster.updateRoot(message),
    );
    const stop = deps.metrics.stepSeconds.startTimer({ step: "investigate" });
    let result: Result<Investigation>;
    try {
      result = await investigate(
        {
          cluster: adapters.value.cluster,
          journals: timed(adapters.value.journals, deps.metrics),
          history: deps.history,
          now: deps.now,
          onProgress: (step) => progress.push(progressMessage(data.namespace, data.user, step, deps.t)),
        },
        deps.options(data.namespace, data.pod),
      );
    } finally {
      stop();
      await adapters.value.journals.close();
      await progress.settled();
    }
    if (!result.ok) return giveUp(result.error, !isTransient(result.error));
    const { report, pictures } = result.value;
    // The channel hears only which node and what kind of failure; the operator reads the rest here.
    for (const node of report.nodes.filter((status) => status.status !== "ok"))
      deps.log("warn", "node journal not read", {
        job: job.id,
        channel: data.channel,
        node: node.node,
        kind: node.status,
        error: node.message,
        hint: node.hint,
      });
    const stopPosting = deps.metrics.stepSeconds.startTimer({ step: "post" });
    await publish(deps, poster, data, report, pictures);
    stopPosting();
    await finish("completed");
    return { findings: report.findings.length };
  };
}
