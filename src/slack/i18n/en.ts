// Every sentence the bot says, in English. The other catalogs have the same shape (checked by the
// compiler), so a message cannot exist in one language only.

import type { KillKind, Severity } from "../../alerts/model.js";
import type { Verdict } from "../../analysis/diagnose.js";
import { noteText } from "../../analysis/recommendation-notes.js";
import type { ErrorKind } from "../../errors.js";
import type { AuditEvent, ProposalStatus, Refusal } from "../../proposals/model.js";
import type { ProposalProblem } from "../../proposals/rules.js";

function problem(p: ProposalProblem): string {
  switch (p.kind) {
    case "not-a-quantity":
      return `\`${p.value}\` is not a Kubernetes quantity: write it like 1536Mi or 2Gi.`;
    case "reason-missing":
      return "Say why, for the approver and the audit trail.";
    case "request-above-limit":
      return `The request (${p.request}) cannot be above the limit (${p.limit}).`;
    case "below-resident":
      return `${p.limit} is below the ${p.resident} the container held when it was killed: it would be killed again.`;
    case "not-a-raise":
      return `${p.limit} is not above the current limit (${p.current}).`;
    case "above-maximum":
      return `${p.limit} is above the configured maximum (${p.maximum}).`;
    case "above-node-allocatable":
      return `${p.limit} is more than the node can give a pod (allocatable ${p.allocatable}).`;
    case "above-limit-range":
      return `${p.limit} is above the namespace's LimitRange max (${p.maximum}).`;
    case "step-too-large":
      return `${p.limit} is more than ${p.factor}x the current ${p.current} in one step (setting proposals.maxStepFactor).`;
    case "probable-leak":
      return `This workload's limit was raised ${p.bumps} times in the last 7 days: that looks like a leak. Profile it instead of raising again.`;
  }
}

/** Which kind of server a killed process belongs to, for advice on its workers. */
export type WorkerKind = "python" | "php-fpm" | "postgres" | "shell" | "other";

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st. */
function ordinal(n: number): string {
  const suffixes: Record<number, string> = { 1: "st", 2: "nd", 3: "rd" };
  const teens = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teens ? "th" : (suffixes[n % 10] ?? "th")}`;
}

/** Who an investigation is for: the user who asked, or ("") the live alert that started it. */
const asker = (user: string) => (user === "" ? "a live alert" : `<@${user}>`);

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

function refusal(r: Refusal): string {
  switch (r.kind) {
    case "api":
      return r.message;
    case "rule":
      return `Against the live workload: ${problem(r.problem)}`;
    case "container-missing":
      return `The workload has no container \`${r.container}\` any more.`;
    case "workload-replaced":
      return "The workload was deleted and created again since the dry run. Propose again from a new investigation.";
    case "expired-before-apply":
      return "It expired before it could be applied. Propose again if the change is still wanted.";
    case "approver-not-allowed":
      return `<@${r.approver}> may no longer approve changes here (setting proposals.approvers), so it was not applied.`;
  }
}

