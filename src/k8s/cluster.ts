// The Kubernetes adapter: @kubernetes/client-node behind the ClusterReader port. It only reads; every
// failure comes back as an error value naming the RBAC grant that is missing.

import { AppsV1Api, BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { trustedOwner } from "../analysis/owner.js";
import { quantityBytesOrNull } from "../analysis/quantity.js";
import { ok, type Result } from "../errors.js";
import type { ClusterReader, LimitCapsInfo, NodeInfo, OwnerRef } from "../ports.js";
import { type ApiCall, apiError } from "./errors.js";

/** The client's model objects back to the API's JSON (dates as RFC 3339 strings), as analysis reads it. */
export function wire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

async function call<T>(description: ApiCall, request: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await request());
  } catch (error) {
    return { ok: false, error: apiError(description, error) };
  }
}

interface Owned {
  metadata?: { ownerReferences?: unknown };
}

/** The object's controller, as far as it is one to believe (see analysis/owner.ts). */
function controllerOf(object: Owned): OwnerRef | null {
  return trustedOwner(object.metadata?.ownerReferences);
}

export class KubernetesCluster implements ClusterReader {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;

  constructor(config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.batch = config.makeApiClient(BatchV1Api);
  }

  async listPods(namespace: string, pageSize: number): Promise<Result<unknown[]>> {
    const pods: unknown[] = [];
    const listed = await this.eachPodPage(namespace, pageSize, (page) => pods.push(...page));
    return listed.ok ? ok(pods) : listed;
  }

  async listPodsOnNode(node: string, pageSize: number): Promise<Result<unknown[]>> {
    const pods: unknown[] = [];
    const listed = await this.podPages(null, `spec.nodeName=${node}`, pageSize, (page) => pods.push(...page));
    return listed.ok ? ok(pods) : listed;
  }

  eachPodPage(
    namespace: string | null,
    pageSize: number,
    onPage: (pods: unknown[]) => void,
  ): Promise<Result<number>> {
    return this.podPages(namespace, undefined, pageSize, onPage);
  }

  private async podPages(
    namespace: string | null,
    fieldSelector: string | undefined,
    pageSize: number,
    onPage: (pods: unknown[]) => void,
  ): Promise<Result<number>> {
    let token: string | undefined;
    let count = 0;
    do {
      const request = { limit: pageSize, _continue: token, fieldSelector };
      const page = await call({ verb: "list", resource: "pods", namespace, group: "" }, () =>
        namespace === null
          ? this.core.listPodForAllNamespaces(request)
          : this.core.listNamespacedPod({ namespace, ...request }),
      );
      if (!page.ok) return page;
      onPage(page.value.items.map(wire));
      count += page.value.items.length;
      token = page.value.metadata?._continue || undefined;
    } while (token);
    return ok(count);
  }

  async namespaceExists(namespace: string): Promise<boolean | null> {
    const found = await call(
      { verb: "get", resource: "namespaces", namespace: null, name: namespace, group: "" },
      () => this.core.readNamespace({ name: namespace }),
    );
    if (found.ok) return true;
    return found.error.kind === "not-found" ? false : null;
  }

  async readNode(name: string): Promise<Result<NodeInfo>> {
    const node = await call({ verb: "get", resource: "nodes", namespace: null, name, group: "" }, () =>
      this.core.readNode({ name }),
    );
    if (!node.ok) return node;
    const status = node.value.status;
    return ok({
      name,
      addresses: (status?.addresses ?? []).map((address) => ({
        type: address.type,
        address: address.address,
      })),
      allocatableMemoryBytes: quantityBytesOrNull(status?.allocatable?.memory),
      kernelVersion: status?.nodeInfo?.kernelVersion ?? null,
      containerRuntime: status?.nodeInfo?.containerRuntimeVersion ?? null,
      osImage: status?.nodeInfo?.osImage ?? null,
    });
  }

  async readOwner(namespace: string, owner: OwnerRef): Promise<Result<OwnerRef | null>> {
    const { kind, name } = owner;
    if (kind === "ReplicaSet") {
      const set = await call({ verb: "get", resource: "replicasets", namespace, name, group: "apps" }, () =>
        this.apps.readNamespacedReplicaSet({ name, namespace }),
      );
      return set.ok ? ok(controllerOf(set.value)) : set;
    }
    if (kind === "Job") {
      const job = await call({ verb: "get", resource: "jobs", namespace, name, group: "batch" }, () =>
        this.batch.readNamespacedJob({ name, namespace }),
      );
      return job.ok ? ok(controllerOf(job.value)) : job;
    }
    return ok(null);
  }

  async listEvents(namespace: string): Promise<Result<unknown[]>> {
    const events = await call({ verb: "list", resource: "events", namespace, group: "" }, () =>
      this.core.listNamespacedEvent({ namespace }),
    );
    return events.ok ? ok(events.value.items.map(wire)) : events;
  }

  async limitCaps(namespace: string): Promise<Result<LimitCapsInfo>> {
    const ranges = await call({ verb: "list", resource: "limitranges", namespace, group: "" }, () =>
      this.core.listNamespacedLimitRange({ namespace }),
    );
    if (!ranges.ok) return ranges;
    const quotas = await call({ verb: "list", resource: "resourcequotas", namespace, group: "" }, () =>
      this.core.listNamespacedResourceQuota({ namespace }),
    );
    if (!quotas.ok) return quotas;
    const maxima = ranges.value.items
      .flatMap((range) => range.spec?.limits ?? [])
      .filter((limit) => limit.type === "Container")
      .map((limit) => quantityBytesOrNull(limit.max?.memory))
      .filter((bytes): bytes is number => bytes !== null);
    const rooms = quotas.value.items
      .map((quota) => {
        const hard = quantityBytesOrNull(
          quota.status?.hard?.["limits.memory"] ?? quota.spec?.hard?.["limits.memory"],
        );
        const used = quantityBytesOrNull(quota.status?.used?.["limits.memory"]) ?? 0;
        return hard === null ? null : Math.max(0, hard - used);
      })
      .filter((room): room is number => room !== null);
    return ok({
      limitRangeMaxBytes: maxima.length > 0 ? Math.min(...maxima) : null,
      quotaRoomBytes: rooms.length > 0 ? Math.min(...rooms) : null,
    });
  }
}
