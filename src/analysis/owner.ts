// Which ownerReferences oom-doctor believes. The owner names the workload in every message and in the
// kubectl command it suggests, and anyone who may create a pod may write its ownerReferences: only the
// built-in controllers of apps/v1 and batch/v1, with a name Kubernetes itself would accept, are taken.
// Anything else counts as no owner, and the pod stands for itself.

import { isObjectName } from "./names.js";

export interface OwnerRef {
  kind: string;
  name: string;
}

const CONTROLLERS: Record<string, readonly string[]> = {
  "apps/v1": ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet"],
  "batch/v1": ["Job", "CronJob"],
};

/** The controller among an object's ownerReferences (else the first), if it is one to believe. */
export function trustedOwner(references: unknown): OwnerRef | null {
  if (!Array.isArray(references)) return null;
  const refs = references.filter(
    (ref): ref is Record<string, unknown> => typeof ref === "object" && ref !== null,
  );
  const owner = refs.find((ref) => ref.controller === true) ?? refs[0];
  if (!owner) return null;
  const { apiVersion, kind, name } = owner;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string") return null;
  if (!CONTROLLERS[apiVersion]?.includes(kind) || !isObjectName(name)) return null;
  return { kind, name };
}
