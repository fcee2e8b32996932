// A whole fake cluster for end-to-end tests: the fake API server with the seed incident's pods and
// nodes, and one real sshd per node serving real journals. Configuration and kubeconfig are written
// as a user would write them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { type ClusterState, FakeKubeApi } from "./fake-kube-api.js";
import { fixturePath } from "./fixtures.js";
import { SshFleet } from "./ssh-fleet.js";
import { makeTls } from "./tls.js";

type Json = Record<string, unknown>;

export function nodeObject(name: string, address: string, memory = "15773612Ki"): Json {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}` },
    status: {
      addresses: [
        { type: "InternalIP", address },
        { type: "Hostname", address: name },
      ],
      allocatable: { cpu: "4", memory },
      nodeInfo: {
        kernelVersion: "4.18.0-193.14.2.el8_2.x86_64",
        containerRuntimeVersion: "docker://19.3.13",
        osImage: "CentOS Linux 8 (Core)",
        kubeletVersion: "v1.19.3",
        architecture: "amd64",
        operatingSystem: "linux",
        bootID: "",
        machineID: "",
        systemUUID: "",
        kubeProxyVersion: "v1.19.3",
      },
    },
  };
}

export interface HarnessCluster {
  dir: string;
  api: FakeKubeApi;
  fleet: SshFleet;
  kubeconfig: string;
  /** Writes the YAML configuration (with `ssh` merged over the defaults) and returns its path. */
  writeConfig(ssh?: Json, extra?: Json, name?: string): string;
  knownHostsPath: string;
  close(): Promise<void>;
}

export const SEED_NODES: Array<[string, string]> = [
  ["k8s-node-01", "127.0.1.1"],
  ["k8s-node-04", "127.0.1.4"],
  ["k8s-node-08", "127.0.1.8"],
];

export interface ClusterSpec {
  pods: Json[];
  /** Each node's name, loopback address and the export files that become its journal. */
  nodes: Array<{ name: string; address: string; journal: string[] }>;
  extra?: Partial<
    Record<"replicasets" | "deployments" | "jobs" | "events" | "limitranges" | "resourcequotas", Json[]>
  >;
}

export async function startCluster(spec: ClusterSpec): Promise<HarnessCluster> {
  const dir = mkdtempSync(join(tmpdir(), "oom-doctor-harness-"));
  const api = new FakeKubeApi(makeTls(dir));
  await api.start();
  api.state.pods.push(...spec.pods);
  for (const [kind, objects] of Object.entries(spec.extra ?? {})) {
    api.state[kind as keyof ClusterState].push(...(objects ?? []));
  }
  const fleet = new SshFleet(dir);
  for (const node of spec.nodes) {
    api.state.nodes.push(nodeObject(node.name, node.address));
    await fleet.addNode(node.name, node.address, node.journal);
  }
  const knownHostsPath = join(dir, "known_hosts");
  writeFileSync(knownHostsPath, fleet.knownHosts());
  const kubeconfig = api.writeKubeconfig(dir);
  return {
    dir,
    api,
    fleet,
    kubeconfig,
    knownHostsPath,
    writeConfig(ssh = {}, extra = {}, name = "config.yaml") {
      const nodes: Json = {};
      for (const node of fleet.nodes.values()) nodes[node.name] = { port: node.port };
      const config = {
        kubernetes: { kubeconfig },
        ssh: {
          user: fleet.user,
          privateKeyPath: fleet.userKeyPath,
          knownHostsPath,
          connectTimeoutSeconds: 5,
          commandTimeoutSeconds: 20,
          ...ssh,
          nodes: { ...nodes, ...((ssh.nodes as Json | undefined) ?? {}) },
        },
        ...extra,
      };
      const path = join(dir, name);
      writeFileSync(path, stringify(config));
      return path;
    },
    async close() {
      await fleet.close();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The seed's Deployment, as the API server holds it: three replicas of systembusiness, 1000Mi limit. */
export function seedDeployment(): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "systembusiness-deployment",
      namespace: "production",
      uid: "d1",
      generation: 4,
      resourceVersion: "1000",
      labels: { app: "systembusiness" },
      annotations: {},
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "systembusiness" } },
      template: {
        metadata: { labels: { app: "systembusiness" } },
        spec: {
          containers: [
            {
              name: "systembusiness",
              image: "registry.example.com/production/systembusiness:1.4.2",
              resources: {
                limits: { cpu: "500m", memory: "1000Mi" },
                requests: { cpu: "100m", memory: "100Mi" },
              },
            },
          ],
        },
      },
    },
    status: {
      observedGeneration: 4,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    },
  };
}

/** The seed incident as a live cluster: its three pods, its Deployment, and the three nodes' journals. */
export function seedCluster(): Promise<HarnessCluster> {
  const pods = JSON.parse(readFileSync(fixturePath("seed", "pods.json"), "utf8")) as { items: Json[] };
  return startCluster({
    pods: pods.items,
    nodes: SEED_NODES.map(([name, address]) => ({
      name,
      address,
      journal: [fixturePath("cluster", "seed", "journal", `${name}.export`)],
    })),
    extra: {
      replicasets: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: "systembusiness-deployment-5c6969978b",
            namespace: "production",
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "Deployment",
                name: "systembusiness-deployment",
                uid: "d1",
                controller: true,
              },
            ],
          },
        },
      ],
      deployments: [seedDeployment()],
      events: [
        {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: "hx5lt.1", namespace: "production" },
          involvedObject: {
            kind: "Pod",
            name: "systembusiness-deployment-5c6969978b-hx5lt",
            namespace: "production",
          },
          reason: "BackOff",
          message: "Back-off restarting failed container",
          count: 12,
          lastTimestamp: "2021-07-12T04:10:25Z",
          type: "Warning",
        },
      ],
    },
  });
}
