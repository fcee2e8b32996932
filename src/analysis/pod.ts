// Kubernetes Pod objects (a List, a PodList or a single Pod, already decoded from JSON or YAML) into one
// ContainerCase per container: what the API server knows about each container's last termination.

import { type ContainerRuntime, type QosClass, splitContainerId } from "./cgroup-path.js";
import { type OwnerRef, trustedOwner } from "./owner.js";
import { quantityBytesOrNull } from "./quantity.js";

export interface WorkloadRef {
  kind: string;
  name: string;
  /** Derived from names and labels (ReplicaSet -> Deployment, Job -> CronJob) rather than read. */
  inferred: boolean;
}

export interface Termination {
  reason: string | null;
  exitCode: number | null;
  signal: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  containerId: string | null;
  message: string | null;
}

export interface ContainerCase {
  namespace: string;
  pod: string;
  podUid: string | null;
  node: string | null;
  container: string;
  init: boolean;
  image: string | null;
  /** The command line and environment variable names, for recognising the language runtime. */
  commandLine: string;
  envNames: string[];
  restartCount: number;
  /** The id of the container running now, if any. */
  currentContainerId: string | null;
  running: boolean;
  /** When the running container started: the newest time a pod listing shows. */
  runningSince: string | null;
  /** The termination the verdict is about: the current state when terminated, else the last state. */
  lastTermination: Termination | null;
  runtime: ContainerRuntime | null;
  memoryLimitBytes: number | null;
  memoryRequestBytes: number | null;
  memoryLimit: string | null;
  memoryRequest: string | null;
  qosClass: QosClass | null;
  podCreatedAt: string | null;
  workload: WorkloadRef;
  /** The pod's direct controller as its ownerReferences name it (a ReplicaSet, a Job, ...), if believed. */
  owner: OwnerRef | null;
  /** Set when the kubelet evicted the pod. */
  eviction: { message: string; usageBytes: number | null } | null;
}

