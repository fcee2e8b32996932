// The live investigation, top to bottom: list the namespace's pods, pick the containers that need
// explaining, read each involved node's journal around their kills, and analyse. It depends only on
// the ports (ClusterReader, NodeJournalSource) and a clock; adapters are wired in src/cli.

import { analyse } from "./analysis/analyse.js";
import { isAffected, type NodeJournal } from "./analysis/correlate.js";
import { JournalParser } from "./analysis/parse-journal.js";
import { type ContainerCase, readPods } from "./analysis/pod.js";
import type { RecommendationPolicy } from "./analysis/recommend.js";
import { type JournalWindow, type WindowSpan, windowsByNode } from "./analysis/windows.js";
import { type AppError, fail, ok, type Result } from "./errors.js";
import type { MetricsSource } from "./history/ports.js";
import type { HistoryOptions } from "./history/queries.js";
import { historyReader } from "./history/workload-history.js";
import { addHistory, readHistoryEarly, type WorkloadPicture } from "./investigate-history.js";
import { type NodeAccess, nodeTarget } from "./node-target.js";
import type { ClusterReader, LimitCapsInfo, NodeInfo, NodeJournalFetch, NodeJournalSource } from "./ports.js";
import { withEvents } from "./report/events.js";
import { buildReport, type NodeStatusJson, type Report } from "./report/model.js";

export interface InvestigateOptions {
  namespace: string;
  /** Only this pod, when given. */
  pod: string | null;
  window: WindowSpan;
  restartThreshold: number;
  pageSize: number;
  /** How many nodes are read at once. */
  concurrency: number;
  policy: RecommendationPolicy;
  nodeAccess: NodeAccess;
}

export interface Progress {
  podsListed: number;
  nodesDone: number;
  nodesTotal: number;
}

export interface InvestigateDeps {
  cluster: ClusterReader;
  journals: NodeJournalSource;
  /** A metrics server and how far back to read it; without one, reports carry no history. */
  history?: { source: MetricsSource; options: HistoryOptions } | null;
  now: () => number;
  onProgress?: (progress: Progress) => void;
}

