// Which address and port reach a node over SSH: its override in ssh.nodes, else the address of the
// configured type the API server lists for it. Pure.

import type { NodeOverride } from "./config/schema.js";
import { fail, ok, type Result } from "./errors.js";
import type { NodeInfo, NodeTarget } from "./ports.js";

export interface NodeAccess {
  port: number;
  addressType: "InternalIP" | "ExternalIP" | "Hostname";
  overrides: Record<string, NodeOverride>;
}

export function nodeTarget(info: NodeInfo | null, node: string, access: NodeAccess): Result<NodeTarget> {
  const override = access.overrides[node] ?? {};
  const preferred = [access.addressType, "InternalIP", "ExternalIP", "Hostname"];
  const address = preferred
    .map((type) => info?.addresses.find((candidate) => candidate.type === type)?.address)
    .find((found) => found !== undefined);
  const host = override.host ?? address;
  if (!host) {
    return fail(
      "no-address",
      `${node}: no address to reach it by`,
      `set ssh.nodes.${node}.host in the configuration`,
    );
  }
  return ok({ node, host, port: override.port ?? access.port });
}
