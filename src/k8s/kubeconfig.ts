// Which cluster to talk to: --kubeconfig, then $KUBECONFIG, then ~/.kube/config; or the pod's own
// service account when running in the cluster.

import { KubeConfig } from "@kubernetes/client-node";
import { fail, ok, type Result } from "../errors.js";

export interface KubeconfigChoice {
  kubeconfig: string | null;
  context: string | null;
  inCluster: boolean;
}

export function loadKubeConfig(choice: KubeconfigChoice): Result<KubeConfig> {
  const config = new KubeConfig();
  try {
    if (choice.inCluster) config.loadFromCluster();
    else if (choice.kubeconfig) config.loadFromFile(choice.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    const where = choice.inCluster
      ? "the in-cluster service account"
      : (choice.kubeconfig ?? "the default kubeconfig");
    return fail("config-invalid", `cannot load ${where}: ${(error as Error).message}`);
  }
  if (choice.context) {
    if (!config.getContextObject(choice.context)) {
      const known = config.getContexts().map((context) => context.name);
      return fail(
        "config-invalid",
        `context "${choice.context}" is not in the kubeconfig`,
        `known contexts: ${known.join(", ") || "none"}`,
      );
    }
    config.setCurrentContext(choice.context);
  }
  if (!config.getCurrentCluster()) {
    return fail(
      "config-invalid",
      "the kubeconfig names no current cluster",
      "pass --kubeconfig FILE or set KUBECONFIG",
    );
  }
  return ok(config);
}
