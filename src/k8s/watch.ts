// The cluster watch behind the ClusterWatch port: pods of every namespace and the core/v1 Events about
// memory, each listed then watched with @kubernetes/client-node's Watch and resumed after every break
// (see resumable-watch.ts). Objects are handed over as the API server's JSON, list and watch alike.

import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterWatch, WatchHandlers, WatchStats } from "../alerts/ports.js";
import { ok, type Result } from "../errors.js";
import type { Log } from "../ops/log.js";
import { HandlerQueue } from "./handler-queue.js";
import { type Collection, ResumableWatch } from "./resumable-watch.js";

/** Event reasons that tell of memory: a node's kernel OOM, a kubelet eviction, node-problem-detector's. */
const MEMORY_REASONS = new Set(["SystemOOM", "Evicted", "OOMKilling"]);

// All three are Warning events: the server keeps the others back, and the reason is checked here, as a
// field selector cannot ask for one of several values.
const EVENT_SELECTOR = "type=Warning";

function isMemoryEvent(event: unknown): boolean {
  return MEMORY_REASONS.has(String((event as { reason?: unknown } | null)?.reason));
}

export interface KubernetesWatchOptions {
  /** Objects per list page. */
  pageSize: number;
  /** Told of every break and of every failed attempt (each is retried). */
  log?: Log;
  /** The wait after a failed attempt, doubling from `first` up to `max`; none after a healthy stream. */
  backoffMs?: { first: number; max: number };
  /** How long the server keeps one watch open before ending it (it is then resumed). */
  timeoutSeconds?: number;
}

export class KubernetesWatch implements ClusterWatch {
  private streams: ResumableWatch[] = [];
  private queue: HandlerQueue | null = null;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubernetesWatchOptions,
  ) {}

  /** Starting again (after the lease came back, say) first stops what ran before. */
  async start(handlers: WatchHandlers, stats: WatchStats): Promise<Result<void>> {
    await this.stop();
    const log = this.options.log ?? (() => {});
    const queue = new HandlerQueue((error) =>
      log("error", "a watch handler failed", {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    let firstList: Promise<void> | null = null;
    const pods: Collection = {
      resource: "pods",
      fieldSelector: null,
      listed: (objects) => {
        const handed = queue.push(() => handlers.relisted(objects));
        firstList ??= handed;
      },
      changed: (type, pod) => void queue.push(() => handlers.pod(type, pod)),
    };
    const events: Collection = {
      resource: "events",
      fieldSelector: EVENT_SELECTOR,
      listed: (objects) => {
        for (const event of objects.filter(isMemoryEvent)) void queue.push(() => handlers.event(event));
      },
      changed: (type, event) => {
        if (type !== "DELETED" && isMemoryEvent(event)) void queue.push(() => handlers.event(event));
      },
    };
    const streamOptions = {
      pageSize: this.options.pageSize,
      timeoutSeconds: this.options.timeoutSeconds ?? 300,
      backoffMs: this.options.backoffMs ?? { first: 500, max: 10_000 },
      stats,
      log,
    };
    this.queue = queue;
    this.streams = [pods, events].map(
      (collection) => new ResumableWatch(this.config, collection, streamOptions),
    );
    for (const stream of this.streams) {
      const started = await stream.start();
      if (!started.ok) {
        await this.stop();
        return started;
      }
    }
    queue.open();
    await firstList;
    return ok(undefined);
  }

  async stop(): Promise<void> {
    this.queue?.stop();
    for (const stream of this.streams) stream.stop();
  }
}
