// The fake API server's watch protocol, as kube-apiserver speaks it: one resourceVersion counter for
// the whole cluster, a bounded history of changes to resume from, and open watches that stream one
// JSON event a line (`{"type":"ADDED","object":{...}}`) over a chunked 200 response. A resume from
// before the kept history is answered as the real server does: 200 and a single ERROR event with a
// `410 Expired` Status (or a plain HTTP 410 when told, as some servers and proxies do).

import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import type { FieldMatch } from "./field-selector.js";

type Json = Record<string, unknown>;

export type Watchable = "pods" | "events";
export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

interface Change {
  revision: number;
  resource: Watchable;
  type: ChangeType;
  object: Json;
}

/** A watch request as received, for assertions. */
export interface WatchRequest {
  resource: Watchable;
  namespace: string | null;
  resourceVersion: string | null;
  fieldSelector: string | null;
  allowWatchBookmarks: boolean;
}

/** What one watch request asks for. */
export interface WatchSpec {
  resource: Watchable;
  namespace: string | null;
  matches: FieldMatch;
  query: URLSearchParams;
  /** The objects it covers now: sent as ADDED when the watch starts at no particular version. */
  current: () => Json[];
}

interface OpenWatch {
  resource: Watchable;
  namespace: string | null;
  matches: FieldMatch;
  bookmarks: boolean;
  response: ServerResponse;
}

const KINDS: Record<Watchable, string> = { pods: "Pod", events: "Event" };

function namespaceOf(object: Json): unknown {
  return ((object.metadata ?? {}) as Json).namespace;
}

function send(response: ServerResponse, type: string, object: Json): void {
  response.write(`${JSON.stringify({ type, object })}\n`);
}

export class WatchHub {
  /** The cluster's resourceVersion: the last change's. */
  revision = 1;
  /** How many changes are kept to resume from. */
  historyLimit = 1000;
  /** How a resume from before the kept history is refused: an ERROR event in a 200 stream, or HTTP 410. */
  expiredAs: "event" | "status" = "event";
  readonly requests: WatchRequest[] = [];
  /** Emits "changed" whenever a watch opens or closes. */
  readonly activity = new EventEmitter();
  private history: Change[] = [];
  /** The oldest resourceVersion a watch can resume from. */
  private oldest = 1;
  private readonly open = new Set<OpenWatch>();

  /** Open watch connections. */
  get count(): number {
    return this.open.size;
  }

  /** Bumps the resourceVersion for a change, stamps it on the object, and streams it to every watch. */
  record(resource: Watchable, type: ChangeType, object: Json): string {
    this.revision += 1;
    const version = String(this.revision);
    object.metadata = { ...((object.metadata ?? {}) as Json), resourceVersion: version };
    const change = { revision: this.revision, resource, type, object: structuredClone(object) };
    this.history.push(change);
    while (this.history.length > this.historyLimit)
      this.oldest = this.history.shift()?.revision ?? this.oldest;
    for (const watch of this.open) if (this.covers(watch, change)) send(watch.response, type, change.object);
    return version;
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that allowed them. */
  bookmark(): void {
    for (const watch of this.open) {
      if (!watch.bookmarks) continue;
      send(watch.response, "BOOKMARK", {
        kind: KINDS[watch.resource],
        apiVersion: "v1",
        metadata: { resourceVersion: String(this.revision) },
      });
    }
  }

  /** Ends every open watch cleanly, as the server does once a watch's timeoutSeconds have passed. */
  end(): void {
    for (const watch of this.open) watch.response.end();
  }

  /** Breaks every open watch connection mid-stream. */
  drop(): void {
    for (const watch of this.open) watch.response.destroy();
  }

  /** Forgets the history: the next resume from before now is told 410. */
  expire(): void {
    this.history = [];
    this.oldest = this.revision;
  }

  serve(response: ServerResponse, spec: WatchSpec): void {
    const from = spec.query.get("resourceVersion");
    const bookmarks = spec.query.get("allowWatchBookmarks") === "true";
    this.requests.push({
      resource: spec.resource,
      namespace: spec.namespace,
      resourceVersion: from,
      fieldSelector: spec.query.get("fieldSelector"),
      allowWatchBookmarks: bookmarks,
    });
    const watch = {
      resource: spec.resource,
      namespace: spec.namespace,
      matches: spec.matches,
      bookmarks,
      response,
    };
    // Unset or "0" starts at the current state, sent as ADDED events; a version resumes after it.
    const start = from === null || from === "" || from === "0" ? null : Number(from);
    if (start !== null && !(start >= this.oldest)) {
      this.refuseExpired(response, from ?? "");
      return;
    }
    response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    response.flushHeaders();
    if (start === null)
      for (const object of spec.current().filter(spec.matches)) send(response, "ADDED", object);
    else
      for (const change of this.history)
        if (change.revision > start && this.covers(watch, change)) send(response, change.type, change.object);
    this.open.add(watch);
    const seconds = Number(spec.query.get("timeoutSeconds") ?? "0");
    const timer = seconds > 0 ? setTimeout(() => response.end(), seconds * 1000) : null;
    response.on("close", () => {
      if (timer) clearTimeout(timer);
      this.open.delete(watch);
      this.activity.emit("changed");
    });
    this.activity.emit("changed");
  }

  private refuseExpired(response: ServerResponse, from: string): void {
    const status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `too old resource version: ${from} (${this.oldest})`,
      reason: "Expired",
      code: 410,
    };
    if (this.expiredAs === "status") {
      response.writeHead(410, { "content-type": "application/json" });
      response.end(JSON.stringify({ ...status, reason: "Gone" }));
    } else {
      response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      send(response, "ERROR", status);
      response.end();
    }
    this.activity.emit("changed");
  }

  private covers(watch: Omit<OpenWatch, "response" | "bookmarks">, change: Change): boolean {
    return (
      watch.resource === change.resource &&
      (watch.namespace === null || namespaceOf(change.object) === watch.namespace) &&
      watch.matches(change.object)
    );
  }
}
