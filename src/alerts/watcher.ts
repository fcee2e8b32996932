// The leader's work while it holds the cluster's lease: watch pods and memory events, tell new kills
// from ones already seen, queue them, and ask for node sweeps. It depends only on the ports; the lease
// keeper starts one watcher per term and stops it the moment the lease is lost.

import { ok, type Result } from "../errors.js";
import { eventKill, podKills, seenKeysOf } from "./detect.js";
import type { Kill, SeenContainer } from "./model.js";
import type { ClusterWatch, KillSink, SeenStore, WatchStats } from "./ports.js";

export interface SweepScheduler {
  /** Asks for a sweep of the node, once per `key` (a schedule slot, an event). */
  sweep(node: string, reason: "schedule" | "event", key: string): Promise<void>;
}

export interface WatcherDeps {
  watch: ClusterWatch;
  seen: SeenStore;
  kills: KillSink;
  sweeps: SweepScheduler;
  stats: WatchStats;
  cluster: string;
  /** How far back a first start still alerts kills (they may have happened while nobody watched). */
  catchUpMs: number;
  now: () => number;
  /**
   * Called when this term must end: the lease was lost under a write, or a kill could not be queued
   * (it is found again when the next term lists the cluster).
   */
  lost: (why: string) => void;
}

interface PodView {
  uid: string;
  namespace: string;
  node: string | null;
}

function podView(pod: unknown): PodView | null {
  const value = (pod ?? {}) as {
    metadata?: { uid?: unknown; namespace?: unknown };
    spec?: { nodeName?: unknown };
  };
  const uid = value.metadata?.uid;
  const namespace = value.metadata?.namespace;
  if (typeof uid !== "string" || typeof namespace !== "string") return null;
  return { uid, namespace, node: typeof value.spec?.nodeName === "string" ? value.spec.nodeName : null };
}

export class AlertWatcher {
  private readonly seen = new Map<string, SeenContainer>();
  /** The pods the watch knows, by uid: where they run, for sweeps. */
  private readonly pods = new Map<string, PodView>();
  private sinceMs = 0;
  private stopped = false;

  constructor(
    private readonly deps: WatcherDeps,
    private readonly token: number,
  ) {}

  async start(): Promise<Result<void>> {
    const firstStart = new Date(this.deps.now() - this.deps.catchUpMs).toISOString();
    this.sinceMs = Date.parse(await this.deps.seen.since(firstStart));
    // Stopped while Redis answered (the lease lapsed meanwhile): this term watches nothing.
    if (this.stopped) return ok(undefined);
    return this.deps.watch.start(
      {
        relisted: (pods) => this.relisted(pods),
        pod: (type, pod) => this.changed(type, pod),
        event: (event) => this.event(event),
      },
      this.deps.stats,
    );
  }

  private end(why: string): void {
    this.stopped = true;
    this.deps.lost(why);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.deps.watch.stop();
  }

  /** The nodes that run pods of the namespaces `watched` accepts. */
  nodes(watched: (namespace: string) => boolean): string[] {
    const nodes = new Set<string>();
    for (const pod of this.pods.values()) if (pod.node && watched(pod.namespace)) nodes.add(pod.node);
    return [...nodes].sort();
  }

  private async relisted(pods: unknown[]): Promise<void> {
    this.pods.clear();
    for (const view of pods.map(podView)) if (view) this.pods.set(view.uid, view);
    await this.recall(pods.flatMap(seenKeysOf));
    await this.found(pods);
  }

  private async changed(type: "ADDED" | "MODIFIED" | "DELETED", pod: unknown): Promise<void> {
    const view = podView(pod);
    if (!view) return;
    if (type === "DELETED") this.pods.delete(view.uid);
    else this.pods.set(view.uid, view);
    const keys = seenKeysOf(pod);
    await this.recall(keys);
    // A deleted pod's last state may still hold a kill (a Job's pod removed right after it).
    await this.found([pod]);
    if (type === "DELETED") for (const key of keys) this.seen.delete(key);
  }

  /** Loads what an earlier term saw of these containers, once. */
  private async recall(keys: string[]): Promise<void> {
    const missing = keys.filter((key) => !this.seen.has(key));
    if (missing.length === 0) return;
    for (const [key, entry] of await this.deps.seen.seen(missing)) this.seen.set(key, entry);
  }

  private async event(event: unknown): Promise<void> {
    const kill = eventKill(event, this.deps.cluster);
    // Events are listed again with every relist: those from before alerting began are history.
    if (!kill || this.stopped || !(Date.parse(kill.at) >= this.sinceMs)) return;
    try {
      await this.deps.kills.add([kill]);
      // The kernel report says what the node killed, and whether it was a container's own process.
      if (kill.kind === "system-oom" && kill.node) await this.deps.sweeps.sweep(kill.node, "event", kill.id);
    } catch (error) {
      this.end(
        `a node event could not be queued (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /** Queues the pods' new kills, then remembers them as seen: a crash between the two re-queues, never loses. */
  private async found(pods: unknown[]): Promise<void> {
    const kills: Kill[] = [];
    const changed: SeenContainer[] = [];
    for (const pod of pods) {
      const found = podKills(pod, this.seen, { cluster: this.deps.cluster, sinceMs: this.sinceMs });
      kills.push(...found.kills);
      changed.push(...found.seen);
    }
    if (this.stopped) return;
    try {
      if (kills.length > 0) await this.deps.kills.add(kills);
      if (changed.length === 0) return;
      if (!(await this.deps.seen.record(this.token, changed))) {
        this.end("the lease was taken over: its fencing token is no longer current");
        return;
      }
    } catch (error) {
      this.end(`kills could not be queued (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    for (const entry of changed) this.seen.set(entry.key, entry);
  }
}