interface NodeOutcome {
  journal: NodeJournal;
  status: NodeStatusJson;
  allocatableMemoryBytes: number | null;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function statusOf(
  node: string,
  info: NodeInfo | null,
  error: AppError | null,
  fetched: NodeJournalFetch | null,
): NodeStatusJson {
  return {
    node,
    status: error?.kind ?? "ok",
    message: error?.message ?? null,
    hint: error?.hint ?? null,
    windows: (fetched?.windows ?? []).map((window) => ({
      since: iso(window.window.sinceEpoch),
      until: iso(window.window.untilEpoch),
      truncated: window.truncated,
    })),
    oldestEntry: fetched?.oldestEntryMs ? new Date(fetched.oldestEntryMs).toISOString() : null,
    kernelVersion: info?.kernelVersion ?? null,
    containerRuntime: info?.containerRuntime ?? null,
  };
}

/** A journal that answered but holds nothing for the windows: empty, or rotated past them. */
function emptyJournalError(
  node: string,
  fetched: NodeJournalFetch,
  windows: JournalWindow[],
): AppError | null {
  if (fetched.windows.some((window) => window.bytes.length > 0)) return null;
  if (fetched.oldestEntryMs === null) {
    return {
      kind: "journal-empty",
      message: `${node}: the journal has no entries at all`,
      hint: "is journald persistent (Storage=persistent)?",
    };
  }
  const lastWindowEnd = Math.max(...windows.map((window) => window.untilEpoch)) * 1000;
  if (fetched.oldestEntryMs > lastWindowEnd) {
    return {
      kind: "journal-rotated",
      message: `${node}: the journal's oldest entry is ${new Date(fetched.oldestEntryMs).toISOString()}, after the kill`,
      hint: "older entries were rotated or vacuumed: raise SystemMaxUse in journald.conf",
    };
  }
  return null;
}

async function readNodeJournal(
  deps: InvestigateDeps,
  options: InvestigateOptions,
  node: string,
  windows: JournalWindow[],
): Promise<NodeOutcome> {
  const info = await deps.cluster.readNode(node);
  const nodeInfo = info.ok ? info.value : null;
  const allocatableMemoryBytes = nodeInfo?.allocatableMemoryBytes ?? null;
  const failed = (error: AppError, fetched: NodeJournalFetch | null = null): NodeOutcome => ({
    journal: { node, events: [], facts: [], utcOffsetMinutes: 0, unavailable: error.message },
    status: statusOf(node, nodeInfo, error, fetched),
    allocatableMemoryBytes,
  });
  const where = nodeTarget(nodeInfo, node, options.nodeAccess);
  if (!where.ok)
    return failed(
      info.ok ? where.error : { ...where.error, message: `${where.error.message} (${info.error.message})` },
    );
  const fetched = await deps.journals.fetch(where.value, windows);
  if (!fetched.ok) return failed(fetched.error);
  const empty = emptyJournalError(node, fetched.value, windows);
  if (empty) return failed(empty, fetched.value);
  const parser = new JournalParser(node);
  const events = fetched.value.windows.flatMap((window) => parser.push(window.bytes));
  events.push(...parser.end());
  return {
    // JSON journals carry UTC instants: no zone to guess.
    journal: { node, events, facts: parser.nodes, utcOffsetMinutes: 0, unavailable: null },
    status: statusOf(node, nodeInfo, null, fetched.value),
    allocatableMemoryBytes,
  };
}

async function resolveWorkloads(
  cluster: ClusterReader,
  namespace: string,
  containers: ContainerCase[],
  warnings: string[],
): Promise<ContainerCase[]> {
  const resolved = new Map<string, Promise<Result<{ kind: string; name: string } | null>>>();
  const out: ContainerCase[] = [];
  for (const container of containers) {
    const owner = container.owner;
    if (!owner || (owner.kind !== "ReplicaSet" && owner.kind !== "Job")) {
      out.push(container);
      continue;
    }
    const key = `${owner.kind}/${owner.name}`;
    if (!resolved.has(key)) resolved.set(key, cluster.readOwner(namespace, owner));
    const result = await resolved.get(key);
    if (result?.ok) {
      const top = result.value ?? owner;
      out.push({ ...container, workload: { kind: top.kind, name: top.name, inferred: false } });
    } else {
      if (result && !warnings.some((warning) => warning.startsWith(result.error.message))) {
        warnings.push(`${result.error.message}: workloads are named from pod labels instead`);
      }
      out.push(container);
    }
  }
  return out;
}

/** The report, and the pictures of its workloads' memory (none without a metrics server). */
export interface Investigation {
  report: Report;
  pictures: WorkloadPicture[];
}

export async function investigate(
  deps: InvestigateDeps,
  options: InvestigateOptions,
): Promise<Result<Investigation>> {
  const { namespace } = options;
  const listed = await deps.cluster.listPods(namespace, options.pageSize);
  if (!listed.ok) return listed;
  // Listing a namespace that does not exist answers an empty list: say so rather than "all quiet".
  if (listed.value.length === 0 && (await deps.cluster.namespaceExists(namespace)) === false)
    return fail(
      "not-found",
      `namespace ${namespace} does not exist`,
      "check the name: kubectl get namespaces",
    );
  const warnings: string[] = [];
  const pods = readPods(listed.value);
  let containers = pods.ok ? pods.cases : [];
  if (options.pod !== null) {
    containers = containers.filter((container) => container.pod === options.pod);
    if (containers.length === 0)
      return fail("not-found", `pod ${options.pod} is not in namespace ${namespace}`);
  }
  const selected = containers.filter((c) => isAffected(c) || c.restartCount >= options.restartThreshold);
  deps.onProgress?.({ podsListed: listed.value.length, nodesDone: 0, nodesTotal: 0 });
  const withOwners = await resolveWorkloads(deps.cluster, namespace, selected, warnings);
  // The metrics server answers while the nodes are read: its history does not wait on their journals.
  const historyAsOf = deps.now();
  const readMemory = deps.history ? historyReader(deps.history.source, deps.history.options) : null;
  if (readMemory) readHistoryEarly(withOwners.filter(isAffected), containers, readMemory, historyAsOf);

  const windows = [...windowsByNode(withOwners, options.window).entries()];
  let done = 0;
  const outcomes = await bounded(windows, options.concurrency, async ([node, nodeWindows]) => {
    const outcome = await readNodeJournal(deps, options, node, nodeWindows);
    deps.onProgress?.({ podsListed: listed.value.length, nodesDone: ++done, nodesTotal: windows.length });
    return outcome;
  });
  for (const outcome of outcomes) {
    if (outcome.status.windows.some((window) => window.truncated)) {
      warnings.push(
        `${outcome.status.node}: the journal answer was cut (size or time limit): later entries are missing`,
      );
    }
  }

  const caps = await deps.cluster.limitCaps(namespace);
  if (!caps.ok)
    warnings.push(`${caps.error.message}: limits are not checked against LimitRange and ResourceQuota`);
  const capInfo: LimitCapsInfo = caps.ok ? caps.value : { limitRangeMaxBytes: null, quotaRoomBytes: null };
  const allocatable = new Map(
    outcomes.map((outcome) => [outcome.status.node, outcome.allocatableMemoryBytes]),
  );
  // Every container counts towards its workload's restart rate; only the selected ones were looked into.
  const others = containers.filter((container) => !selected.includes(container));
  const analysis = analyse(
    [...withOwners, ...others],
    outcomes.map((outcome) => outcome.journal),
    {
      asOfMs: deps.now(),
      window: options.window,
      policy: options.policy,
      capsFor: (container) => ({
        limitRangeMaxBytes: capInfo.limitRangeMaxBytes,
        quotaRoomBytes:
          capInfo.quotaRoomBytes === null ? null : capInfo.quotaRoomBytes + (container.memoryLimitBytes ?? 0),
        nodeAllocatableBytes: allocatable.get(container.node ?? "") ?? null,
      }),
    },
  );
  const report = buildReport(
    analysis,
    namespace,
    warnings,
    outcomes.map((outcome) => outcome.status),
  );
  const events = await deps.cluster.listEvents(namespace);
  if (!events.ok) report.warnings.push(`${events.error.message}: Kubernetes events are not shown`);
  const withKubernetesEvents = withEvents(report, events.ok ? events.value : []);
  const pictures =
    deps.history && readMemory
      ? await addHistory(
          withKubernetesEvents,
          containers,
          { read: readMemory, options: deps.history.options, policy: options.policy },
          historyAsOf,
        )
      : [];
  return ok({ report: withKubernetesEvents, pictures });
}
