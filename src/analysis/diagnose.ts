// From a correlated container to a verdict and the facts that support it, said the way a senior SRE
// would say them: what was charged, what was not, why this process, and whether it is a pattern.

import { DEFAULT_WINDOW, type Match } from "./correlate.js";
import { describeLogTime, percent, perDay, plural, signedSeconds, utcOffset } from "./format.js";
import { hitNodeAllocatable, sacrificedChild } from "./kernel-verdict.js";
import { resolveLogTime } from "./log-time.js";
import { type OomEvent, PAGE_BYTES, type TaskRow } from "./oom-event.js";
import { type ContainerCase, finishedMs } from "./pod.js";
import { formatBytes, formatQuantity } from "./quantity.js";

export const VERDICTS = [
  "container-limit",
  "pod-limit",
  "node-allocatable",
  "node-pressure",
  "evicted",
  "killed-not-oom",
  "child-process",
  "no-evidence",
] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface WorkloadStats {
  kind: string;
  name: string;
  pods: number;
  restarts: number;
  /** Age of the oldest pod, in days. */
  days: number | null;
  restartsPerPodPerDay: number | null;
}

export interface Diagnosis {
  verdict: Verdict;
  /** One sentence: the verdict in words. */
  summary: string;
  /** The facts behind it, one sentence each. */
  evidence: string[];
  restartsPerDay: number | null;
  /** Kills come at a steady rate: a leak or an undersized limit rather than a one-off spike. */
  regularKills: boolean;
  /** Resident memory of the victim at the kill (anon + file + shmem rss). */
  residentBytes: number | null;
}

export interface DiagnoseContext {
  asOfMs: number;
  workload: WorkloadStats | null;
}

const DAY_MS = 86_400_000;
// Steady means at least one kill a day over at least three kills.
const REGULAR_RATE = 1;
const REGULAR_MIN_RESTARTS = 3;

export function restartsPerDay(container: ContainerCase, asOfMs: number): number | null {
  const created = container.podCreatedAt ? Date.parse(container.podCreatedAt) : Number.NaN;
  if (!Number.isFinite(created) || asOfMs <= created) return null;
  return container.restartCount / ((asOfMs - created) / DAY_MS);
}

export function residentBytes(event: OomEvent | null): number | null {
  const victim = event?.victim;
  if (!victim || victim.anonRssBytes === null) return null;
  return victim.anonRssBytes + (victim.fileRssBytes ?? 0) + (victim.shmemRssBytes ?? 0);
}

function whoWasKilled(event: OomEvent, node: string | null): string {
  const victim = event.victim;
  const where = node ?? event.node ?? "the node";
  if (!victim)
    return `The kernel's report on ${where} at ${describeLogTime(event.time)} has no \`Killed process\` line.`;
  return `The kernel killed ${victim.comm} (pid ${victim.pid}) on ${where} at ${describeLogTime(event.time)}.`;
}

function timing(match: Match): string | null {
  if (match.clockSkewSeconds === null) return null;
  const assumed =
    match.assumedUtcOffsetMinutes === null
      ? ""
      : ` (the journal has no time zone; the node's clock is taken as ${utcOffset(match.assumedUtcOffsetMinutes)})`;
  const how =
    match.matchedBy === "node-time"
      ? "Matched by node and time only, as the report names no pod"
      : `Matched by ${match.matchedBy === "container-id" ? "container id" : "pod UID"} from the cgroup path, not by the clock`;
  return `${how}: the kernel's time is ${signedSeconds(match.clockSkewSeconds)} the kubelet's finishedAt${assumed}; node and API server clocks differ.`;
}

function residentFacts(event: OomEvent, limitBytes: number | null, limitText: string): string[] {
  const victim = event.victim;
  const facts: string[] = [];
  if (event.memcg) {
    const { usageBytes, limitBytes: cgroupLimit, failcnt } = event.memcg;
    const limitWords = cgroupLimit === null ? "no limit" : `limit ${formatQuantity(cgroupLimit)}`;
    facts.push(
      `Cgroup memory: usage ${formatQuantity(usageBytes)}, ${limitWords}, failcnt ${failcnt}` +
        (cgroupLimit !== null && usageBytes >= cgroupLimit ? ": the cgroup was exactly at its limit." : "."),
    );
  }
  if (victim?.anonRssBytes != null) {
    const share = limitBytes
      ? ` (${percent(victim.anonRssBytes, limitBytes)} of the ${limitText} limit)`
      : "";
    facts.push(
      `What was charged is resident memory: anon-rss ${formatBytes(victim.anonRssBytes)}${share}, file-rss ${formatBytes(victim.fileRssBytes ?? 0)}, shmem-rss ${formatBytes(victim.shmemRssBytes ?? 0)}.`,
    );
  }
  if (victim?.totalVmBytes != null) {
    facts.push(
      `total-vm ${formatBytes(victim.totalVmBytes)} is virtual address space (reserved, mapped, not necessarily touched); it is not charged to the cgroup and is not what hit the limit.`,
    );
  }
  return facts;
}

