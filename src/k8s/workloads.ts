// The Kubernetes adapter for proposals: reads a Deployment, StatefulSet or DaemonSet, and patches one
// container's memory with a strategic merge patch (the only place that sets a patch content type).
// The API server's refusals (quota, LimitRange, admission) come back as `patch-refused` with its words;
// a patch whose resourceVersion precondition no longer holds comes back as `conflict`.

import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1DaemonSet,
  type V1Deployment,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { quantityBytesOrNull } from "../analysis/quantity.js";
import { type AppError, ok, type Result } from "../errors.js";
import type { PatchableKind } from "../proposals/model.js";
import type { ResourcesPatch, WorkloadSnapshot, WorkloadWriter } from "../proposals/ports.js";
import { wire } from "./cluster.js";
import { apiError } from "./errors.js";

type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;

const RESOURCE: Record<PatchableKind, string> = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
};

function snapshot(kind: PatchableKind, object: Workload): WorkloadSnapshot {
  const status = (object.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberReady?: number;
  };
  const spec = object.spec as { replicas?: number } | undefined;
  return {
    kind,
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
    uid: object.metadata?.uid ?? "",
    generation: object.metadata?.generation ?? 0,
    resourceVersion: object.metadata?.resourceVersion ?? "",
    labels: object.metadata?.labels ?? {},
    annotations: object.metadata?.annotations ?? {},
    managers: (object.metadata?.managedFields ?? [])
      .map((entry) => entry.manager ?? "")
      .filter((manager) => manager !== ""),
    containers: (object.spec?.template.spec?.containers ?? []).map((container) => {
      const limit = container.resources?.limits?.memory ?? null;
      const request = container.resources?.requests?.memory ?? null;
      return {
        name: container.name,
        limit,
        request,
        limitBytes: quantityBytesOrNull(limit),
        requestBytes: quantityBytesOrNull(request),
      };
    }),
    selector: object.spec?.selector.matchLabels ?? {},
    rollout: {
      observedGeneration: status.observedGeneration ?? 0,
      replicas: spec?.replicas ?? status.replicas ?? status.desiredNumberScheduled ?? 0,
      updated: status.updatedReplicas ?? status.updatedNumberScheduled ?? 0,
      ready: status.readyReplicas ?? status.numberReady ?? 0,
    },
  };
}

/** The API server's own explanation, from a failed call's Status body. */
function refusal(cause: unknown, kind: PatchableKind, name: string): AppError {
  const code = (cause as { code?: unknown }).code;
  const body = (cause as { body?: unknown }).body;
  let message: string | null = null;
  let reason: string | null = null;
  try {
    const status = (typeof body === "string" ? JSON.parse(body) : body) as {
      message?: unknown;
      reason?: unknown;
    } | null;
    message = typeof status?.message === "string" ? status.message : null;
    reason = typeof status?.reason === "string" ? status.reason : null;
  } catch {
    message = null;
  }
  if (code === 409 && reason === "Conflict")
    return { kind: "conflict", message: `${kind} ${name} changed meanwhile: ${message ?? "conflict"}` };
  // 403 with a message is quota or admission; 422 is validation (LimitRange, bad quantity).
  if (
    (code === 403 || code === 422 || code === 409) &&
    message !== null &&
    !/cannot patch resource/.test(message)
  ) {
    return {
      kind: "patch-refused",
      message: `the API server refused the change to ${kind} ${name}: ${message}`,
    };
  }
  return apiError({ verb: "patch", resource: RESOURCE[kind], namespace: null, name, group: "apps" }, cause);
}

export class KubernetesWorkloads implements WorkloadWriter {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  readonly cluster: string;

  constructor(config: KubeConfig) {
    this.cluster = config.getCurrentContext() || config.getCurrentCluster()?.name || "in-cluster";
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
  }

  async read(namespace: string, kind: PatchableKind, name: string): Promise<Result<WorkloadSnapshot>> {
    try {
      const request = { name, namespace };
      const object: Workload =
        kind === "Deployment"
          ? await this.apps.readNamespacedDeployment(request)
          : kind === "StatefulSet"
            ? await this.apps.readNamespacedStatefulSet(request)
            : await this.apps.readNamespacedDaemonSet(request);
      return ok(snapshot(kind, object));
    } catch (error) {
      return {
        ok: false,
        error: apiError({ verb: "get", resource: RESOURCE[kind], namespace, name, group: "apps" }, error),
      };
    }
  }

  async patchMemory(
    namespace: string,
    kind: PatchableKind,
    name: string,
    patch: ResourcesPatch,
    dryRun: boolean,
  ): Promise<Result<WorkloadSnapshot>> {
    const resources = {
      limits: { memory: patch.limit },
      ...(patch.request === null ? {} : { requests: { memory: patch.request } }),
    };
    const body = {
      metadata: {
        annotations: patch.annotations,
        // A precondition: the API server refuses the patch (409) if the object changed since it was read.
        ...(patch.resourceVersion === null ? {} : { resourceVersion: patch.resourceVersion }),
      },
      spec: { template: { spec: { containers: [{ name: patch.container, resources }] } } },
    };
    const request = {
      name,
      namespace,
      body,
      fieldManager: "oom-doctor",
      ...(dryRun ? { dryRun: "All" } : {}),
    };
    const options = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
    try {
      const object: Workload =
        kind === "Deployment"
          ? await this.apps.patchNamespacedDeployment(request, options)
          : kind === "StatefulSet"
            ? await this.apps.patchNamespacedStatefulSet(request, options)
            : await this.apps.patchNamespacedDaemonSet(request, options);
      return ok(snapshot(kind, object));
    } catch (error) {
      return { ok: false, error: refusal(error, kind, name) };
    }
  }

  async listPods(namespace: string, selector: Record<string, string>): Promise<Result<unknown[]>> {
    const labelSelector = Object.entries(selector)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    try {
      const list = await this.core.listNamespacedPod({ namespace, labelSelector });
      return ok(list.items.map(wire));
    } catch (error) {
      return { ok: false, error: apiError({ verb: "list", resource: "pods", namespace, group: "" }, error) };
    }
  }
}
