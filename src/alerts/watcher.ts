// The leader's work while it holds the cluster's lease: watch pods and memory events, tell new kills
// from ones already seen, queue them, and ask for node sweeps. It depends only on the ports; the lease
// keeper starts one watcher per term and stops it the moment the lease is lost.

import type { Result } from "../errors.js";
import { eventKill, podKills } from "./detect.js";
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
  /** Called when this term must end (the lease was lost under a write): stop acting at once. */
  lost: (why: string) => void;
}

interface PodView {
  uid: string;
  namespace: string;
  node: string | null;
  containers: string[];
}

function podView(pod: unknown): PodView | null {
  const value = (pod ?? {}) as {
    metadata?: { uid?: unknown; namespace?: unknown };
    spec?: { nodeName?: unknown; containers?: unknown; initContainers?: unknown };
  };
  const uid = value.metadata?.uid;
  const namespace = value.metadata?.namespace;
  if (typeof uid !== "string" || typeof namespace !== "string") return null;
  const names = (list: unknown) =>
    Array.isArray(list) ? list.map((c) => (c as { name?: unknown }).name).filter((n) => typeof n === "string") : [];
  return {
    uid,
    namespace,
    node: typeof value.spec?.nodeName === "string" ? value.spec.nodeName : null,
    containers: [...names(value.spec?.containers), ...names(value.spec?.initContainers)] as string[],
  };
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
    this.sinceMs = Date.parse(await this.deps.seen.since(new Date(this.deps.now() - this.deps.catchUpMs).toISOString()));
    return this.deps.watch.start(
      {
        relisted: (pods) => this.relisted(pods),
        pod: (type, pod) => this.changed(type, pod),
        event: (event) => this.event(event),
      },
      this.deps.stats,
    );
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
    const views = pods.map(podView).filter((view): view is PodView => view !== null);
    for (const view of views) this.pods.set(view.uid, view);
    const keys = views.flatMap((view) => view.containers.map((name) => `${view.uid}/${name}`));
    const known = await this.deps.seen.seen(keys.filter((key) => !this.seen.has(key)));
    for (const [key, entry] of known) this.seen.set(key, entry);
    await this.found(pods);
  }

  private async changed(type: "ADDED" | "MODIFIED" | "DELETED", pod: unknown): Promise<void> {
    const view = podView(pod);
    if (!view) return;
    if (type === "DELETED") this.pods.delete(view.uid);
    else this.pods.set(view.uid, view);
    const missing = view.containers.map((name) => `${view.uid}/${name}`).filter((key) => !this.seen.has(key));
    if (missing.length > 0) for (const [key, entry] of await this.deps.seen.seen(missing)) this.seen.set(key, entry);
    await this.found([pod]);
  }

  private async event(event: unknown): Promise<void> {
    const kill = eventKill(event, this.deps.cluster);
    if (!kill || this.stopped) return;
    await this.deps.kills.add([kill]);
    // The kernel report says what the node killed, and whether it was a container's own process.
    if (kill.kind === "system-oom" && kill.node) await this.deps.sweeps.sweep(kill.node, "event", kill.id);
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
    if (kills.length > 0) await this.deps.kills.add(kills);
    if (changed.length === 0) return;
    if (!(await this.deps.seen.record(this.token, changed))) {
      this.stopped = true;
      this.deps.lost("the lease was taken over: its fencing token is no longer current");
      return;
    }
    for (const entry of changed) this.seen.set(entry.key, entry);
  }
}