/** For Burstable pods the kubelet sets oom_score_adj = 1000 - 1000*request/capacity (integer division). */
function nodeMemoryFromScore(adj: number, requestBytes: number): [number, number] | null {
  const k = 1000 - adj;
  if (k < 1 || k > 998) return null;
  return [(1000 * requestBytes) / (k + 1), (1000 * requestBytes) / k];
}

function qosFacts(container: ContainerCase, event: OomEvent | null): string[] {
  const facts: string[] = [];
  const adj = event?.victim?.oomScoreAdj ?? null;
  const request = container.memoryRequest ?? "none";
  const limit = container.memoryLimit ?? "none";
  if (container.qosClass === "Burstable") {
    const relation = (container.memoryRequestBytes ?? 0) < (container.memoryLimitBytes ?? 0) ? "<" : "and";
    let sentence = `The pod is Burstable (memory request ${request} ${relation} limit ${limit})`;
    const range =
      adj !== null && container.memoryRequestBytes
        ? nodeMemoryFromScore(adj, container.memoryRequestBytes)
        : null;
    if (adj !== null)
      sentence += `; the victim's oom_score_adj ${adj} fits: the kubelet sets 1000 - 1000 x request / node memory`;
    if (range)
      sentence += `, which implies a node of about ${formatBytes(range[0])} to ${formatBytes(range[1])}`;
    facts.push(`${sentence}.`);
  } else if (container.qosClass === "Guaranteed") {
    facts.push(
      `The pod is Guaranteed (requests = limits)${adj !== null ? `; oom_score_adj ${adj} (the kubelet sets -997; before Kubernetes 1.15 it set -998, the same as the pod's pause container)` : ""}.`,
    );
  } else if (container.qosClass === "BestEffort") {
    facts.push(
      `The pod is BestEffort (no requests or limits)${adj !== null ? `; oom_score_adj ${adj}` : ""}: the first to go when the node runs short.`,
    );
  }
  const protectedTasks = (event?.tasks ?? []).filter(
    (row) => row.oomScoreAdj === -998 && row.pid !== event?.victim?.pid,
  );
  if (protectedTasks.length > 0 && event?.victim) {
    const names = [...new Set(protectedTasks.map((row) => row.name))].join(", ");
    facts.push(
      `${names} (oom_score_adj -998, the kubelet's setting for the pod's pause container) scored lower, so ${event.victim.comm} was the one to go.`,
    );
  }
  return facts;
}

function patternFacts(
  container: ContainerCase,
  context: DiagnoseContext,
): { facts: string[]; rate: number | null; regular: boolean } {
  const rate = restartsPerDay(container, context.asOfMs);
  const facts: string[] = [];
  const created = container.podCreatedAt ? Date.parse(container.podCreatedAt) : Number.NaN;
  if (rate !== null) {
    const days = (context.asOfMs - created) / DAY_MS;
    facts.push(
      `${plural(container.restartCount, "restart")} in ${days.toFixed(2)} days: ${perDay(rate)} a day for this container.`,
    );
  }
  const workload = context.workload;
  let regular = rate !== null && rate >= REGULAR_RATE && container.restartCount >= REGULAR_MIN_RESTARTS;
  if (workload?.restartsPerPodPerDay != null && workload.days !== null && workload.pods > 1) {
    const steady = workload.restartsPerPodPerDay >= REGULAR_RATE && workload.restarts >= REGULAR_MIN_RESTARTS;
    regular ||= steady;
    facts.push(
      `Across ${workload.kind} ${workload.name}: ${plural(workload.restarts, "restart")} in ${plural(workload.pods, "pod")} over ${workload.days.toFixed(2)} days, ${perDay(workload.restartsPerPodPerDay)} per pod per day` +
        (steady ? ": a steady pattern (a leak or an undersized limit), not a one-off spike." : "."),
    );
  } else if (regular) {
    facts.push("The kills are regular: a leak or an undersized limit, not a one-off spike.");
  }
  return { facts, rate, regular };
}

function topResident(tasks: TaskRow[], count: number): string {
  return [...tasks]
    .filter((row) => row.rssPages !== null)
    .sort((a, b) => (b.rssPages ?? 0) - (a.rssPages ?? 0))
    .slice(0, count)
    .map((row) => `${row.name} (pid ${row.pid}, ${formatBytes((row.rssPages ?? 0) * PAGE_BYTES)})`)
    .join(", ");
}

function coverageFacts(match: Match): string[] {
  const container = match.container;
  const journal = match.journal;
  const node = container.node ?? "the node";
  if (match.journalUnavailable !== null)
    return [`The journal from ${node} could not be read: ${match.journalUnavailable}.`];
  const finished = finishedMs(match.container);
  const { beforeSeconds, afterSeconds } = DEFAULT_WINDOW;
  if (!journal) {
    const at = finished === null ? null : Math.floor(finished / 1000);
    const window = at === null ? "" : ` --since @${at - beforeSeconds} --until @${at + afterSeconds}`;
    return [
      `No journal from ${node} was given. On the node: \`journalctl -o json --no-pager${window} _TRANSPORT=kernel\`, then pass it with --journal ${node}=FILE.`,
    ];
  }
  const facts: string[] = [];
  const offset = match.journalUtcOffsetMinutes;
  if (finished !== null && journal.firstTime && journal.lastTime) {
    const zoneKnown = journal.firstTime.kind === "instant" || offset !== null;
    const first = zoneKnown ? resolveLogTime(journal.firstTime, finished, offset) : null;
    const last = zoneKnown ? resolveLogTime(journal.lastTime, finished, offset) : null;
    if (first && first.epochMs > finished + afterSeconds * 1000) {
      facts.push(
        `The journal from ${node} starts at ${describeLogTime(journal.firstTime)}, after the kill: older entries were rotated or vacuumed away.`,
      );
    } else if (last && last.epochMs < finished - beforeSeconds * 1000) {
      facts.push(
        `The journal from ${node} ends at ${describeLogTime(journal.lastTime)}, before the kill: fetch a later window.`,
      );
    } else if (!zoneKnown) {
      facts.push(
        `The journal from ${node} has no time zone and no kernel report names this pod, so it could not be matched by time; pass --node-utc-offset to allow it.`,
      );
    } else {
      facts.push(`The journal from ${node} covers the kill time but holds no OOM report for this container.`);
    }
  }
  if (journal.suppressedCallbacks > 0) {
    facts.push(
      `The kernel suppressed ${journal.suppressedCallbacks} messages (\`callbacks suppressed\`): rate limiting can drop a report.`,
    );
  }
  if (journal.bootIds.length > 1 || journal.bootMarkers > 0) {
    facts.push(
      `${node} rebooted in this journal: a report printed just before a crash may never reach the disk.`,
    );
  }
  if (journal.kernelRecords === 0) {
    facts.push(
      `The journal from ${node} holds no kernel messages here (journalctl selects them with _TRANSPORT=kernel).`,
    );
  }
  return facts;
}

function withLimit(container: ContainerCase): string {
  return container.memoryLimit ?? "unset";
}

export function diagnose(match: Match, context: DiagnoseContext): Diagnosis {
  const container = match.container;
  const event = match.event;
  const pattern = patternFacts(container, context);
  const resident = residentBytes(event);
  const base = { restartsPerDay: pattern.rate, regularKills: pattern.regular, residentBytes: resident };
  const timingFact = timing(match);
  const withEvent = (verdict: Verdict, summary: string, specific: string[]): Diagnosis => ({
    ...base,
    verdict,
    summary,
    evidence: [
      ...(event ? [whoWasKilled(event, container.node)] : []),
      ...specific,
      ...(timingFact ? [timingFact] : []),
      ...(event?.partial ? [`The report is partial: ${event.caveats.join("; ")}.`] : []),
      ...pattern.facts,
    ],
  });

  if (container.eviction) {
    const usage = container.eviction.usageBytes;
    return withEvent(
      "evicted",
      "The kubelet evicted the pod because the node was low on memory; the kernel's OOM killer was not involved.",
      [
        `Eviction message: "${container.eviction.message}".`,
        ...(usage !== null
          ? [
              `The container was using ${formatBytes(usage)} against a request of ${container.memoryRequest ?? "none"}: pods above their requests are evicted first.`,
            ]
          : []),
        ...qosFacts(container, null),
      ],
    );
  }

  if (event === null) {
    const termination = container.lastTermination;
    if (termination?.exitCode === 137 && termination.reason !== "OOMKilled") {
      return withEvent(
        "killed-not-oom",
        `Exit code 137 is SIGKILL (128 + 9), but the runtime did not report an OOM kill (reason ${termination.reason ?? "unknown"}).`,
        [
          "Common senders of SIGKILL: the kubelet after a failing liveness probe or a stop that outlived terminationGracePeriodSeconds, preemption, or a process supervisor.",
          `Check \`kubectl get events -n ${container.namespace} --field-selector involvedObject.name=${container.pod}\` for "Liveness probe failed" or "Killing".`,
          ...coverageFacts(match),
        ],
      );
    }
    return withEvent(
      "no-evidence",
      `The container was ${termination?.reason === "OOMKilled" ? "OOMKilled" : "killed"}, but no kernel OOM report for it was found.`,
      coverageFacts(match),
    );
  }

  const runningSameContainer =
    match.matchedBy === "container-id" &&
    container.running &&
    event.taskCgroup?.containerId != null &&
    container.currentContainerId?.startsWith(event.taskCgroup.containerId) === true;
  const endedOtherwise =
    container.lastTermination !== null &&
    container.lastTermination.reason !== "OOMKilled" &&
    container.lastTermination.exitCode !== 137;
  const childKilled = sacrificedChild(event);
  if (runningSameContainer || endedOtherwise || childKilled) {
    const sacrificed =
      childKilled && event.selected && event.victim
        ? [
            `The kernel chose ${event.selected.comm} (pid ${event.selected.pid}, score ${event.selected.score}) and sacrificed its child ${event.victim.comm} (pid ${event.victim.pid}) instead.`,
          ]
        : [];
    const stillRunning = runningSameContainer
      ? [
          `The container is still running (restart count ${container.restartCount}): the main process survived.`,
        ]
      : endedOtherwise
        ? [
            `The container itself ended with ${container.lastTermination?.reason ?? "?"} (exit ${container.lastTermination?.exitCode ?? "?"}), not OOMKilled.`,
          ]
        : [];
    return withEvent(
      "child-process",
      `A process inside the container, not its main process, was OOM-killed when the container's memory cgroup hit its ${withLimit(container)} limit.`,
      [
        ...sacrificed,
        ...stillRunning,
        ...residentFacts(event, container.memoryLimitBytes, withLimit(container)),
        ...qosFacts(container, event),
      ],
    );
  }

  // Scope, not the constraint: kernels of the 4.19 to 5.x era print CONSTRAINT_NONE for memcg OOMs too.
  if (event.scope === "global") {
    const top = topResident(event.tasks, 5);
    const ram = event.totalRamPages
      ? ` The node has ${formatBytes(event.totalRamPages * PAGE_BYTES)} of RAM.`
      : "";
    return withEvent(
      "node-pressure",
      `The node ran out of memory (${event.constraint ?? "global OOM"}): no cgroup limit was hit, and the kernel chose this container's process to free memory.`,
      [
        ...(top
          ? [`The largest resident processes at the time (assuming 4 KiB pages): ${top}.${ram}`]
          : ram
            ? [ram.trim()]
            : []),
        `Why this victim: the kernel kills the highest badness (resident memory plus oom_score_adj x 1% of RAM); oom_score_adj was ${event.victim?.oomScoreAdj ?? "unknown"}.`,
        ...residentFacts(event, container.memoryLimitBytes, withLimit(container)).filter(
          (fact) => !fact.startsWith("Cgroup"),
        ),
        ...qosFacts(container, event),
        "Pods whose usage exceeds their requests overcommit the node; requests that match real usage keep the scheduler honest.",
      ],
    );
  }

  if (hitNodeAllocatable(event)) {
    return withEvent(
      "node-allocatable",
      `The node's pod hierarchy hit its limit (node allocatable), not the container's ${withLimit(container)} limit: all pods on the node together used more than the kubelet allows them.`,
      [
        `The limit was hit at ${event.oomMemcg}: the kubelet caps it at the node's allocatable memory (capacity minus kube-reserved, system-reserved and the hard eviction threshold).`,
        ...residentFacts(event, container.memoryLimitBytes, withLimit(container)),
        ...qosFacts(container, event),
        "Pods whose usage exceeds their requests overcommit the node; the kubelet evicts by memory.available, but a fast spike reaches the kernel first.",
      ],
    );
  }

  // A pod's cgroup whose limit is this container's own: the pod has no other limited container, so its
  // cgroup fills when this container does (the pause container adds a few kB and tips it first).
  const podLimitIsContainers =
    event.memcg?.limitBytes != null && event.memcg.limitBytes === container.memoryLimitBytes;
  if (event.oomCgroup?.podLevel && !podLimitIsContainers) {
    return withEvent(
      "pod-limit",
      `The pod's own cgroup (all its containers together) hit its limit, not the container's ${withLimit(container)} limit.`,
      [
        `The limit was hit at ${event.oomMemcg}: the sum of the containers' limits, plus pod overhead.`,
        ...residentFacts(event, container.memoryLimitBytes, withLimit(container)),
        ...qosFacts(container, event),
      ],
    );
  }

  const samePodLimit = event.oomCgroup?.podLevel
    ? [
        `The kernel names the pod's cgroup (${event.oomMemcg}), whose limit equals this container's own ${withLimit(container)}: this is the pod's only container, so its usage filled the pod's cgroup.`,
      ]
    : [];
  return withEvent(
    "container-limit",
    `The container hit its own ${withLimit(container)} memory limit and the kernel killed its process; this was not node memory pressure.`,
    [
      ...samePodLimit,
      ...residentFacts(event, container.memoryLimitBytes, withLimit(container)),
      ...qosFacts(container, event),
    ],
  );
}
