// The bot's processes, wired: `serve` (Slack commands and buttons), `worker` (investigations) or
// `all` (both). Every process serves /healthz, /readyz and /metrics on PORT; in HTTP mode the same
// port takes Slack's requests on /slack/events.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient, WebClientEvent } from "@slack/web-api";
import type { Redis } from "ioredis";
import { investigateProcessor } from "../../jobs/investigate.js";
import { type InvestigateWorker, startInvestigateWorker } from "../../jobs/worker.js";
import type { Config } from "../config/schema.js";
import type { ServiceSettings } from "../config/service.js";
import { ok, type Result } from "../errors.js";
import { opsServer } from "../ops/http.js";
import { boltLogger, type Log } from "../ops/log.js";
import { Metrics } from "../ops/metrics.js";
import { answers, producerConnection, watchConnection, workerConnection } from "../queue/connection.js";
import { InvestigationQueue } from "../queue/investigations.js";
import { registerActions } from "../slack/actions.js";
import { createSlackApp } from "../slack/app.js";
import { registerOomCommand } from "../slack/commands.js";
import { messages } from "../slack/i18n/catalog.js";
import { BotStore } from "../store/bot-store.js";
import { investigateOptions, openAdapters } from "./adapters.js";

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

async function startWorker(
  options: BotOptions,
  metrics: Metrics,
): Promise<Result<{ worker: InvestigateWorker; redis: Redis }>> {
  const { config, settings } = options;
  // Fail at start-up, not at the first job, when the kubeconfig or known_hosts cannot be read.
  const probe = await openAdapters(config);
  if (!probe.ok) return probe;
  await probe.value.journals.close();
  const redis = workerConnection(settings.redisUrl);
  watchConnection(redis, options.log, "worker");
  const client = new WebClient(settings.slack.botToken, {
    slackApiUrl: settings.slack.apiUrl,
    logger: boltLogger(options.log, "slack-web-api"),
  });
  client.on(WebClientEvent.RATE_LIMITED, (_seconds: number, request: { url?: string }) =>
    metrics.slackApiErrors.inc({ method: (request.url ?? "").split("/").pop() ?? "", error: "ratelimited" }),
  );
  const processor = investigateProcessor({
    client,
    store: new BotStore(redis, config.queue.prefix),
    metrics,
    t: messages(config.slack.locale),
    slack: config.slack,
    now: options.now,
    open: () => openAdapters(config),
    options: (namespace, pod) => investigateOptions(config, namespace, pod),
  });
  return ok({ worker: startInvestigateWorker(redis, config.queue, metrics, options.log, processor), redis });
}

export async function startBot(options: BotOptions): Promise<Result<BotHandle>> {
  const { config, settings } = options;
  const metrics = new Metrics();
  const serves = settings.role !== "worker";
  const works = settings.role !== "serve";
  let closing = false;

  const worker = works ? await startWorker(options, metrics) : null;
  if (worker && !worker.ok) return worker;

  const producer = serves ? producerConnection(settings.redisUrl) : null;
  if (producer) watchConnection(producer, options.log, "commands");
  const queue = producer ? new InvestigationQueue(producer, config.queue.prefix, config.queue) : null;
  const slack = serves ? createSlackApp(settings.slack, options.log) : null;
  if (slack && producer && queue) {
    const store = new BotStore(producer, config.queue.prefix);
    const t = messages(config.slack.locale);
    registerOomCommand(slack.app, {
      queue,
      store,
      metrics,
      t,
      slack: config.slack,
      queueReady: () => producer.status === "ready",
    });
    registerActions(slack.app, { store, t, slack: config.slack, now: options.now });
    if (slack.httpListener === null) await slack.app.start();
  }

  const pingable = producer ?? worker?.value.redis ?? null;
  const server: Server = opsServer(
    {
      metrics,
      ready: async () => !closing && pingable !== null && (await answers(pingable, 1000)),
    },
    slack?.httpListener ?? null,
  );
  await new Promise<void>((resolve) => server.listen(settings.port, resolve));
  const port = (server.address() as AddressInfo).port;

  return ok({
    port,
    metrics,
    close: async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (slack && slack.httpListener === null) await slack.app.stop();
      if (worker) await worker.value.worker.close();
      await queue?.close();
      await stopped;
      producer?.disconnect();
      worker?.value.redis.disconnect();
    },
  });
}
