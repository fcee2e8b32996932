// The bot's processes, wired: `serve` (Slack commands and buttons), `worker` (investigations) or
// `all` (both). Every process serves /healthz, /readyz and /metrics on PORT; in HTTP mode the same
// port takes Slack's requests on /slack/events.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient, WebClientEvent } from "@slack/web-api";
import type { Redis } from "ioredis";
import { digestProcessor } from "../../jobs/digest.js";
import { investigateProcessor } from "../../jobs/investigate.js";
import { proposalProcessor } from "../../jobs/proposals.js";
import { type BotWorker, startBotWorker } from "../../jobs/worker.js";
import type { Config } from "../config/schema.js";
import type { ServiceSettings } from "../config/service.js";
import { ok, type Result } from "../errors.js";
import { withinGrace } from "../ops/grace.js";
import { opsServer } from "../ops/http.js";
import type { Log } from "../ops/log.js";
import { Metrics, slackMethodLabel } from "../ops/metrics.js";
import { ProposalLifecycle } from "../proposals/lifecycle.js";
import { SignedProposals } from "../proposals/repository.js";
import { ALERTS_QUEUE } from "../queue/alerts.js";
import {
  answers,
  type ConnectionHealth,
  checkAtStart,
  producerConnection,
  watchConnection,
  workerConnection,
} from "../queue/connection.js";
import { DIGESTS_QUEUE, DigestQueue } from "../queue/digests.js";
import { INVESTIGATE_QUEUE, InvestigationQueue } from "../queue/investigations.js";
import { PROPOSALS_QUEUE, ProposalQueue } from "../queue/proposals.js";
import { registerActions } from "../slack/actions.js";
import { createSlackApp, webClientOptions } from "../slack/app.js";
import { channelGuard, interactionScopes, proposalScope } from "../slack/channel-guard.js";
import { channelMapWarnings } from "../slack/channels.js";
import { answerFailures, clickGuards } from "../slack/click-guards.js";
import { registerOomCommand } from "../slack/commands.js";
import { registerDigestActions } from "../slack/digest-actions.js";
import { FollowUps } from "../slack/follow-ups.js";
import { messages } from "../slack/i18n/catalog.js";
import { registerProposalActions } from "../slack/proposal-actions.js";
import { SlackApproverDirectory, SlackProposalNotifier } from "../slack/proposal-ports.js";
import { workspaceGuard } from "../slack/workspace-guard.js";
import { RedisSilentKills } from "../store/alert-silent.js";
import { BotStore } from "../store/bot-store.js";
import { DigestStore } from "../store/digests.js";
import { ProposalStore } from "../store/proposals.js";
import { historySource, investigateOptions, openAdapters, openCluster, openWorkloads } from "./adapters.js";
import { alertCommandDeps, alertWorker, startAlertLeader } from "./alerts.js";

export interface BotOptions {
  config: Config;
  settings: ServiceSettings;
  now: () => number;
  log: Log;
}

export interface BotHandle {
  /** The port the HTTP server listens on (PORT, or the one chosen for port 0). */
  port: number;
  metrics: Metrics;
  /** Stops taking work, lets active jobs finish (up to queue.shutdownGraceSeconds), disconnects. */
  close(): Promise<void>;
}

/** The proposal lifecycle over its adapters; the same in the Slack process and the worker. */
function proposalLifecycle(
  options: BotOptions,
  redis: Redis,
  client: WebClient,
  metrics: Metrics,
  queue: ProposalQueue,
) {
  const { config, now, log } = options;
  const approvers = new SlackApproverDirectory(client, config.proposals);
  const storage = new ProposalStore(redis, config.queue.prefix);
  const repository = new SignedProposals(storage, config.proposals.signingKey);
  const lifecycle = new ProposalLifecycle({
    repository,
    scheduler: queue,
    notifier: new SlackProposalNotifier(
      client,
      new BotStore(redis, config.queue.prefix),
      metrics,
      messages(config.slack.locale),
    ),
    approvers,
    workloads: () => openWorkloads(config),
    config: config.proposals,
    now,
    log,
  });
  return { lifecycle, approvers, storage, repository };
}

