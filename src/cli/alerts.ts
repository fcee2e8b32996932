// Live alerts, wired: the alerts queue's processor for every worker, the leader (one watcher per
// cluster among all workers, by a lease in Redis), and what `/oom watch` needs on the Slack side.

import type { WebClient } from "@slack/web-api";
import type { Redis } from "ioredis";
import { deliveryProcessor } from "../../jobs/alert-delivery.js";
import { sweepProcessor } from "../../jobs/alert-sweep.js";
import { alertProcessor } from "../../jobs/alerts.js";
import type { AlertSubscription } from "../alerts/model.js";
import { matches, routeSubscriptions } from "../alerts/routing.js";
import { AlertWatcher } from "../alerts/watcher.js";
import type { Config } from "../config/schema.js";
import { KubernetesWatch } from "../k8s/watch.js";
import type { Log } from "../ops/log.js";
import type { Metrics } from "../ops/metrics.js";
import { AlertQueue } from "../queue/alerts.js";
import type { InvestigationQueue } from "../queue/investigations.js";
import { RedisLease } from "../queue/lease.js";
import { LeaseKeeper } from "../queue/lease-keeper.js";
import { lockTimings } from "../queue/locks.js";
import { namespaceAllowed, scopeAllowed } from "../slack/channels.js";
import type { Messages } from "../slack/i18n/catalog.js";
import { RedisCursors } from "../store/alert-cursors.js";
import { RedisDelivery } from "../store/alert-delivery.js";
import { RedisSeen } from "../store/alert-seen.js";
import { RedisSilentKills } from "../store/alert-silent.js";
import { RedisSubscriptions } from "../store/alert-subscriptions.js";
import type { BotStore } from "../store/bot-store.js";
import { kubeConfigOf, openSweep } from "./adapters.js";

/** Every subscription: those made from Slack, then alerts.routes; or one channel's. */
function subscriptionsOf(config: Config, redis: Redis) {
  const stored = new RedisSubscriptions(redis, config.queue.prefix);
  const routes = routeSubscriptions(config.alerts.routes);
  return async (channel?: string): Promise<AlertSubscription[]> => {
    const own = await stored.list(channel);
    return [...routes.filter((route) => channel === undefined || route.channel === channel), ...own];
  };
}

/** What `/oom watch` needs. */
export function alertCommandDeps(config: Config, redis: Redis, t: Messages, now: () => number) {
  return {
    subscriptions: new RedisSubscriptions(redis, config.queue.prefix),
    routes: routeSubscriptions(config.alerts.routes),
    maxSubscriptions: config.alerts.maxSubscriptions,
    t,
    slack: config.slack,
    now,
  };
}

export interface AlertWorkerDeps {
  config: Config;
  redis: Redis;
  client: WebClient;
  store: BotStore;
  investigations: InvestigationQueue;
  metrics: Metrics;
  log: Log;
  t: Messages;
  now: () => number;
}

/** The alerts queue's processor, and the queue it adds deliveries and sweeps to (to be closed). */
export function alertWorker(deps: AlertWorkerDeps) {
  const { config, redis, metrics, log, t, now } = deps;
  const prefix = config.queue.prefix;
  const queue = new AlertQueue(redis, prefix, config.queue);
  const deliveries = new RedisDelivery(redis, prefix, now);
  const subscriptions = subscriptionsOf(config, redis);
  const deliver = deliveryProcessor({
    client: deps.client,
    store: deps.store,
    deliveries,
    queue,
    investigations: deps.investigations,
    subscriptions: (channel) => subscriptions(channel),
    limits: { maxNewThreads: config.alerts.maxNewThreads, nodeStormKills: config.alerts.nodeStormKills },
    lockMs: lockTimings(config.queue.lockSeconds).lockMs,
    metrics,
    log,
    t,
    now,
  });
  const sweep = sweepProcessor({
    open: () => openSweep(config),
    cursors: new RedisCursors(redis, prefix, config.alerts.cluster),
    kills: queue,
    access: { port: config.ssh.port, addressType: config.ssh.addressType, overrides: config.ssh.nodes },
    clusterName: config.alerts.cluster,
    pageSize: config.scan.pageSize,
    firstSweepMs: config.alerts.sweepMinutes * 60_000,
    metrics,
    log,
    now,
  });
  const processor = alertProcessor({
    client: deps.client,
    store: deps.store,
    deliveries,
    silent: new RedisSilentKills(redis, prefix, config.alerts.cluster, now),
    queue,
    subscriptions,
    channelAllows: (channel, namespace) =>
      namespace === null
        ? scopeAllowed(config.slack.channels, channel, "all")
        : namespaceAllowed(config.slack.channels, channel, namespace).allowed,
    batchMs: config.alerts.batchSeconds * 1000,
    metrics,
    t,
    deliver,
    sweep,
  });
  return { processor, queue };
}

