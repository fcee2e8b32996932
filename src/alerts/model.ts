// Live alerts: what a kill is once found, who hears of it, and what the bot remembers between kills.
// Pure types and small pure helpers; the rules live beside them (detect, silent, routing, storm).

/** What the kill was, as oom-doctor learnt of it. */
export type KillKind =
  /** A container terminated with reason OOMKilled (the watch saw its lastState change). */
  | "oom-killed"
  /** The kubelet evicted a pod for memory pressure. */
  | "evicted"
  /** A SystemOOM node event: the node's kernel killed something outside any container's own limit. */
  | "system-oom"
  /** The kernel killed a process inside a container that kept running: no restart shows it. */
  | "child-process";

export type Severity = "info" | "warning" | "critical";
export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

/** The process a child-process kill took, from the kernel's report. */
export interface KilledProcess {
  name: string;
  pid: number;
  residentBytes: number | null;
  /** The cgroup's limit the kernel printed, or the container's spec limit. */
  limitBytes: number | null;
}

/**
 * One kill, found by the pod watch, an event or a journal sweep. Ids and names only: it is queued and
 * stored as is. `id` is the same every time the same kill is found again (a relist, a takeover, a
 * second sweep), so that it is alerted once.
 */
export interface Kill {
  id: string;
  kind: KillKind;
  /** The cluster it happened in (`alerts.cluster`). */
  cluster: string;
  namespace: string | null;
  pod: string | null;
  podUid: string | null;
  container: string | null;
  node: string | null;
  /** `Kind/name` (see analysis/workload-key), or null when no pod is known. */
  workload: string | null;
  /** When it happened, ISO 8601: the container's finishedAt, the event's time, the kernel's time. */
  at: string;
  /** The kubelet's eviction message or the event's message, as they wrote it. */
  message: string | null;
  process: KilledProcess | null;
}

/** The workload a kill is about, `Kind/name`: a bare pod stands for itself; null without a pod. */
export const workloadOf = (kill: Kill): string | null =>
  kill.workload ?? (kill.pod === null ? null : `Pod/${kill.pod}`);

/** A channel's standing request to hear of kills. */
export interface AlertSubscription {
  id: string;
  channel: string;
  /** A namespace, a pattern with `*` (from alerts.routes), or "all". */
  scope: string;
  /** Kills below this are not posted. */
  minSeverity: Severity;
  /** Local times `HH:MM` in `tz`: kills within are held and summed up when the quiet hours end. */
  quiet: { from: string; to: string } | null;
  tz: string;
  /** "config" for alerts.routes (not removable from Slack), else the Slack user who subscribed. */
  createdBy: string;
  createdAt: string;
}

/** Per container, the last termination the watcher has seen: a different one is a new kill. */
export interface SeenContainer {
  /** `podUid/container`. */
  key: string;
  finishedAt: string;
  restartCount: number;
}

/** A thread the bot opened in a channel today, and what it holds. */
export interface AlertThread {
  channel: string;
  /** `workload:<namespace/Kind/name>`, `node:<name>` or `summary` (storm overflow). */
  subject: string;
  /** The day it belongs to, `YYYY-MM-DD` in the subscription's zone. */
  day: string;
  ts: string;
  kills: number;
  /** The workloads (or nodes) its kills were about, each once. */
  places: string[];
  /** The kill a workload thread's root shows now: named in a reply once a later kill takes its place. */
  shown: Kill | null;
  /** Kill ids already written into the thread. */
  killIds: string[];
  openedAt: string;
}
