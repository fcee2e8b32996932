// The shipped manifests, rendered as a user would (`kubectl kustomize`), checked object by object
// against the Kubernetes schemas, for the security properties the operations guide promises, and
// for RBAC that covers every API call the adapters make, and nothing more.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { before, describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { buildConfig } from "../../src/config/load.js";
import { ROOT } from "../harness/fixtures.js";

type Json = Record<string, unknown>;
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const OVERLAYS = ["http", "socket-mode"];

function render(overlay: string): Json[] {
  let output: string;
  try {
    output = execFileSync("kubectl", ["kustomize", join(ROOT, "deploy", "overlays", overlay)], {
      encoding: "utf8",
    });
  } catch (error) {
    throw new Error(
      `kubectl kustomize failed (kubectl 1.27 or later is needed): ${(error as Error).message}`,
    );
  }
  return parseAllDocuments(output).map((document) => document.toJS() as Json);
}

/** The kubernetes-models class for an object, e.g. apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment. */
async function validate(object: Json): Promise<void> {
  const [group, version] = String(object.apiVersion).includes("/")
    ? String(object.apiVersion).split("/")
    : ["", String(object.apiVersion)];
  const path = `kubernetes-models/${group ? `${group}/` : ""}${version}/${String(object.kind)}`;
  const module = (await import(path)) as Record<string, new (data: Json) => { validate(): void }>;
  const Model = module[String(object.kind)];
  assert.ok(Model, `no schema for ${path}`);
  new Model(object).validate();
}