/** A term that ended for a reason of its own (not a lost lease) starts again after this. */
const RESTART_MS = 2_000;

/**
 * Competes for the cluster's watch lease; while it holds it, watches the cluster and schedules sweeps
 * of the nodes that run watched pods. Losing the lease stops both at once.
 */
export function startAlertLeader(deps: {
  config: Config;
  redis: Redis;
  queue: AlertQueue;
  metrics: Metrics;
  log: Log;
  now: () => number;
}) {
  const { config, redis, queue, metrics, log, now } = deps;
  const ttlMs = config.queue.lockSeconds * 1000;
  const sweepMs = config.alerts.sweepMinutes * 60_000;
  const subscriptions = subscriptionsOf(config, redis);
  let term: { watcher: AlertWatcher; sweeps: NodeJS.Timeout; restart: NodeJS.Timeout | null } | null = null;

  const end = () => {
    if (!term) return;
    clearInterval(term.sweeps);
    if (term.restart) clearTimeout(term.restart);
    void term.watcher.stop();
    term = null;
  };

  const scheduleSweeps = async (watcher: AlertWatcher) => {
    const all = await subscriptions();
    const watched = (namespace: string) => all.some((subscription) => matches(subscription, namespace));
    const slot = String(Math.floor(now() / sweepMs));
    for (const node of watcher.nodes(watched)) await queue.sweep(node, "schedule", slot);
  };

  const begin = (token: number) => {
    end();
    const kube = kubeConfigOf(config);
    if (!kube.ok) {
      log("error", "alerts: cannot watch the cluster", { error: kube.error.message });
      return;
    }
    const watcher = new AlertWatcher(
      {
        watch: new KubernetesWatch(kube.value, { pageSize: config.scan.pageSize, log }),
        seen: new RedisSeen(redis, config.queue.prefix, config.alerts.cluster),
        kills: queue,
        sweeps: queue,
        stats: {
          reconnected: (stream) => metrics.watchReconnects.inc({ stream }),
          relisted: (stream) => metrics.watchRelists.inc({ stream }),
        },
        cluster: config.alerts.cluster,
        catchUpMs: config.alerts.catchUpMinutes * 60_000,
        now,
        lost: (why) => {
          log("warn", "alerts: the watch stops", { why });
          // Still the holder (the keeper says so at its next turn otherwise): watch again, from a fresh list.
          if (term?.watcher === watcher && keeper.held === token) {
            void watcher.stop();
            term.restart = setTimeout(() => keeper.held === token && begin(token), RESTART_MS);
          }
        },
      },
      token,
    );
    const sweeps = setInterval(
      () =>
        void scheduleSweeps(watcher).catch((error: Error) =>
          log("warn", "alerts: sweeps not scheduled", { error: error.message }),
        ),
      sweepMs,
    );
    term = { watcher, sweeps, restart: null };
    const failed = (fields: Record<string, unknown>) => {
      log("error", "alerts: cannot watch the cluster", fields);
      if (term?.watcher === watcher)
        term.restart = setTimeout(() => keeper.held === token && begin(token), 30_000);
    };
    void watcher.start().then(
      (started) => {
        if (!started.ok) failed({ error: started.error.message, hint: started.error.hint });
        // A term ended while it started (its lease lost) watches nothing.
        else if (term?.watcher === watcher)
          log("info", "alerts: watching the cluster", { cluster: config.alerts.cluster, token });
      },
      // Redis refused a command (it waits, and does not fail, while unreachable): try again later.
      (error: Error) => failed({ error: error.message }),
    );
  };

  const keeper = new LeaseKeeper(new RedisLease(redis, config.queue.prefix, config.alerts.cluster, ttlMs), {
    ttlMs,
    onAcquired: (token) => {
      metrics.leaseChanges.inc({ change: "acquired" });
      metrics.leaseHeld.set(1);
      log("info", "alerts: this worker watches the cluster now", { cluster: config.alerts.cluster, token });
      begin(token);
    },
    onLost: () => {
      metrics.leaseChanges.inc({ change: "lost" });
      metrics.leaseHeld.set(0);
      log("warn", "alerts: the watch lease is lost; another worker takes over", {
        cluster: config.alerts.cluster,
      });
      end();
    },
    onError: (error) =>
      log("debug", "alerts: lease not renewed this turn", {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  keeper.start();
  return {
    close: async () => {
      end();
      metrics.leaseHeld.set(0);
      await keeper.stop();
    },
  };
}
