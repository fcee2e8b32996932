// A small Kubernetes API server on loopback HTTPS that serves objects on the real REST paths, with
// pagination (limit/continue), field selectors, the watch protocol for pods and events, 403 for
// namespaces (or cluster-wide verbs) it is told to forbid, and a log of requests. The real
// @kubernetes/client-node talks to it through a generated kubeconfig.

import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { type ChangeType, type Watchable, WatchHub, type WatchRequest } from "./fake-watch.js";
import { fieldSelector } from "./field-selector.js";
import type { Tls } from "./tls.js";

type Json = Record<string, unknown>;

export interface ClusterState {
  pods: Json[];
  nodes: Json[];
  replicasets: Json[];
  deployments: Json[];
  statefulsets: Json[];
  daemonsets: Json[];
  jobs: Json[];
  events: Json[];
  limitranges: Json[];
  resourcequotas: Json[];
}

export function emptyState(): ClusterState {
  return {
    pods: [],
    nodes: [],
    replicasets: [],
    deployments: [],
    statefulsets: [],
    daemonsets: [],
    jobs: [],
    events: [],
    limitranges: [],
    resourcequotas: [],
  };
}

/** Each collection's path, where the first group is the namespace (none for nodes) and the second a name. */
const ROUTES: Array<[RegExp, keyof ClusterState, string]> = [
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/, "pods", "PodList"],
  [/^\/api\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/, "events", "EventList"],
  [/^\/api\/v1\/namespaces\/([^/]+)\/limitranges(?:\/([^/]+))?$/, "limitranges", "LimitRangeList"],
  [/^\/api\/v1\/namespaces\/([^/]+)\/resourcequotas(?:\/([^/]+))?$/, "resourcequotas", "ResourceQuotaList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets(?:\/([^/]+))?$/, "replicasets", "ReplicaSetList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/, "deployments", "DeploymentList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/statefulsets(?:\/([^/]+))?$/, "statefulsets", "StatefulSetList"],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets(?:\/([^/]+))?$/, "daemonsets", "DaemonSetList"],
  [/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/, "jobs", "JobList"],
  [/^\/api\/v1\/nodes(?:\/([^/]+))?$/, "nodes", "NodeList"],
];

/** Collections of every namespace at once. */
const ALL_NAMESPACES: Array<[string, Watchable, string]> = [
  ["/api/v1/pods", "pods", "PodList"],
  ["/api/v1/events", "events", "EventList"],
];

const WATCHABLE = new Set<string>(["pods", "events"]);

function metadata(object: Json): Json {
  return (object.metadata ?? {}) as Json;
}

function matchesSelector(object: Json, selector: string): boolean {
  const labels = (metadata(object).labels ?? {}) as Record<string, string>;
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return key !== undefined && labels[key] === value;
  });
}

/** Merges a patch the way the API server does for the fields oom-doctor patches. */
function strategicMerge(target: Json, patch: Json): Json {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (key === "containers" && Array.isArray(value) && Array.isArray(current)) {
      for (const container of value as Json[]) {
        const existing = (current as Json[]).find((c) => c.name === container.name);
        if (existing) strategicMerge(existing, container);
        else (current as Json[]).push(container);
      }
    } else if (
      value &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      current &&
      typeof current === "object"
    ) {
      strategicMerge(current as Json, value as Json);
    } else {
      target[key] = value;
    }
  }
  return target;
}

function forbidden(response: ServerResponse, verb: string, resource: string, scope: string): void {
  status(
    response,
    403,
    "Forbidden",
    `${resource} is forbidden: User "harness" cannot ${verb} resource "${resource}" in API group "" ${scope}`,
  );
}

function status(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    }),
  );
}

