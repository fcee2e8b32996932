// Kills as the detectors make them, with overrides for the case at hand: a Deployment's container
// OOM-killed on the seed's node, a silent kill of a gunicorn worker, a node's SystemOOM.

import type { AlertSubscription, Kill } from "../../src/alerts/model.js";

export const POD_UID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

export function oomKill(overrides: Partial<Kill> = {}): Kill {
  const at = overrides.at ?? "2021-07-12T04:11:16Z";
  return {
    id: `oom/${POD_UID}/systembusiness/${at}`,
    kind: "oom-killed",
    cluster: "production-eu",
    namespace: "production",
    pod: "systembusiness-5c6969978b-x7k2p",
    podUid: POD_UID,
    container: "systembusiness",
    node: "k8s-node-04",
    workload: "Deployment/systembusiness",
    at,
    message: null,
    process: null,
    ...overrides,
  };
}

export function childKill(overrides: Partial<Kill> = {}): Kill {
  return oomKill({
    id: `child/k8s-node-04/${POD_UID}/48211/1626063076000`,
    kind: "child-process",
    namespace: "shop",
    pod: "web-6f7d8c9b5-q4r2t",
    container: "gunicorn",
    workload: "Deployment/web",
    at: "2021-07-12T04:11:16.000Z",
    process: { name: "gunicorn", pid: 48211, residentBytes: 412_876_800, limitBytes: 536_870_912 },
    ...overrides,
  });
}

export function systemOomKill(overrides: Partial<Kill> = {}): Kill {
  return oomKill({
    id: "system-oom/5e1f0c1a-0a6b-4e44-9d0b-1f8c2a7d3e11/1",
    kind: "system-oom",
    namespace: null,
    pod: null,
    podUid: null,
    container: null,
    workload: null,
    message: "System OOM encountered, victim process: java, pid: 31337",
    process: { name: "java", pid: 31337, residentBytes: null, limitBytes: null },
    ...overrides,
  });
}

/** A channel's subscription to production, loud from info up, no quiet hours; with overrides. */
export function alertSubscription(overrides: Partial<AlertSubscription> = {}): AlertSubscription {
  return {
    id: "w1",
    channel: "C0ALERTS",
    scope: "production",
    minSeverity: "info",
    quiet: null,
    tz: "UTC",
    createdBy: "U0ALICE",
    createdAt: "2024-01-01T00:00:00Z",
    ...overrides,
  };
}