const spec = (object: Json) => (object.spec ?? {}) as Json;
const podSpec = (object: Json) => ((spec(object).template as Json).spec ?? {}) as Json;
const containersOf = (object: Json) => (podSpec(object).containers ?? []) as Json[];
const named = (objects: Json[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && (o.metadata as Json).name === name);

describe("the Kustomize overlays", () => {
  const rendered = new Map<string, Json[]>();
  before(() => {
    for (const overlay of OVERLAYS) rendered.set(overlay, render(overlay));
  });

  for (const overlay of OVERLAYS) {
    it(`when ${overlay} is rendered, then every object is valid against the Kubernetes schemas`, async () => {
      const objects = rendered.get(overlay) ?? [];
      assert.ok(objects.length >= 14);
      for (const object of objects) {
        await validate(object).catch((error: Error) => {
          throw new Error(`${object.kind} ${(object.metadata as Json).name}: ${error.message}`);
        });
      }
    });

    it(`when ${overlay} is rendered, then every pod runs non-root, read-only, without privileges, with probes and limits`, () => {
      const workloads = (rendered.get(overlay) ?? []).filter(
        (o) => o.kind === "Deployment" || o.kind === "StatefulSet",
      );
      assert.equal(workloads.length, 3);
      for (const workload of workloads) {
        const name = String((workload.metadata as Json).name);
        const pod = podSpec(workload);
        const podSecurity = (pod.securityContext ?? {}) as Json;
        assert.equal(podSecurity.runAsNonRoot, true, name);
        assert.deepEqual(podSecurity.seccompProfile, { type: "RuntimeDefault" }, name);
        for (const container of containersOf(workload)) {
          const security = (container.securityContext ?? {}) as Json;
          assert.equal(security.allowPrivilegeEscalation, false, name);
          assert.equal(security.readOnlyRootFilesystem, true, name);
          assert.deepEqual((security.capabilities as Json).drop, ["ALL"], name);
          assert.ok(container.livenessProbe && container.readinessProbe, `${name}: probes`);
          const resources = container.resources as { requests?: Json; limits?: Json };
          assert.ok(
            resources.requests?.memory && resources.limits?.memory,
            `${name}: memory request and limit`,
          );
        }
      }
      for (const name of ["oom-doctor-serve", "oom-doctor-worker"]) {
        const container = containersOf(named(rendered.get(overlay) ?? [], "Deployment", name) ?? {})[0] ?? {};
        assert.equal(((container.livenessProbe as Json).httpGet as Json).path, "/healthz");
        assert.equal(((container.readinessProbe as Json).httpGet as Json).path, "/readyz");
      }
    });
  }

  it("when rendered, then HTTP mode has the signing secret and an Ingress for /slack/events only; Socket Mode the app token and no Ingress", () => {
    const http = rendered.get("http") ?? [];
    const socket = rendered.get("socket-mode") ?? [];
    const env = (objects: Json[]) =>
      ((containersOf(named(objects, "Deployment", "oom-doctor-serve") ?? {})[0]?.env ?? []) as Json[]).map(
        (e) => e.name,
      );
    assert.ok(env(http).includes("SLACK_SIGNING_SECRET") && !env(http).includes("SLACK_APP_TOKEN"));
    assert.ok(env(socket).includes("SLACK_APP_TOKEN") && !env(socket).includes("SLACK_SIGNING_SECRET"));
    const ingress = http.find((o) => o.kind === "Ingress");
    const rule = (spec(ingress ?? {}).rules as Array<{ http: { paths: Array<{ path: string }> } }>)[0];
    assert.deepEqual(
      rule?.http.paths.map((p) => p.path),
      ["/slack/events"],
    );
    assert.equal(
      socket.some((o) => o.kind === "Ingress"),
      false,
    );
  });

  it("when rendered, then Redis never evicts, and tokens and keys come from Secrets, never inline", () => {
    const objects = rendered.get("socket-mode") ?? [];
    const redis = containersOf(named(objects, "StatefulSet", "oom-doctor-redis") ?? {})[0] ?? {};
    assert.match((redis.args as string[]).join(" "), /--maxmemory-policy noeviction/);
    for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
      for (const variable of (containersOf(deployment)[0]?.env ?? []) as Json[]) {
        if (/TOKEN|SECRET|KEY|PASSWORD/.test(String(variable.name))) {
          assert.equal(variable.value, undefined, `${variable.name} must come from a Secret`);
          assert.ok((variable.valueFrom as Json).secretKeyRef);
        }
      }
    }
    assert.equal(
      objects.some((o) => o.kind === "Secret"),
      false,
      "Secrets are made by the user, not shipped",
    );
  });

  it("when rendered, then serve and worker both read the proposal signing key from the oom-doctor-proposals Secret", () => {
    for (const overlay of OVERLAYS)
      for (const name of ["oom-doctor-serve", "oom-doctor-worker"]) {
        const deployment = named(rendered.get(overlay) ?? [], "Deployment", name) ?? {};
        const variable = ((containersOf(deployment)[0]?.env ?? []) as Json[]).find(
          (e) => e.name === "OOM_DOCTOR_PROPOSAL_SIGNING_KEY",
        );
        assert.deepEqual(
          (variable?.valueFrom as Json | undefined)?.secretKeyRef,
          { name: "oom-doctor-proposals", key: "signing-key", optional: true },
          `${overlay}: ${name}`,
        );
      }
  });
});