interface Part {
  /** Stops taking work (waiting for active jobs) and disconnects. */
  close(): Promise<void>;
  redis: Redis;
  health: ConnectionHealth;
}

/** A connection that passed its start-up check, with its watcher; or why the bot must not start. */
async function connect(redis: Redis, log: Log, name: string): Promise<Result<ConnectionHealth>> {
  const health = watchConnection(redis, log, name);
  const checked = await checkAtStart(redis, REDIS_START_MS);
  if (!checked.ok) {
    redis.disconnect();
    return checked;
  }
  return ok(health);
}

async function startWorkers(options: BotOptions, metrics: Metrics): Promise<Result<Part>> {
  const { config, settings, log } = options;
  // Fail at start-up, not at the first job, when the kubeconfig or known_hosts cannot be read.
  const probe = await openAdapters(config);
  if (!probe.ok) return probe;
  await probe.value.journals.close();
  const redis = workerConnection(settings.redis);
  const health = await connect(redis, log, "worker");
  if (!health.ok) return health;
  const client = new WebClient(
    settings.slack.botToken,
    webClientOptions(settings.slack, log, config.slack.apiTimeoutSeconds),
  );
  client.on(WebClientEvent.RATE_LIMITED, (_seconds: number, request: { url?: string }) =>
    metrics.slackApiError(slackMethodLabel(request.url ?? ""), "ratelimited"),
  );
  const store = new BotStore(redis, config.queue.prefix);
  const t = messages(config.slack.locale);
  const proposalQueue = new ProposalQueue(redis, config.queue.prefix);
  const investigations = new InvestigationQueue(redis, config.queue.prefix, config.queue);
  const silentKills = new RedisSilentKills(redis, config.queue.prefix, config.alerts.cluster, options.now);
  const alerts = alertWorker({
    config,
    redis,
    client,
    store,
    investigations,
    metrics,
    log,
    t,
    now: options.now,
  });
  const workers: BotWorker[] = [
    startBotWorker(
      INVESTIGATE_QUEUE,
      redis,
      config.queue,
      metrics,
      log,
      investigateProcessor({
        client,
        store,
        metrics,
        log,
        t,
        slack: config.slack,
        now: options.now,
        open: () => openAdapters(config),
        options: (namespace, pod) => investigateOptions(config, namespace, pod),
        silentKills: (namespace, sinceMs) => silentKills.since(namespace, sinceMs),
        history: historySource(config),
      }),
    ),
    startBotWorker(
      PROPOSALS_QUEUE,
      redis,
      config.queue,
      metrics,
      log,
      proposalProcessor(proposalLifecycle(options, redis, client, metrics, proposalQueue).lifecycle),
    ),
    startBotWorker(
      DIGESTS_QUEUE,
      redis,
      config.queue,
      metrics,
      log,
      digestProcessor({
        client,
        store,
        digests: new DigestStore(redis, config.queue.prefix),
        metrics,
        log,
        t,
        channels: config.slack.channels,
        now: options.now,
        pageSize: config.scan.pageSize,
        cluster: () => openCluster(config),
        silentKills: (namespace, sinceMs) => silentKills.since(namespace, sinceMs),
        history: historySource(config),
      }),
    ),
    startBotWorker(ALERTS_QUEUE, redis, config.queue, metrics, log, alerts.processor),
  ];
  // One worker among all watches the cluster at a time: the others stand by for its lease.
  const leader = config.alerts.enabled
    ? startAlertLeader({ config, redis, queue: alerts.queue, metrics, log, now: options.now })
    : null;
  return ok({
    redis,
    health: health.value,
    close: async () => {
      await leader?.close();
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([proposalQueue.close(), investigations.close(), alerts.queue.close()]);
      redis.disconnect();
    },
  });
}

const REDIS_START_MS = 3000;
/** Commands being queued at once after their acknowledgement (see FollowUps). */
const FOLLOW_UPS_AT_ONCE = 4;

interface SlackPart extends Part {
  httpListener: ReturnType<typeof createSlackApp>["httpListener"];
}