export class FakeKubeApi {
  readonly state: ClusterState = emptyState();
  readonly requests: string[] = [];
  readonly forbiddenNamespaces = new Set<string>();
  /** Paths (without query) answered with this status instead, for fault tests. */
  readonly failures = new Map<string, number>();
  /** Paths answered with a status the next `times` times only. */
  readonly transientFailures = new Map<string, { status: number; times: number }>();
  /** Every PATCH received, with its query's dryRun and its content type. */
  readonly patches: Array<{ path: string; dryRun: boolean; contentType: string; body: Json }> = [];
  /** Paths whose PATCH (dry run or not) is refused with this status, as admission or quota would. */
  readonly patchRefusals = new Map<string, { code: number; reason: string; message: string }>();
  /** Namespaces that exist without holding any object. */
  readonly extraNamespaces = new Set<string>();
  /** Verbs refused on collections of every namespace, as `"<verb> <resource>"` (e.g. "watch pods"). */
  readonly clusterWideForbidden = new Set<string>();
  /** Watches of pods and events: the resourceVersion counter, the history, the open streams. */
  readonly watches = new WatchHub();
  private readonly gates = new Map<string, { opened: Promise<void>; arrive: () => void }>();
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly tls: Tls) {}

  async start(): Promise<void> {
    this.server = createServer({ cert: this.tls.cert, key: this.tls.key }, (request, response) =>
      this.handle(request, response),
    );
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /**
   * The requests received after the first `since`, without those of the alert leader's watch of the
   * whole cluster (its lists and watches of every pod and of Warning events), which runs beside
   * whatever else a test does.
   */
  requestsSince(since: number): string[] {
    return this.requests.slice(since).filter((request) => !isClusterWatch(request));
  }

  /** Every watch request received. */
  get watchRequests(): readonly WatchRequest[] {
    return this.watches.requests;
  }

  /** Watch connections open now. */
  get watchCount(): number {
    return this.watches.count;
  }

  /** Adds the pod or replaces the one of that namespace and name, as a change that watches see. */
  upsertPod(pod: Json): string {
    return this.upsert("pods", pod);
  }

  deletePod(namespace: string, name: string): string | null {
    return this.remove("pods", namespace, name);
  }

  /** Adds the event or replaces the one of that namespace and name (a repeat counted up, say). */
  upsertEvent(event: Json): string {
    return this.upsert("events", event);
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that allows them. */
  bookmark(): void {
    this.watches.bookmark();
  }

  /** Ends every open watch cleanly, as the server does once a watch's timeoutSeconds have passed. */
  endWatches(): void {
    this.watches.end();
  }

  /** Breaks every open watch connection mid-stream. */
  dropWatches(): void {
    this.watches.drop();
  }

  /** Forgets the change history: resuming from any earlier resourceVersion gets 410 Expired. */
  expireHistory(): void {
    this.watches.expire();
  }

  private upsert(resource: Watchable, given: Json): string {
    const object = structuredClone(given);
    const objects = this.state[resource];
    const at = objects.findIndex((other) => sameName(other, object));
    const type: ChangeType = at < 0 ? "ADDED" : "MODIFIED";
    const version = this.watches.record(resource, type, object);
    if (at < 0) objects.push(object);
    else objects[at] = object;
    return version;
  }

  private remove(resource: Watchable, namespace: string, name: string): string | null {
    const objects = this.state[resource];
    const at = objects.findIndex((object) => sameName(object, { metadata: { namespace, name } }));
    const [removed] = at < 0 ? [] : objects.splice(at, 1);
    return removed ? this.watches.record(resource, "DELETED", removed) : null;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Writes a kubeconfig for this server (CA embedded, a bearer token) and returns its path. */
  writeKubeconfig(dir: string, name = "kubeconfig"): string {
    const path = join(dir, name);
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "harness",
          cluster: {
            server: this.url,
            "certificate-authority-data": Buffer.from(this.tls.ca).toString("base64"),
          },
        },
      ],
      users: [{ name: "harness", user: { token: "harness-token" } }],
      contexts: [{ name: "harness", context: { cluster: "harness", user: "harness" } }],
      "current-context": "harness",
    };
    writeFileSync(path, stringify(config));
    return path;
  }

  /**
   * Holds every request for `path` (without query), or only those of one method, until released: a way
   * to stop a client at a known point, for tests of what happens to work in flight. A held request has
   * been received whole, as by a real API server, and is carried out on release even if its client has
   * gone meanwhile. `arrived` resolves at the first held request.
   */
  hold(path: string, method?: string): { arrived: Promise<void>; release: () => void } {
    const key = gateKey(path, method);
    let open = () => {};
    let arrive = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    // A request that never comes fails the test that waits for it, rather than hanging it.
    let deadline: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      arrive = () => {
        clearTimeout(deadline);
        resolve();
      };
      deadline = setTimeout(() => reject(new Error(`no request for ${key} within a minute`)), 60_000);
      deadline.unref();
    });
    arrived.catch(() => undefined); // only a test that awaits it cares
    this.gates.set(key, { opened, arrive });
    return {
      arrived,
      release: () => {
        clearTimeout(deadline);
        this.gates.delete(key);
        open();
      },
    };
  }

  private namespaces(): Set<string> {
    const names = new Set(this.extraNamespaces);
    for (const objects of Object.values(this.state))
      for (const object of objects) {
        const namespace = metadata(object).namespace;
        if (typeof namespace === "string") names.add(namespace);
      }
    return names;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const gate = this.gates.get(gateKey(url.pathname, request.method)) ?? this.gates.get(url.pathname);
      if (gate) {
        gate.arrive();
        gate.opened.then(() => this.answer(request, body, response, url));
        return;
      }
      this.answer(request, body, response, url);
    });
  }

  private answer(request: IncomingMessage, body: string, response: ServerResponse, url: URL): void {
    if (request.headers.authorization !== "Bearer harness-token") {
      status(response, 401, "Unauthorized", "Unauthorized");
      return;
    }
    const transient = this.transientFailures.get(url.pathname);
    if (transient && transient.times > 0) {
      transient.times -= 1;
      status(response, transient.status, "ServiceUnavailable", "injected transient failure");
      return;
    }
    const injected = this.failures.get(url.pathname);
    if (injected !== undefined) {
      status(response, injected, "InternalError", "injected failure");
      return;
    }
    const namespace = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname)?.[1];
    if (namespace !== undefined) {
      if (!this.namespaces().has(namespace)) {
        status(response, 404, "NotFound", `namespaces "${namespace}" not found`);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: namespace } }));
      return;
    }
    const watching = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    for (const [path, resource, listKind] of ALL_NAMESPACES) {
      if (url.pathname !== path) continue;
      const verb = watching ? "watch" : "list";
      if (this.clusterWideForbidden.has(`${verb} ${resource}`)) {
        forbidden(response, verb, resource, "at the cluster scope");
        return;
      }
      this.collection(response, resource, null, this.state[resource], listKind, url.searchParams, watching);
      return;
    }
    for (const [pattern, kind, listKind] of ROUTES) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      const cluster = kind === "nodes";
      const namespace = cluster ? null : (match[1] ?? "");
      const name = cluster ? match[1] : match[2];
      if (namespace !== null && this.forbiddenNamespaces.has(namespace)) {
        const verb = name ? "get" : watching ? "watch" : "list";
        forbidden(response, verb, kind, `in the namespace "${namespace}"`);
        return;
      }
      const objects = this.state[kind].filter(
        (object) => namespace === null || metadata(object).namespace === namespace,
      );
      if (name && request.method === "PATCH") {
        const found = objects.find((object) => metadata(object).name === name);
        if (!found) status(response, 404, "NotFound", `${kind} "${name}" not found`);
        else this.patch(request, body, response, url, found);
        return;
      }
      if (name) {
        const found = objects.find((object) => metadata(object).name === name);
        if (found) {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify(found));
        } else status(response, 404, "NotFound", `${kind} "${name}" not found`);
        return;
      }
      this.collection(response, kind, namespace, objects, listKind, url.searchParams, watching);
      return;
    }
    status(response, 404, "NotFound", "the server could not find the requested resource");
  }

  /** A list of the objects that match the query's selectors, or a watch of them. */
  private collection(
    response: ServerResponse,
    resource: keyof ClusterState,
    namespace: string | null,
    objects: Json[],
    listKind: string,
    query: URLSearchParams,
    watching: boolean,
  ): void {
    const fields = fieldSelector(resource, query.get("fieldSelector"));
    if (typeof fields !== "function") {
      status(response, 400, "BadRequest", `field label not supported: ${fields.unsupported}`);
      return;
    }
    const labels = query.get("labelSelector");
    const matches = (object: Json) => fields(object) && (!labels || matchesSelector(object, labels));
    const watchable = isWatchable(resource);
    // Objects put straight into the state get the current resourceVersion, as if created just now.
    if (watchable) for (const object of objects) stampVersion(object, this.watches.revision);
    if (!watching) {
      this.list(response, objects.filter(matches), listKind, query);
      return;
    }
    if (!watchable) {
      status(response, 405, "MethodNotAllowed", `this server does not watch ${resource}`);
      return;
    }
    this.watches.serve(response, { resource, namespace, matches, query, current: () => objects });
  }

  /**
   * A strategic merge patch as oom-doctor sends it (annotations, containers merged by name), with
   * `dryRun=All` answered but not stored. A `metadata.resourceVersion` in the patch is a precondition,
   * as on the real API server: 409 Conflict unless it is the object's current one (dry run or not).
   * A stored patch bumps the resourceVersion and the generation, records the `fieldManager` in
   * managedFields, and, as if the rollout were instant, updates the status.
   */
  private patch(
    request: IncomingMessage,
    text: string,
    response: ServerResponse,
    url: URL,
    target: Json,
  ): void {
    const body = JSON.parse(text || "{}") as Json;
    const dryRun = url.searchParams.get("dryRun") === "All";
    this.patches.push({
      path: url.pathname,
      dryRun,
      contentType: String(request.headers["content-type"] ?? ""),
      body,
    });
    const refusal = this.patchRefusals.get(url.pathname);
    if (refusal) {
      status(response, refusal.code, refusal.reason, refusal.message);
      return;
    }
    const precondition = metadata(body).resourceVersion;
    if (precondition !== undefined && precondition !== metadata(target).resourceVersion) {
      // /apis/apps/v1/namespaces/production/deployments/name: deployments.apps
      const [, , group, , , , resource] = url.pathname.split("/");
      status(
        response,
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${resource}.${group} "${String(metadata(target).name)}": the object has been modified; please apply your changes to the latest version and try again`,
      );
      return;
    }
    const patched = strategicMerge(structuredClone(target), body);
    if (!dryRun) {
      const meta = metadata(patched);
      const manager = url.searchParams.get("fieldManager");
      const managed = (meta.managedFields ?? []) as Json[];
      if (manager && !managed.some((entry) => entry.manager === manager))
        meta.managedFields = [...managed, { manager, operation: "Update", apiVersion: "apps/v1" }];
      meta.generation = Number(meta.generation ?? 1) + 1;
      meta.resourceVersion = String(Number(meta.resourceVersion ?? 1) + 1);
      const replicas = Number(((patched.spec ?? {}) as Json).replicas ?? 1);
      patched.status = {
        ...((patched.status ?? {}) as Json),
        observedGeneration: meta.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      };
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, patched);
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(patched));
  }

  private list(response: ServerResponse, objects: Json[], kind: string, query: URLSearchParams): void {
    const limit = Number(query.get("limit") ?? "0");
    const start = Number(query.get("continue") ?? "0");
    const page = limit > 0 ? objects.slice(start, start + limit) : objects.slice(start);
    const next = limit > 0 && start + limit < objects.length ? String(start + limit) : undefined;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        kind,
        apiVersion: "v1",
        metadata: { resourceVersion: String(this.watches.revision), ...(next ? { continue: next } : {}) },
        items: page,
      }),
    );
  }
}

/** A list or watch of every pod, or of every Warning event: what the cluster watch asks for. */
function isClusterWatch(request: string): boolean {
  const [method, target = ""] = request.split(" ");
  const url = new URL(target, "https://cluster.invalid");
  const selector = url.searchParams.get("fieldSelector");
  if (method !== "GET") return false;
  if (url.pathname === "/api/v1/pods") return selector === null;
  return url.pathname === "/api/v1/events" && selector === "type=Warning";
}

function isWatchable(resource: string): resource is Watchable {
  return WATCHABLE.has(resource);
}

function sameName(object: Json, other: Json): boolean {
  return (
    metadata(object).namespace === metadata(other).namespace && metadata(object).name === metadata(other).name
  );
}

function stampVersion(object: Json, revision: number): void {
  const meta = metadata(object);
  if (!meta.resourceVersion) object.metadata = { ...meta, resourceVersion: String(revision) };
}

function gateKey(path: string, method?: string): string {
  return method ? `${method} ${path}` : path;
}