describe("identities, files and images", () => {
  const objects = render("socket-mode");
  const worker = podSpec(named(objects, "Deployment", "oom-doctor-worker") ?? {});
  const proposalBindings = parseAllDocuments(
    readFileSync(join(ROOT, "deploy", "rbac", "proposals.yaml"), "utf8"),
  ).map((document) => document.toJS() as Json);

  it("when rendered, then serve runs under an account of its own, with no token mounted and nothing bound to it", () => {
    for (const overlay of OVERLAYS) {
      const rendered = render(overlay);
      const serve = podSpec(named(rendered, "Deployment", "oom-doctor-serve") ?? {});
      assert.equal(serve.serviceAccountName, "oom-doctor-serve", overlay);
      assert.equal(serve.automountServiceAccountToken, false, overlay);
      assert.equal(
        named(rendered, "ServiceAccount", "oom-doctor-serve")?.automountServiceAccountToken,
        false,
      );
    }
    assert.equal(worker.serviceAccountName, "oom-doctor", "the worker keeps the account that reads the API");
    const subjects = [...objects, ...proposalBindings]
      .filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding")
      .flatMap((o) => (o.subjects ?? []) as Json[])
      .map((subject) => subject.name);
    assert.ok(subjects.includes("oom-doctor"));
    assert.ok(!subjects.includes("oom-doctor-serve"), "serve is granted nothing");
  });

  it("when rendered, then the worker's uid can read the SSH key and known_hosts where the configuration looks, and no one else can", () => {
    const security = worker.securityContext as Json;
    const volume = ((worker.volumes ?? []) as Json[]).find((v) => v.name === "ssh") ?? {};
    const mode = Number((volume.secret as Json).defaultMode);
    // Secret files belong to root and to the fsGroup; the process has its uid, its group and the fsGroup.
    const groups = [
      security.runAsGroup,
      security.fsGroup,
      ...((security.supplementalGroups ?? []) as unknown[]),
    ];
    const readable =
      (security.runAsUser === 0 && (mode & 0o400) !== 0) ||
      (security.fsGroup !== undefined && groups.includes(security.fsGroup) && (mode & 0o040) !== 0) ||
      (mode & 0o004) !== 0;
    assert.equal(security.runAsUser, 1000);
    assert.ok(
      readable,
      `mode ${mode.toString(8)} with fsGroup ${security.fsGroup} is not readable by uid 1000`,
    );
    assert.equal(mode & 0o337, 0, `mode ${mode.toString(8)}: nobody writes, others read nothing`);
    const mount = (
      (containersOf(named(objects, "Deployment", "oom-doctor-worker") ?? {})[0]?.volumeMounts ?? []) as Json[]
    ).find((m) => m.name === "ssh");
    const configMap = objects.find(
      (o) => o.kind === "ConfigMap" && String((o.metadata as Json).name).startsWith("oom-doctor-config"),
    );
    const shipped = ((configMap?.data ?? {}) as Json)["oom-doctor.yaml"];
    const config = buildConfig(parse(String(shipped)), {}, "ConfigMap");
    assert.ok(config.ok, config.ok ? "" : config.error.message);
    assert.ok(config.value.ssh.user && config.value.ssh.user !== "root", "a node user of its own");
    const operations = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
    for (const path of [config.value.ssh.privateKeyPath ?? "", config.value.ssh.knownHostsPath]) {
      assert.equal(dirname(path), mount?.mountPath, `${path} is in the Secret's mount`);
      assert.ok(
        operations.includes(`--from-file=${basename(path)}=`),
        `docs/operations.md creates ${basename(path)}`,
      );
    }
  });

  it("when rendered, then every container image is pinned by digest", () => {
    for (const overlay of OVERLAYS) {
      for (const workload of render(overlay).filter(
        (o) => o.kind === "Deployment" || o.kind === "StatefulSet",
      )) {
        const pod = podSpec(workload);
        for (const container of [
          ...((pod.initContainers ?? []) as Json[]),
          ...((pod.containers ?? []) as Json[]),
        ]) {
          assert.match(
            String(container.image),
            /@sha256:[0-9a-f]{64}$/,
            `${(workload.metadata as Json).name}: ${container.image}`,
          );
        }
      }
    }
  });
});

describe("the shipped Redis", () => {
  const objects = render("socket-mode");
  const redis = containersOf(named(objects, "StatefulSet", "oom-doctor-redis") ?? {})[0] ?? {};
  const fromSecret = (container: Json, name: string) =>
    ((container.env ?? []) as Json[]).find((variable) => variable.name === name)?.valueFrom;
  const passwordSecret = { secretKeyRef: { name: "oom-doctor-redis", key: "password" } };

  it("when rendered, then Redis requires the password from the oom-doctor-redis Secret, its probe included", () => {
    const args = redis.args as string[];
    assert.equal(args[args.indexOf("--requirepass") + 1], "$(REDIS_PASSWORD)");
    assert.deepEqual(fromSecret(redis, "REDIS_PASSWORD"), passwordSecret);
    assert.deepEqual(fromSecret(redis, "REDISCLI_AUTH"), passwordSecret, "redis-cli ping must authenticate");
    assert.deepEqual((redis.readinessProbe as { exec: Json }).exec.command, ["redis-cli", "ping"]);
  });

  it("when rendered, then serve and worker send that password to it", () => {
    for (const name of ["oom-doctor-serve", "oom-doctor-worker"]) {
      const container = containersOf(named(objects, "Deployment", name) ?? {})[0] ?? {};
      assert.deepEqual(fromSecret(container, "REDIS_PASSWORD"), passwordSecret, name);
    }
  });
});