/** When the container's last termination finished, in epoch milliseconds, or null. */
export function finishedMs(container: ContainerCase): number | null {
  const finished = container.lastTermination?.finishedAt;
  const ms = finished ? Date.parse(finished) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

export type PodsResult =
  | { ok: true; cases: ContainerCase[]; podCount: number }
  | { ok: false; reason: string };

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function string(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}
function integer(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function termination(value: unknown): Termination | null {
  const terminated = object(value);
  if (Object.keys(terminated).length === 0) return null;
  return {
    reason: string(terminated.reason),
    exitCode: integer(terminated.exitCode),
    signal: integer(terminated.signal),
    startedAt: string(terminated.startedAt),
    finishedAt: string(terminated.finishedAt),
    containerId: string(terminated.containerID),
    message: string(terminated.message),
  };
}

interface Resources {
  cpuLimit: string | null;
  cpuRequest: string | null;
  memoryLimit: string | null;
  memoryRequest: string | null;
}

function resources(container: Json): Resources {
  const spec = object(container.resources);
  const limits = object(spec.limits);
  const requests = object(spec.requests);
  const memoryLimit = string(limits.memory);
  const cpuLimit = string(limits.cpu);
  // A limit without a request makes the request equal to the limit.
  return {
    cpuLimit,
    cpuRequest: string(requests.cpu) ?? cpuLimit,
    memoryLimit,
    memoryRequest: string(requests.memory) ?? memoryLimit,
  };
}

/** The pod's QoS class as the kubelet computes it, when the status does not say. */
function computeQos(all: Resources[]): QosClass {
  const none = all.every((r) => !r.cpuLimit && !r.cpuRequest && !r.memoryLimit && !r.memoryRequest);
  if (none) return "BestEffort";
  const guaranteed = all.every(
    (r) =>
      r.cpuLimit !== null &&
      r.memoryLimit !== null &&
      quantityBytesOrNull(r.memoryLimit) === quantityBytesOrNull(r.memoryRequest) &&
      r.cpuLimit === r.cpuRequest,
  );
  return guaranteed ? "Guaranteed" : "Burstable";
}

function workload(metadata: Json, podName: string): WorkloadRef {
  const owner = trustedOwner(metadata.ownerReferences);
  if (!owner) return { kind: "Pod", name: podName, inferred: false };
  const { kind, name } = owner;
  const labels = object(metadata.labels);
  const hash = string(labels["pod-template-hash"]);
  if (kind === "ReplicaSet" && hash && name.endsWith(`-${hash}`)) {
    return { kind: "Deployment", name: name.slice(0, -(hash.length + 1)), inferred: true };
  }
  // CronJob-made Jobs are named <cronjob>-<minutes since epoch>.
  const cron = /^(.+)-\d{8,}$/.exec(name);
  if (kind === "Job" && cron?.[1]) return { kind: "CronJob", name: cron[1], inferred: true };
  return { kind, name, inferred: false };
}

const EVICTION_USAGE = /Container (\S+) was using (\S+?),/g;

function evictionUsage(message: string, container: string): number | null {
  for (const match of message.matchAll(EVICTION_USAGE)) {
    if (match[1] === container) return quantityBytesOrNull(match[2]);
  }
  return null;
}

function casesOfPod(pod: Json): ContainerCase[] {
  const metadata = object(pod.metadata);
  const spec = object(pod.spec);
  const status = object(pod.status);
  const name = string(metadata.name) ?? "(unnamed pod)";
  const specs = [
    ...array(spec.initContainers).map((c) => ({ spec: object(c), init: true })),
    ...array(spec.containers).map((c) => ({ spec: object(c), init: false })),
  ];
  const statuses = [...array(status.initContainerStatuses), ...array(status.containerStatuses)].map(object);
  const allResources = specs.filter((c) => !c.init).map((c) => resources(c.spec));
  const qosClass = (string(status.qosClass) as QosClass | null) ?? computeQos(allResources);
  const evictionMessage = status.reason === "Evicted" ? (string(status.message) ?? "evicted") : null;
  return specs.map(({ spec: container, init }) => {
    const containerName = string(container.name) ?? "(unnamed container)";
    const containerStatus = statuses.find((s) => s.name === containerName) ?? {};
    const state = object(containerStatus.state);
    const current = termination(state.terminated);
    const last = current ?? termination(object(containerStatus.lastState).terminated);
    const currentId = string(containerStatus.containerID);
    const r = resources(container);
    const command = [...array(container.command), ...array(container.args)].filter(
      (x) => typeof x === "string",
    );
    return {
      namespace: string(metadata.namespace) ?? "default",
      pod: name,
      podUid: string(metadata.uid)?.toLowerCase() ?? null,
      node: string(spec.nodeName),
      container: containerName,
      init,
      image: string(container.image),
      commandLine: command.join(" "),
      envNames: array(container.env)
        .map((env) => string(object(env).name))
        .filter((envName): envName is string => envName !== null),
      restartCount: integer(containerStatus.restartCount) ?? 0,
      currentContainerId: currentId ? splitContainerId(currentId).id : null,
      running: Object.keys(object(state.running)).length > 0,
      runningSince: string(object(state.running).startedAt),
      lastTermination: last,
      runtime:
        currentId || last?.containerId
          ? splitContainerId(currentId ?? last?.containerId ?? "").runtime
          : null,
      memoryLimitBytes: quantityBytesOrNull(r.memoryLimit),
      memoryRequestBytes: quantityBytesOrNull(r.memoryRequest),
      memoryLimit: r.memoryLimit,
      memoryRequest: r.memoryRequest,
      qosClass,
      podCreatedAt: string(metadata.creationTimestamp),
      workload: workload(metadata, name),
      owner: trustedOwner(metadata.ownerReferences),
      eviction: evictionMessage
        ? { message: evictionMessage, usageBytes: evictionUsage(evictionMessage, containerName) }
        : null,
    };
  });
}

/** Reads pods from a decoded document: a List or PodList (`items`), a single Pod, or an array of them. */
export function readPods(document: unknown): PodsResult {
  const documents = Array.isArray(document) ? document : [document];
  const pods: Json[] = [];
  for (const doc of documents.map(object)) {
    if (Array.isArray(doc.items)) pods.push(...doc.items.map(object));
    else if (doc.kind === "Pod" || (doc.metadata && doc.spec)) pods.push(doc);
  }
  const valid = pods.filter((pod) => pod.kind === undefined || pod.kind === "Pod");
  if (valid.length === 0) {
    return {
      ok: false,
      reason:
        "no Pod objects found: expected the output of `kubectl get pods -o json` (or -o yaml), or one Pod",
    };
  }
  return { ok: true, cases: valid.flatMap(casesOfPod), podCount: valid.length };
}