export const en = {
  usage: [
    "*Usage*",
    "`/oom <namespace>`: investigate the namespace's OOM-killed and restarting containers",
    "`/oom <namespace> <pod>`: only that pod",
    "`/oom status`: the queue, the workers and the latest investigations",
    "`/oom audit [namespace]`: the latest limit proposals, approvals and changes",
    "`/oom digest subscribe <namespace|all> [at HH:MM] [tz <Area/City>]`: a daily restart digest here (default 09:00, your time zone)",
    "`/oom digest list` · `/oom digest unsubscribe <id>` · `/oom digest now <namespace|all>`",
    "`/oom watch <namespace|all> [min info|warning|critical] [quiet HH:MM-HH:MM] [tz <Area/City>]`: an alert here within seconds of every OOM kill",
    "`/oom watch list` · `/oom unwatch <id>`",
    "`/oom help`: this help",
  ].join("\n"),
  badCommand: (problem: string) => `:warning: ${problem}`,
  invalidNamespace: (value: string) =>
    `\`${value}\` is not a namespace name: lowercase letters, digits and "-", at most 63 characters, starting and ending with a letter or digit.`,
  invalidPod: (value: string) =>
    `\`${value}\` is not a pod name: lowercase letters, digits, "-" and ".", at most 253 characters.`,
  tooManyWords: (extra: string) => `Unexpected words: \`${extra}\`.`,
  namespaceNotAllowed: (namespace: string, allowed: string) =>
    allowed === ""
      ? `This channel may not investigate \`${namespace}\`: no namespace is allowed here (setting slack.channels).`
      : `This channel may not investigate \`${namespace}\`; it may investigate: ${allowed} (setting slack.channels).`,
  queueUnavailable:
    ":x: The job queue (Redis) cannot be reached, so nothing was queued. Try again in a minute; if it persists, ask whoever runs oom-doctor to check REDIS_URL.",
  otherWorkspace:
    ":no_entry: This oom-doctor serves another Slack workspace; nothing was done. Ask your own administrators for yours.",
  unknownWorkspace:
    ":hourglass: oom-doctor cannot tell right now whether this comes from the workspace it serves, so nothing was done. Try again in a minute.",
  channelNotListed: (channel: string) =>
    `:no_entry: oom-doctor does not work in this channel: nothing was done. Ask whoever runs it to add this channel's id \`${channel}\` to slack.channels, with the namespaces it may investigate.`,
  internalError: ":x: Something went wrong on oom-doctor's side; nothing was queued. Its logs say more.",
  alreadyRunning: (namespace: string, link: string) =>
    `\`${namespace}\` is already being investigated for this channel: <${link}|follow that thread>.`,
  alreadyRunningNoLink: (namespace: string) =>
    `\`${namespace}\` is already being investigated for this channel; its thread will have the report.`,

  rootQueued: (namespace: string, user: string) =>
    `:mag: Investigating \`${namespace}\` for ${asker(user)}... (queued)`,
  rootProgress: (namespace: string, user: string, pods: number, nodesDone: number, nodesTotal: number) =>
    `:mag: Investigating \`${namespace}\` for ${asker(user)}... ${pods} pods listed` +
    (nodesTotal > 0 ? `, node journals ${nodesDone}/${nodesTotal}` : ""),
  rootDone: (namespace: string, findings: number) =>
    `:memo: OOM investigation of \`${namespace}\`: ${findings} container${findings === 1 ? "" : "s"} to look at. Details in the thread.`,
  rootQuiet: (namespace: string) => `:white_check_mark: No OOM kills found in \`${namespace}\`.`,
  rootAllSnoozed: (namespace: string, count: number) =>
    `:zzz: \`${namespace}\` has OOM kills only in snoozed workloads (${count}); nothing new to show.`,
  rootFailed: (namespace: string, reason: string) =>
    `:x: The investigation of \`${namespace}\` failed: ${reason}`,
  requestedBy: (user: string) => (user === "" ? "Started by a live alert" : `Requested by <@${user}>`),
  table: {
    workload: "workload",
    containers: "containers",
    restarts: "restarts",
    lastKill: "last kill",
    verdict: "verdict",
  },
  snoozedHidden: (count: number) => `${count} snoozed workload${count === 1 ? " is" : "s are"} not shown.`,
  topRestarters: "Most restarts:",
  noRestarts: "No container restarted.",
  restartsLine: (workload: string, restarts: number, pods: number) =>
    `${workload}: ${restarts} restart${restarts === 1 ? "" : "s"} in ${pods} pod${pods === 1 ? "" : "s"}`,
  moreWorkloads: (hidden: number) => `+${hidden} more workload${hidden === 1 ? "" : "s"}`,
  otherWorkloads: (count: number) =>
    `:card_index_dividers: ${count} more workload${count === 1 ? "" : "s"} with OOM kills, less severe than those above. Pick one in the menu to see its buttons.`,
  showActions: "Show buttons for…",
  workloadActions: (workload: string, container: string) => `*${workload}* (${container})`,

  verdictName: {
    "container-limit": "container limit",
    "pod-limit": "pod limit",
    "node-allocatable": "node allocatable",
    "node-pressure": "node out of memory",
    evicted: "evicted",
    "killed-not-oom": "killed, not OOM",
    "child-process": "child process",
    "no-evidence": "no kernel evidence",
  } satisfies Record<Verdict, string>,
  verdictLine: {
    "container-limit": "hit its own memory limit; the kernel killed it (not node pressure)",
    "pod-limit": "the pod's cgroup (all containers together) hit its limit",
    "node-allocatable":
      "all pods on the node together hit the node's allocatable memory; this container was chosen",
    "node-pressure": "the node ran out of memory; this container was chosen as the victim",
    evicted: "evicted by the kubelet under node memory pressure",
    "killed-not-oom": "killed with SIGKILL, but not by the OOM killer",
    "child-process": "a child process was OOM-killed; the main process survived",
    "no-evidence": "restarted or OOMKilled, but no kernel report was found for it",
  } satisfies Record<Verdict, string>,

  history: {
    title: "*Memory before the kills* (Prometheus)",
    figures: (days: number, p50: string, p90: string, p99: string, max: string, rss: string | null) =>
      `Working set over ${days} days: p50 ${p50}, p90 ${p90}, p99 ${p99}, max ${max}${rss === null ? "" : `; RSS max ${rss}`}`,
    leak: (slope: string, r2: string) =>
      `:chart_with_upwards_trend: *Leak*: it grows steadily, ${slope} (R² ${r2}).`,
    nextKill: (slope: string, from: string, at: string, error: number) =>
      `At ${slope} from ${from}, the limit is reached around *${at}*, ±${error} min: the next kill.`,
    spike: (jump: string) =>
      `:zap: *Spike*: it rose ${jump} within minutes before the kill: size for the peak.`,
    undersized: (share: number) =>
      `:straight_ruler: *Undersized*: flat near the limit (${share}% of samples within 10% of it).`,
    unknown: "No clear pattern: not a steady climb, a sudden jump or flat at the limit.",
    incomplete: (problem: string) => `History incomplete: ${problem}`,
    pictureTitle: (workload: string) => `Memory of ${workload} before its kills`,
    without:
      "With Prometheus (prometheus.url), each workload would also show its memory before the kills, whether it leaks, spikes or sits at its limit, and when a leak will kill it next.",
  },
  evidence: {
    memory: "Memory",
    limitVsResident: (limit: string, resident: string, share: string) =>
      `limit ${limit}, resident at the kill ${resident} (${share})`,
    noLimit: "no memory limit",
    cgroup: (usage: string, limit: string, failcnt: number) =>
      `cgroup usage ${usage} of ${limit}, failcnt ${failcnt}`,
    victim: "Victim",
    victimLine: (comm: string, pid: number) => `\`${comm}\` (pid ${pid})`,
    rss: (anon: string, file: string, shmem: string) =>
      `anon-rss ${anon}, file-rss ${file}, shmem-rss ${shmem}`,
    totalVm: (vm: string) => `total-vm ${vm} is reserved address space, not charged`,
    qos: "QoS",
    qosLine: (qos: string, request: string, adj: string) =>
      `${qos}, memory request ${request}, oom_score_adj ${adj}`,
    restarts: "Restarts",
    restartsLine: (count: number, perDay: string) => `${count} (${perDay} a day)`,
    node: "Node",
    killed: "Killed at",
    skew: (seconds: number, method: string) =>
      `kernel clock ${seconds >= 0 ? "+" : ""}${seconds} s from the kubelet's finishedAt (matched by ${method})`,
    matchedBy: { "container-id": "container id", "pod-uid": "pod UID", "node-time": "node and time" },
    unknown: "unknown",
    none: "none",
    alsoAffected: (pods: string) => `Also in this workload: ${pods}`,
    events: (summary: string) => `Kubernetes events: ${summary}`,
  },
  kernelReport: (node: string) => `Kernel report on ${node}:`,
  kernelTruncated: (shown: number, total: number) =>
    `Showing ${shown} of ${total} lines; the whole report is attached.`,
  kernelFileTitle: (pod: string) => `Kernel OOM report for ${pod}`,
  otherTasks: (count: number, resident: string) =>
    `… ${count} other process${count === 1 ? "" : "es"}, ${resident} resident (not this workload's: not shown)`,
  recommendation: "Recommendation",
  recommendLimit: (from: string, to: string) => `memory limit ${from} → *${to}*`,
  recommendRequest: (from: string, to: string) => `memory request ${from} → *${to}*`,
  noRecommendation: "No limit change is recommended.",
  /** The analysis words its notes in English already. */
  reason: noteText,
  buttons: {
    propose: (limit: string) => `Propose limit → ${limit}`,
    kernelLog: "Show full kernel log",
    snooze: (days: number) => `Snooze ${days} days`,
    unsnooze: "Undo snooze",
  },
  nodesUnreadCount: (count: number) =>
    `${count} node journal${count === 1 ? "" : "s"} could not be read: see the thread.`,
  moreBlocks: (hidden: number) => `${hidden} more block${hidden === 1 ? "" : "s"} not shown.`,
  nodesUnread: "Some node journals could not be read; their containers have no kernel evidence:",
  errorKind: {
    usage: "bad input",
    "file-not-found": "file not found",
    "file-unreadable": "file unreadable",
    "invalid-pods": "invalid pod data",
    "invalid-option": "invalid option",
    "invalid-journal": "invalid journal",
    "config-invalid": "configuration error",
    unauthorized: "not authenticated to the API",
    forbidden: "forbidden by RBAC",
    "not-found": "not found",
    "api-unreachable": "Kubernetes API unreachable",
    "api-error": "Kubernetes API error",
    "patch-refused": "change refused by the API server",
    conflict: "the object changed meanwhile",
    "no-address": "no address for the node",
    "node-unreachable": "node unreachable",
    "auth-refused": "SSH login refused",
    "host-key-unknown": "host key unknown",
    "host-key-mismatch": "host key mismatch",
    timeout: "timed out",
    "journal-empty": "journal empty",
    "journal-rotated": "journal rotated",
    "ssh-error": "SSH error",
    "metrics-unreachable": "Prometheus unreachable",
    "metrics-refused": "Prometheus refused the query (credentials?)",
    "metrics-error": "Prometheus query failed",
  } satisfies Record<ErrorKind, string>,
  errorInLogs: "the details are in oom-doctor's logs: ask whoever runs it",
  warnings: "Notes:",

  actions: {
    unknownFinding:
      "This button refers to a finding oom-doctor no longer knows (expired or never issued). Run `/oom <namespace>` again.",
    snoozed: (workload: string, until: string, user: string) =>
      `:zzz: <@${user}> snoozed ${workload} until ${until}: it is left out of this channel's investigations and digests.`,
    unsnoozed: (workload: string, user: string) =>
      `:alarm_clock: <@${user}> ended the snooze of ${workload}.`,
    noKernelLog: "This finding has no kernel report.",
    failed:
      ":x: Something went wrong on oom-doctor's side; this click may not have taken effect. Its logs say more.",
    notAllowedHere: (namespace: string) =>
      `:no_entry: This channel may not act on \`${namespace}\` (any more): nothing was done (setting slack.channels). Use a channel that may, or ask whoever runs oom-doctor.`,
  },

  proposals: {
    notEnabled: (namespace: string) =>
      `Limit proposals are not enabled for \`${namespace}\` (setting proposals.approvers). The change, to make by hand or in git:`,
    notPatchable: (kind: string) =>
      `A ${kind} cannot be patched in place: its pods are not recreated from a template. Change the memory limit where the ${kind} is defined (its manifest, or the CronJob that makes it).`,
    modalTitle: "Raise memory limit",
    submit: "Propose",
    cancel: "Cancel",
    intro: (workload: string, container: string, limit: string, request: string) =>
      `*${workload}*, container \`${container}\`\nNow: limit *${limit}*, request *${request}*`,
    suggested: (limit: string, request: string) => `Suggested: limit ${limit}, request ${request}`,
    limitLabel: "New memory limit",
    requestLabel: "New memory request",
    requestHint: "Leave empty to keep the request as it is.",
    reasonLabel: "Why",
    reasonPlaceholder: "e.g. OOM-killed daily at the limit; heap profile ticket OPS-123",
    problem,
    header: (user: string, workload: string, container: string) =>
      `:memo: <@${user}> proposes a memory change for *${workload}*, container \`${container}\``,
    diff: (from: string, to: string) => `\`\`\`- memory: ${from}\n+ memory: ${to}\`\`\``,
    limitsLine: (from: string, to: string) => `limit ${from} → ${to}`,
    requestLine: (from: string, to: string) => `request ${from} → ${to}`,
    reason: (reason: string) => `Why: ${reason}`,
    revertOf: "This undoes an earlier change.",
    unset: "none",
    statusLine: {
      checking: "Checking the change with a server-side dry run...",
      ready:
        ":white_check_mark: Dry run passed: the API server accepts the change (admission, quota, LimitRange). Waiting for an approver.",
      refused: ":no_entry: The dry run was refused; nothing can be applied:",
      gitops: ":git: This workload is managed by",
      approved: ":hourglass_flowing_sand: Approved by",
      applied: ":white_check_mark: Applied, approved by",
      stale:
        ":warning: Not applied: the container's resources changed since the proposal. Propose again from a new investigation.",
      failed: ":x: Applying failed:",
      rejected: ":no_entry_sign: Rejected by",
      expired: ":hourglass: Expired: nobody approved it in time.",
    } satisfies Record<ProposalStatus, string>,
    gitOpsAdvice: (tool: string) =>
      `${tool}, which would revert a direct patch. Put this change in git instead (or allow it with proposals.patchGitOpsManaged):`,
    approve: "Approve and apply",
    reject: "Reject",
    revert: "Revert",
    rollout: (observed: number, generation: number, updated: number, ready: number, replicas: number) =>
      `Rollout: generation ${observed}/${generation} observed, ${updated}/${replicas} updated, ${ready}/${replicas} ready.`,
    rolloutDone: "Rollout complete.",
    unknown: "This button refers to a proposal oom-doctor does not know (expired or never issued).",
    expiredNow: "This proposal has expired. Propose again if the change is still wanted.",
    decided: (status: string) => `This proposal is already ${status}.`,
    notApprover: (namespace: string) =>
      `You are not an approver for \`${namespace}\` (setting proposals.approvers). Your click was recorded.`,
    selfApproval:
      "You proposed this change; another approver must approve it (setting proposals.allowSelfApproval).",
    notAllowedToReject: "Only the proposer or an approver may reject this proposal.",
    refusal,
    tampered:
      "This proposal's stored record does not carry a valid signature, so oom-doctor will not act on it. The attempt was recorded; propose again.",
    verifyClean: (since: string, container: string) =>
      `:white_check_mark: Since the change (${since}) \`${container}\` has not been OOM-killed again.`,
    verifyRecurred: (since: string, container: string, at: string) =>
      `:warning: \`${container}\` was OOM-killed again at ${at}, after the change (${since}). The limit may still be too low, or memory keeps growing (a leak).`,
    statusName: {
      checking: "being checked",
      ready: "waiting for approval",
      refused: "refused by the dry run",
      gitops: "handed to git",
      approved: "approved",
      applied: "applied",
      stale: "out of date",
      failed: "failed",
      rejected: "rejected",
      expired: "expired",
    } satisfies Record<ProposalStatus, string>,
  },

  audit: {
    title: (namespace: string | null) => (namespace ? `*Audit trail for \`${namespace}\`*` : "*Audit trail*"),
    empty: "Nothing recorded yet.",
    line: (at: string, event: string, workload: string, user: string, detail: string) =>
      `${at} · *${event}* · ${workload} · <@${user}>${detail ? ` · ${detail}` : ""}`,
    event: {
      proposed: "proposed",
      "dry-run": "dry run",
      approved: "approved",
      refused: "refused",
      rejected: "rejected",
      applied: "applied",
      failed: "failed",
      expired: "expired",
      reverted: "reverted",
      verified: "verified",
      tampered: "tampered record refused",
    } satisfies Record<AuditEvent, string>,
  },

  digest: {
    badTime: (value: string) => `\`${value}\` is not a time of day: write it as HH:MM, e.g. 09:00 or 17:30.`,
    badZone: (value: string) =>
      `\`${value}\` is not an IANA time zone: write it like Asia/Shanghai or Europe/Berlin.`,
    badScope: (value: string) => `\`${value}\` is not a namespace name (or \`all\` for the whole cluster).`,
    usage:
      "Usage: `/oom digest subscribe <namespace|all> [at HH:MM] [tz <Area/City>]`, `/oom digest list`, `/oom digest unsubscribe <id>`, `/oom digest now <namespace|all>`",
    subscribed: (id: string, scope: string, at: string, tz: string) =>
      `:calendar: Daily restart digest for \`${scope}\` here at ${at} (${tz}). Subscription \`${id}\`; \`/oom digest unsubscribe ${id}\` stops it.`,
    listTitle: "*Digest subscriptions of this channel*",
    listEmpty: "This channel has no digest subscriptions.",
    listLine: (id: string, scope: string, at: string, tz: string, channel: string) =>
      `\`${id}\` · \`${scope}\` at ${at} (${tz}) in <#${channel}>`,
    unsubscribed: (id: string, scope: string) => `Subscription \`${id}\` (\`${scope}\`) stopped.`,
    unknown: (id: string) => `There is no digest subscription \`${id}\`: \`/oom digest list\` shows them.`,
    tooMany: (max: number) =>
      `:no_entry: There are ${max} digest subscriptions already, as many as allowed (setting slack.maxDigestSubscriptions); nothing was subscribed. \`/oom digest list\` shows them.`,
    queued: (scope: string) => `:hourglass_flowing_sand: A digest for \`${scope}\` is on its way.`,
    title: (scope: string, date: string) =>
      `:bar_chart: Restart digest for \`${scope}\`, 24 hours to ${date}`,
    quiet: (scope: string, date: string) =>
      `:sunny: Quiet day in \`${scope}\`: no container restarted in the 24 hours to ${date}.`,
    totals: (restarts: number, oomKills: number, pods: number) =>
      `*${restarts}* restart${restarts === 1 ? "" : "s"}, *${oomKills}* OOM kill${oomKills === 1 ? "" : "s"}, *${pods}* pod${pods === 1 ? "" : "s"} affected`,
    change: (restarts: number, oomKills: number) =>
      `(${restarts >= 0 ? "+" : ""}${restarts} restarts, ${oomKills >= 0 ? "+" : ""}${oomKills} OOM kills against the day before)`,
    totalsAtLeast: (restarts: number, oomKills: number, pods: number) =>
      `At least *${restarts}* restart${restarts === 1 ? "" : "s"}, *${oomKills}* OOM kill${oomKills === 1 ? "" : "s"}, *${pods}* pod${pods === 1 ? "" : "s"} affected`,
    dayBeforeAtLeast: (restarts: number, oomKills: number) =>
      `(the day before: at least ${restarts} restart${restarts === 1 ? "" : "s"}, ${oomKills} OOM kill${oomKills === 1 ? "" : "s"})`,
    lowerBound:
      "Lower bounds: before the first snapshot of this scope only each container's last termination is known, so earlier restarts and those of deleted pods are not counted.",
    topTitle: "*Most restarts*",
    topLine: (workload: string, restarts: number, oomKills: number, reasons: string) =>
      `${workload}: ${restarts} restart${restarts === 1 ? "" : "s"}${oomKills > 0 ? `, ${oomKills} OOM-killed` : ""}${reasons ? ` (${reasons})` : ""}`,
    newTitle: "*New today*",
    chronicTitle: "*Chronic*",
    chronicLine: (workload: string, days: number) => `${workload}: restarting ${days} days in a row`,
    investigate: (workload: string) => `Investigate ${workload}`,
    chartTitle: (scope: string) => `Restarts per day, last 7 days: ${scope}`,
    nextKillsTitle: "*Leaking: the next kill, at this rate*",
    nextKillLine: (workload: string, at: string, error: number) => `${workload}: around ${at}, ±${error} min`,
    snoozed: (count: number) => `${count} snoozed workload${count === 1 ? " is" : "s are"} left out.`,
  },

  alerts: {
    usage:
      "Usage: `/oom watch <namespace|all> [min info|warning|critical] [quiet HH:MM-HH:MM] [tz <Area/City>]`, `/oom watch list`, `/oom unwatch <id>`",
    badSeverity: (value: string) => `\`${value}\` is not a severity: write info, warning or critical.`,
    badQuiet: (value: string) =>
      `\`${value}\` is not a span of quiet hours: write it as HH:MM-HH:MM, e.g. 22:00-07:00.`,
    missingId: "Say which subscription to stop: `/oom unwatch <id>`; `/oom watch list` shows them.",
    watching: (id: string, scope: string, details: string) =>
      `:bell: This channel now hears of OOM kills in \`${scope}\`${details ? ` (${details})` : ""}. Subscription \`${id}\`; \`/oom unwatch ${id}\` stops it.`,
    duplicate: (scope: string) => `This channel already watches \`${scope}\`: \`/oom watch list\` shows how.`,
    tooMany: (max: number) =>
      `:no_entry: There are ${max} alert subscriptions already, as many as allowed; nothing was subscribed. \`/oom watch list\` shows this channel's.`,
    unwatched: (id: string, scope: string) =>
      `Subscription \`${id}\` (\`${scope}\`) stopped: no more alerts for it here.`,
    notFound: (id: string) =>
      `This channel has no alert subscription \`${id}\`: \`/oom watch list\` shows them.`,
    fromConfig: (id: string) =>
      `\`${id}\` comes from the configuration (alerts.routes), so it cannot be stopped from Slack: ask whoever runs oom-doctor.`,
    listTitle: "*Alert subscriptions of this channel*",
    listEmpty: "This channel has no alert subscriptions: `/oom watch <namespace|all>` adds one.",
    atLeast: (severity: string) => `${severity} and louder`,
    quietHours: (from: string, to: string, tz: string) => `quiet ${from}–${to} (${tz})`,
    byUser: (user: string) => `by <@${user}>`,
    byConfig: "from alerts.routes",
    severity: { info: "info", warning: "warning", critical: "critical" } satisfies Record<Severity, string>,
    kind: {
      "oom-killed": "OOM-killed",
      evicted: "evicted",
      "system-oom": "node out of memory",
      "child-process": "silent kill",
    } satisfies Record<KillKind, string>,
    heading: {
      "oom-killed": "OOM kill",
      evicted: "Evicted for memory",
      "system-oom": "Node out of memory",
      "child-process": "Silent OOM kill",
    } satisfies Record<KillKind, string>,
    workloadTitle: (heading: string, where: string, killsToday: number) =>
      `${heading}: ${where} — ${ordinal(killsToday)} kill today`,
    field: {
      node: "Node",
      pod: "Pod",
      container: "Container",
      time: "Time",
      severity: "Severity",
      process: "Process",
    },
    processLine: (name: string, pid: number) => `\`${name}\` (pid ${pid})`,
    unknown: "unknown",
    nodeTitle: (node: string, containers: number) =>
      `Node ${node} under memory pressure: ${plural(containers, "container")} killed today`,
    nodeOutOfMemory: (node: string) => `Node ${node} ran out of memory`,
    systemOom: (victim: string | null) =>
      victim === null
        ? "The node's kernel ran out of memory (SystemOOM)."
        : `The node's kernel ran out of memory (SystemOOM) and killed ${victim}.`,
    stormTitle: (kills: number, workloads: number) =>
      `Alert storm: ${plural(kills, "more kill")} in ${plural(workloads, "workload")} in the last 10 minutes; listed in this thread`,
    stormNote:
      "No new alert threads open here for ten minutes; workloads that have a thread today still get their kills there.",
    killsTitle: (count: number) => `${plural(count, "new kill")}:`,
    moreKills: (hidden: number) => `+${hidden} more`,
    child: {
      title: (where: string, process: string, pid: number) =>
        `Silent kill in ${where}: the kernel killed \`${process}\` (pid ${pid}); the container kept running, so Kubernetes shows no restart.`,
      place: (pod: string, container: string | null) =>
        container === null ? `Pod ${pod}` : `Pod ${pod}, container ${container}`,
      memory: (resident: string, limit: string, share: string) =>
        `Resident memory at the kill: ${resident} of the ${limit} limit (${share}).`,
      residentOnly: (resident: string) => `Resident memory at the kill: ${resident}; the limit is not known.`,
      limitOnly: (limit: string) =>
        `The memory limit is ${limit}; the kernel did not say how much the process held.`,
      whatToDo: "What to do",
      advice: {
        python:
          "Each worker is a process with memory of its own, and together they share the container's limit: run fewer workers (gunicorn `--workers`, uwsgi `processes`, celery `--concurrency`), recycle them before they grow (`--max-requests` with `--max-requests-jitter`, celery `--max-memory-per-child`), or raise the limit to cover every worker at its peak.",
        "php-fpm":
          "Each php-fpm child takes memory of its own: lower `pm.max_children`, recycle children sooner with `pm.max_requests`, or cap a request with `memory_limit`; or raise the limit to max_children × a child's peak.",
        postgres:
          "A postgres backend outgrew the container; postgres then restarts every backend, so connections drop. Lower `work_mem` (or `max_connections`, with a pooler in front), or raise the limit.",
        shell:
          "A shell (often `kubectl exec`) and what ran in it share the container's limit with the application. Run heavy one-off work in a pod of its own (a Job), not inside a serving container.",
        other:
          "A process other than the container's main one outgrew the container's memory. Give it a smaller share (fewer worker processes, recycled sooner, less memory each), or raise the limit.",
      } satisfies Record<WorkerKind, string>,
      why: "Kubernetes records no restart and no event when a process other than a container's main one is killed (kubernetes/kubernetes#100483): oom-doctor found this one in the node's kernel log.",
    },
    quietOver: (from: string, to: string, tz: string, kills: number, workloads: number) =>
      `Quiet hours (${from}–${to}, ${tz}) are over. While they lasted, ${plural(kills, "kill")} in ${plural(workloads, "workload")} waited:`,
    silentTitle:
      "*Silent kills in the last 24 hours*: processes the kernel killed inside containers that kept running, so no restart shows them",
    silentLine: (count: number, process: string, where: string, last: string) =>
      `${plural(count, "silent kill")} of \`${process}\` in ${where}, the last at ${last}`,
  },

  status: {
    title: "*oom-doctor status*",
    queue: (waiting: number, active: number, delayed: number, failed: number) =>
      `Queue: ${waiting} waiting, ${active} running, ${delayed} delayed, ${failed} failed`,
    workers: (count: number) => `Workers connected: ${count}`,
    lastRuns: "Latest investigations:",
    noRuns: "No investigation has run yet.",
    run: (namespace: string, outcome: string, when: string, channel: string) =>
      `\`${namespace}\` in <#${channel}>: ${outcome}, ${when}`,
    outcome: { completed: "done", failed: "failed" },
  },
};

export type Messages = typeof en;