describe("RBAC", () => {
  const clusterRole = (render("socket-mode").find((o) => o.kind === "ClusterRole") ?? {}) as {
    rules?: Rule[];
  };
  const proposalsRole = (parseAllDocuments(
    readFileSync(join(ROOT, "deploy", "rbac", "proposals.yaml"), "utf8"),
  )
    .map((document) => document.toJS() as Json)
    .find((o) => o.kind === "Role") ?? {}) as { rules?: Rule[] };
  const rules = [...(clusterRole.rules ?? []), ...(proposalsRole.rules ?? [])];

  it("when read, then no rule uses a wildcard or touches secrets, exec or anything beyond reads, watch and patch", () => {
    for (const rule of rules) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs])
        assert.ok(!field.includes("*"), JSON.stringify(rule));
      assert.ok(
        !rule.resources.some((resource) => /secrets|exec|attach|portforward|proxy/.test(resource)),
        JSON.stringify(rule),
      );
      assert.ok(
        rule.verbs.every((verb) => ["get", "list", "watch", "patch"].includes(verb)),
        JSON.stringify(rule),
      );
      // Live alerts watch pods and events; nothing else is watched.
      if (rule.verbs.includes("watch"))
        assert.deepEqual([...rule.resources].sort(), ["events", "pods"], JSON.stringify(rule));
    }
    assert.ok(
      (clusterRole.rules ?? []).every((rule) => !rule.verbs.includes("patch")),
      "the cluster-wide role only reads",
    );
  });

  it("when the adapters' API calls are listed from the source, then each is granted", () => {
    // Client methods named like listNamespacedPod, readNode, patchNamespacedDeployment, listPodForAllNamespaces.
    const GROUPS: Record<string, string> = { core: "", apps: "apps", batch: "batch" };
    const VERBS: Record<string, string> = { list: "list", read: "get", patch: "patch" };
    const calls = new Set<string>();
    for (const file of readdirSync(join(ROOT, "src", "k8s")).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(join(ROOT, "src", "k8s", file), "utf8");
      for (const match of source.matchAll(
        /this\.(core|apps|batch)\.(list|read|patch)(?:Namespaced)?([A-Z][A-Za-z]*?)(?:ForAllNamespaces)?\(/g,
      )) {
        const [, api = "", verb = "", kind = ""] = match;
        const resource = `${kind.toLowerCase()}${/s$/.test(kind) ? "es" : "s"}`
          .replace(/ys$/, "ies")
          .replace(/sets$/, "sets");
        calls.add(`${GROUPS[api]}|${resource}|${VERBS[verb]}`);
      }
    }
    assert.ok(calls.size >= 12, `found ${calls.size} calls`);
    const granted = (call: string) => {
      const [group, resource, verb] = call.split("|");
      return rules.some(
        (rule) =>
          rule.apiGroups.includes(group ?? "") &&
          rule.resources.includes(resource ?? "") &&
          rule.verbs.includes(verb ?? ""),
      );
    };
    const missing = [...calls].filter((call) => !granted(call));
    assert.deepEqual(missing, [], "API calls the manifests do not grant");
  });

  it("when the cluster watch's collections are read from the source, then each may be listed and watched", () => {
    const source = readFileSync(join(ROOT, "src", "k8s", "watch.ts"), "utf8");
    const watched = [...source.matchAll(/resource: "([a-z]+)"/g)].map((match) => match[1] ?? "");
    assert.deepEqual(watched.sort(), ["events", "pods"]);
    for (const resource of watched)
      for (const verb of ["list", "watch"])
        assert.ok(
          (clusterRole.rules ?? []).some(
            (rule) =>
              rule.apiGroups.includes("") && rule.resources.includes(resource) && rule.verbs.includes(verb),
          ),
          `${verb} ${resource} is not granted cluster-wide`,
        );
  });
});
