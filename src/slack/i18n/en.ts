// Every sentence the bot says, in English. The other catalogs have the same shape (checked by the
// compiler), so a message cannot exist in one language only.

import type { Verdict } from "../../analysis/diagnose.js";
import { noteText } from "../../analysis/recommendation-notes.js";
import type { ErrorKind } from "../../errors.js";

export const en = {
  usage: [
    "*Usage*",
    "`/oom <namespace>`: investigate the namespace's OOM-killed and restarting containers",
    "`/oom <namespace> <pod>`: only that pod",
    "`/oom status`: the queue, the workers and the latest investigations",
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
  internalError: ":x: Something went wrong on oom-doctor's side; nothing was queued. Its logs say more.",
  alreadyRunning: (namespace: string, link: string) =>
    `\`${namespace}\` is already being investigated for this channel: <${link}|follow that thread>.`,
  alreadyRunningNoLink: (namespace: string) =>
    `\`${namespace}\` is already being investigated for this channel; its thread will have the report.`,

  rootQueued: (namespace: string, user: string) =>
    `:mag: Investigating \`${namespace}\` for <@${user}>... (queued)`,
  rootProgress: (namespace: string, user: string, pods: number, nodesDone: number, nodesTotal: number) =>
    `:mag: Investigating \`${namespace}\` for <@${user}>... ${pods} pods listed` +
    (nodesTotal > 0 ? `, node journals ${nodesDone}/${nodesTotal}` : ""),
  rootDone: (namespace: string, findings: number) =>
    `:memo: OOM investigation of \`${namespace}\`: ${findings} container${findings === 1 ? "" : "s"} to look at. Details in the thread.`,
  rootQuiet: (namespace: string) => `:white_check_mark: No OOM kills found in \`${namespace}\`.`,
  rootAllSnoozed: (namespace: string, count: number) =>
    `:zzz: \`${namespace}\` has OOM kills only in snoozed workloads (${count}); nothing new to show.`,
  rootFailed: (namespace: string, reason: string) =>
    `:x: The investigation of \`${namespace}\` failed: ${reason}`,
  requestedBy: (user: string) => `Requested by <@${user}>`,
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

  verdictName: {
    "container-limit": "container limit",
    "pod-limit": "pod limit",
    "node-pressure": "node out of memory",
    evicted: "evicted",
    "killed-not-oom": "killed, not OOM",
    "child-process": "child process",
    "no-evidence": "no kernel evidence",
  } satisfies Record<Verdict, string>,
  verdictLine: {
    "container-limit": "hit its own memory limit; the kernel killed it (not node pressure)",
    "pod-limit": "the pod's cgroup (all containers together) hit its limit",
    "node-pressure": "the node ran out of memory; this container was chosen as the victim",
    evicted: "evicted by the kubelet under node memory pressure",
    "killed-not-oom": "killed with SIGKILL, but not by the OOM killer",
    "child-process": "a child process was OOM-killed; the main process survived",
    "no-evidence": "restarted or OOMKilled, but no kernel report was found for it",
  } satisfies Record<Verdict, string>,

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
    "no-address": "no address for the node",
    "node-unreachable": "node unreachable",
    "auth-refused": "SSH login refused",
    "host-key-unknown": "host key unknown",
    "host-key-mismatch": "host key mismatch",
    timeout: "timed out",
    "journal-empty": "journal empty",
    "journal-rotated": "journal rotated",
    "ssh-error": "SSH error",
  } satisfies Record<ErrorKind, string>,
  warnings: "Notes:",

  actions: {
    unknownFinding:
      "This button refers to a finding oom-doctor no longer knows (expired or never issued). Run `/oom <namespace>` again.",
    snoozed: (workload: string, until: string, user: string) =>
      `:zzz: <@${user}> snoozed ${workload} until ${until}: it is left out of investigations and digests.`,
    unsnoozed: (workload: string, user: string) =>
      `:alarm_clock: <@${user}> ended the snooze of ${workload}.`,
    proposeUnavailable: (workload: string, container: string, limit: string, command: string) =>
      `To raise ${workload}'s \`${container}\` memory limit to ${limit}, run (or put the change in git):\n\`\`\`${command}\`\`\``,
    noKernelLog: "This finding has no kernel report.",
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
