// Builds Pod objects the way the API server returns them, with overrides for the case at hand.

export interface PodSpec {
  name?: string;
  namespace?: string;
  uid: string;
  node?: string;
  container?: string;
  image?: string;
  limit?: string | null;
  request?: string | null;
  qosClass?: string;
  restartCount?: number;
  createdAt?: string;
  /** The id of the container that last terminated (scheme included or not). */
  lastContainerId?: string;
  reason?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  /** The id of the container running now. */
  currentContainerId?: string;
  /** The controller; its apiVersion is the one Kubernetes gives the kind unless set. */
  owner?: { kind: string; name: string; apiVersion?: string } | null;
  labels?: Record<string, string>;
  status?: Record<string, unknown>;
  env?: string[];
}

const apiVersionOf = (kind: string) => (kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1");

export function podObject(spec: PodSpec): Record<string, unknown> {
  const resources: Record<string, Record<string, string>> = {};
  if (spec.limit !== null) resources.limits = { memory: spec.limit ?? "512Mi" };
  if (spec.request !== null) resources.requests = { memory: spec.request ?? "256Mi" };
  const withScheme = (id: string) => (id.includes("://") ? id : `containerd://${id}`);
  const lastState =
    spec.lastContainerId === undefined
      ? {}
      : {
          terminated: {
            reason: spec.reason ?? "OOMKilled",
            exitCode: spec.exitCode ?? 137,
            startedAt: spec.startedAt ?? "2024-01-01T00:00:00Z",
            finishedAt: spec.finishedAt ?? "2024-01-02T00:00:00Z",
            containerID: withScheme(spec.lastContainerId),
          },
        };
  const owner = spec.owner === undefined ? { kind: "ReplicaSet", name: "web-7d9c5b6f4" } : spec.owner;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.name ?? "web-7d9c5b6f4-abcde",
      namespace: spec.namespace ?? "default",
      uid: spec.uid,
      creationTimestamp: spec.createdAt ?? "2024-01-01T00:00:00Z",
      labels: spec.labels ?? { "pod-template-hash": "7d9c5b6f4" },
      ownerReferences: owner
        ? [
            {
              apiVersion: owner.apiVersion ?? apiVersionOf(owner.kind),
              kind: owner.kind,
              name: owner.name,
              controller: true,
            },
          ]
        : [],
    },
    spec: {
      nodeName: spec.node ?? "node-1",
      containers: [
        {
          name: spec.container ?? "app",
          image: spec.image ?? "registry.example.com/app:1.0",
          resources,
          env: (spec.env ?? []).map((name) => ({ name, value: "x" })),
        },
      ],
    },
    status: {
      phase: "Running",
      ...(spec.qosClass ? { qosClass: spec.qosClass } : {}),
      containerStatuses: [
        {
          name: spec.container ?? "app",
          restartCount: spec.restartCount ?? 1,
          containerID: spec.currentContainerId ? withScheme(spec.currentContainerId) : undefined,
          state: { running: { startedAt: spec.finishedAt ?? "2024-01-02T00:00:00Z" } },
          lastState,
        },
      ],
      ...spec.status,
    },
  };
}

export function podList(...pods: PodSpec[]): Record<string, unknown> {
  return { apiVersion: "v1", kind: "List", items: pods.map(podObject) };
}