async function startSlack(options: BotOptions, metrics: Metrics): Promise<Result<SlackPart>> {
  const { config, settings, log } = options;
  const producer = producerConnection(settings.redis);
  // Commands are answered "Redis unreachable" until the connection is up: give it a moment at start-up,
  // but start anyway when Redis is down (/readyz says so).
  const health = await connect(producer, log, "commands");
  if (!health.ok) return health;
  const queue = new InvestigationQueue(producer, config.queue.prefix, config.queue);
  const proposalQueue = new ProposalQueue(producer, config.queue.prefix);
  const digestQueue = new DigestQueue(producer, config.queue.prefix);
  const digests = new DigestStore(producer, config.queue.prefix);
  const slack = createSlackApp(settings.slack, log, config.slack.apiTimeoutSeconds);
  const store = new BotStore(producer, config.queue.prefix);
  const proposals = proposalLifecycle(options, producer, slack.app.client, metrics, proposalQueue);
  const t = messages(config.slack.locale);
  const followUps = new FollowUps(FOLLOW_UPS_AT_ONCE, (error) =>
    log("error", "command follow-up failed", {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  const redisReady = () => producer.status === "ready";
  slack.app.use(workspaceGuard(slack.app, t, log));
  // Before the channel guard, which looks up what a button stands for in Redis.
  slack.app.use(clickGuards({ redisReady, claim: (...key) => store.claim(...key), t, log }));
  answerFailures(slack.app, { redisReady, t, log });
  slack.app.use(
    channelGuard({
      channels: config.slack.channels,
      t,
      log,
      scopes: interactionScopes({
        finding: (id) => store.finding(id),
        proposal: proposalScope(proposals.repository),
        digestTarget: (id) => digests.button(id),
      }),
    }),
  );
  registerOomCommand(slack.app, {
    queue,
    store,
    proposals: proposals.storage,
    digest: { digests, queue: digestQueue, t, slack: config.slack, now: options.now },
    alerts: alertCommandDeps(config, producer, t, options.now),
    metrics,
    t,
    slack: config.slack,
    queueReady: redisReady,
    followUps,
  });
  registerDigestActions(slack.app, { digests, store, queue, t });
  registerActions(slack.app, { store, t, slack: config.slack, now: options.now });
  registerProposalActions(slack.app, {
    store,
    lifecycle: proposals.lifecycle,
    approvers: proposals.approvers,
    t,
  });
  if (slack.httpListener === null) await slack.app.start();
  return ok({
    redis: producer,
    health: health.value,
    httpListener: slack.httpListener && followUps.watch(slack.httpListener),
    close: async () => {
      if (slack.httpListener === null) await slack.app.stop();
      // Acknowledged commands not yet queued: finish them if Slack and Redis let us in time.
      if ((await withinGrace(followUps.idle(), config.queue.shutdownGraceSeconds)) === "timeout")
        log("warn", "stopped before every acknowledged command was queued", { left: followUps.pending });
      await Promise.all([queue.close(), proposalQueue.close(), digestQueue.close()]);
      producer.disconnect();
    },
  });
}

export async function startBot(options: BotOptions): Promise<Result<BotHandle>> {
  for (const warning of channelMapWarnings(options.config.slack.channels)) options.log("warn", warning);
  const metrics = new Metrics();
  let closing = false;
  const workers = options.settings.role !== "serve" ? await startWorkers(options, metrics) : null;
  if (workers && !workers.ok) return workers;
  const slack = options.settings.role !== "worker" ? await startSlack(options, metrics) : null;
  if (slack && !slack.ok) {
    await workers?.value.close();
    return slack;
  }
  const parts = [slack?.value, workers?.value].filter((part): part is Part => part !== undefined);
  const server: Server = opsServer(
    {
      metrics,
      // Ready while Redis answers and, as it described itself at each connection, may be used.
      ready: async () =>
        !closing &&
        parts.every((part) => part.health.problem === null) &&
        (await Promise.all(parts.map((part) => answers(part.redis, 1000)))).every(Boolean),
    },
    slack?.value.httpListener ?? null,
  );
  await new Promise<void>((resolve) => server.listen(options.settings.port, resolve));
  const port = (server.address() as AddressInfo).port;

  return ok({
    port,
    metrics,
    close: async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await slack?.value.close();
      await workers?.value.close();
      await stopped;
    },
  });
}
