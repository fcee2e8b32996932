// What live alerts need from the outside world, as small interfaces. The Kubernetes watch, the SSH
// sweep, Redis and BullMQ implement them; unit tests implement them in memory.

import type { Result } from "../errors.js";
import type { NodeTarget } from "../ports.js";
import type { AlertSubscription, AlertThread, Kill, SeenContainer } from "./model.js";

/** What the cluster watch hands over, one call at a time (each awaited before the next). */
export interface WatchHandlers {
  /**
   * Every pod of the cluster as a fresh list shows them: at start, and again after a `410 Gone` or a
   * stream that could not be resumed. Pods absent from it were deleted meanwhile.
   */
  relisted(pods: unknown[]): Promise<void>;
  /** One pod as a watch event carried it (`ADDED`, `MODIFIED`, `DELETED`), the API's JSON. */
  pod(type: "ADDED" | "MODIFIED" | "DELETED", pod: unknown): Promise<void>;
  /** A core/v1 Event about memory: reason `SystemOOM` (a node), `Evicted` or `OOMKilling`. */
  event(event: unknown): Promise<void>;
}

export interface WatchStats {
  /** A stream ended and was resumed from its last resourceVersion. */
  reconnected(stream: "pods" | "events"): void;
  /** A stream had to be listed again (410 Gone, or resuming failed). */
  relisted(stream: "pods" | "events"): void;
}

/** Pods and memory events of the whole cluster, listed then watched, resumed after every break. */
export interface ClusterWatch {
  /** Resolves once the first pod list was handed to `relisted`; runs until `stop`. */
  start(handlers: WatchHandlers, stats: WatchStats): Promise<Result<void>>;
  /** Stops at once: no handler is called after it resolves. */
  stop(): Promise<void>;
}

/** One read of a node's new kernel messages, from where the last one stopped. */
export interface KernelSweep {
  /** `journalctl -o json` lines of kernel messages after the cursor. */
  bytes: Uint8Array;
  /** Where the next sweep starts: the last entry's `__CURSOR`, or the one given when nothing was new. */
  cursor: string | null;
  /** Cut by the byte cap or the time limit: the next sweep continues from `cursor`. */
  truncated: boolean;
  /**
   * The journal no longer held the entry at `from.cursor` (rotated or vacuumed away, or the journal was
   * replaced): the sweep began at the nearest entry after it, and entries in between may be lost.
   */
  rotated?: boolean;
}

export interface KernelSweepSource {
  /** Kernel entries after `from.cursor`, or since `from.sinceEpoch` (seconds) for a node never swept. */
  sweep(target: NodeTarget, from: { cursor: string } | { sinceEpoch: number }): Promise<Result<KernelSweep>>;
  close(): Promise<void>;
}

/** The one watcher per cluster: a lease with a fencing token that grows with every new holder. */
export interface LeaderLease {
  /** Takes the lease if free (or already ours); the token, or null when another holds it. */
  acquire(): Promise<number | null>;
  /** Extends our lease; false when it lapsed or another took it: stop acting at once. */
  renew(token: number): Promise<boolean>;
  release(token: number): Promise<void>;
}

/** Subscriptions made from Slack; `alerts.routes` are added to them by the caller, never stored. */
export interface SubscriptionStore {
  /** "duplicate" when the channel already has this scope, "cap" when the install has its cap of them. */
  add(
    subscription: Omit<AlertSubscription, "id">,
    cap: number,
  ): Promise<AlertSubscription | "duplicate" | "cap">;
  list(channel?: string): Promise<AlertSubscription[]>;
  remove(channel: string, id: string): Promise<boolean>;
}

/** What the watcher remembers per container, written only while it holds the lease. */
export interface SeenStore {
  seen(keys: string[]): Promise<Map<string, SeenContainer>>;
  /** Records the entries unless `token` is no longer the lease's: then false, and nothing written. */
  record(token: number, entries: SeenContainer[]): Promise<boolean>;
  /**
   * Where alerting begins: set once, to `startIso` on the first start (or after Redis lost its data);
   * kills that finished before it are history, not alerts.
   */
  since(startIso: string): Promise<string>;
}

/** Where found kills go: once each, whoever finds them and however often. */
export interface KillSink {
  add(kills: Kill[]): Promise<void>;
}

/** A channel's delivery lock, while its delivery holds it. */
export interface DeliveryLock {
  /** Holds it for its whole time again, from now; false when it lapsed meanwhile: stop delivering. */
  extend(): Promise<boolean>;
  release(): Promise<void>;
}

/** A channel's kills on their way to Slack, and the threads they went to. */
export interface DeliveryStore {
  /** Queues kills for the channel's next delivery; kills already delivered there are left out. */
  pend(channel: string, kills: Kill[]): Promise<void>;
  /** Up to `max` of the channel's pending kills, oldest `at` first. */
  pending(channel: string, max: number): Promise<Kill[]>;
  /** Marks kills delivered (remembered two days) and drops them from pending. */
  delivered(channel: string, ids: string[]): Promise<void>;
  /** The channel's delivery lock, held for `ms` (again at each extend); null while another holds it. */
  lock(channel: string, ms: number): Promise<DeliveryLock | null>;
  /** Today's threads of the channel, every subject (kept two days). */
  threads(channel: string, day: string): Promise<AlertThread[]>;
  saveThread(thread: AlertThread): Promise<void>;
  /** Threads the channel opened since `sinceMs`, for storm control. */
  openings(channel: string, sinceMs: number): Promise<number>;
  recordOpening(channel: string, atMs: number): Promise<void>;
  /** Kills held back by quiet hours, to be summed up when they end. */
  hold(channel: string, kills: Kill[]): Promise<void>;
  held(channel: string): Promise<Kill[]>;
  /** Drops these held kills (once the summary is posted). */
  released(channel: string, ids: string[]): Promise<void>;
}

/** Where each node's sweep stopped. */
export interface CursorStore {
  cursor(node: string): Promise<string | null>;
  /** Moves the node's cursor from `previous` to `next`; false (and nothing written) if another moved it. */
  advance(node: string, previous: string | null, next: string): Promise<boolean>;
}

/** Child-process kills kept for `/oom` reports and digests (eight days). */
export interface SilentKillLog {
  record(kill: Kill): Promise<void>;
  /** The namespace's (every namespace's, for null) silent kills at or after `sinceMs`. */
  since(namespace: string | null, sinceMs: number): Promise<Kill[]>;
}
