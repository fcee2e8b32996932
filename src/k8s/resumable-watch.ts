// One collection of every namespace, listed then watched as client-go's reflector does: a broken
// stream is resumed from the last resourceVersion seen (an object's or a BOOKMARK's), so nothing is
// missed and nothing repeated; a stream the server can no longer resume (410 Expired, or any ERROR
// event) is listed again. Attempts that fail are retried after a wait that doubles up to a cap; a
// stream that delivered anything resets it.

import { type KubeConfig, Watch } from "@kubernetes/client-node";
import type { WatchStats } from "../alerts/ports.js";
import { ok, type Result } from "../errors.js";
import type { Log } from "../ops/log.js";
import { type ApiCall, apiError } from "./errors.js";
import { listAll } from "./raw-list.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Collection {
  resource: "pods" | "events";
  /** Narrows the collection on the server (list and watch alike). */
  fieldSelector: string | null;
  /** The whole collection as a fresh list shows it. */
  listed(objects: unknown[]): void;
  changed(type: ChangeType, object: unknown): void;
}

export interface StreamOptions {
  pageSize: number;
  /** The server ends each watch after this long; it is then resumed. */
  timeoutSeconds: number;
  backoffMs: { first: number; max: number };
  stats: WatchStats;
  log: Log;
}

/** One watch connection and what came over it. */
interface Session {
  /** The ERROR event the server ended it with: it cannot be resumed. */
  refusal: string | null;
  delivered: boolean;
  /** Opened to resume a broken stream, not yet counted as resumed. */
  resuming: boolean;
  /** Ends a connection that outlives the server's own timeout (a peer gone silent). */
  deadline: NodeJS.Timeout | null;
  open: boolean;
}

type Opening = { opened: true } | { opened: false; cause: unknown };

// How long past its timeoutSeconds a stream may stay open before it is taken for dead.
const SILENCE_GRACE_MS = 30_000;

function describeFailure(cause: unknown): string {
  const status = (cause as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number") return `the API server answered ${status}`;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The Watch fails with `statusCode`; apiError reads an HTTP status from `code`. */
function asApiFailure(cause: unknown): unknown {
  const status = (cause as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? { code: status } : cause;
}

function isGone(cause: unknown): boolean {
  return (cause as { statusCode?: unknown } | null)?.statusCode === 410;
}

export class ResumableWatch {
  private readonly watch: Watch;
  private resourceVersion = "";
  private controller: AbortController | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** Failed attempts in a row: the wait before the next one. */
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly config: KubeConfig,
    private readonly collection: Collection,
    private readonly options: StreamOptions,
  ) {
    this.watch = new Watch(config);
  }

  private get path(): string {
    return `/api/v1/${this.collection.resource}`;
  }

  private call(verb: "list" | "watch"): ApiCall {
    return { verb, resource: this.collection.resource, namespace: null, allNamespaces: true, group: "" };
  }

  /** Lists the collection and opens its watch; a failure of either comes back as is, not retried. */
  async start(): Promise<Result<void>> {
    const listed = await this.list();
    if (!listed.ok) return listed;
    const opening = await this.open(false);
    if (opening.opened) return ok(undefined);
    return { ok: false, error: apiError(this.call("watch"), asApiFailure(opening.cause)) };
  }

  /** Closes the stream and cancels any retry: nothing is handed over after this. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.controller?.abort();
    this.controller = null;
  }

  private async list(): Promise<Result<void>> {
    try {
      const { items, resourceVersion } = await listAll(
        this.config,
        this.path,
        this.collection.fieldSelector,
        this.options.pageSize,
      );
      if (!this.stopped) {
        this.resourceVersion = resourceVersion;
        this.collection.listed(items);
      }
      return ok(undefined);
    } catch (cause) {
      return { ok: false, error: apiError(this.call("list"), cause) };
    }
  }

  private async open(resuming: boolean): Promise<Opening> {
    const session: Session = { refusal: null, delivered: false, resuming, deadline: null, open: false };
    // The Watch reports a refused request through `done` before it returns.
    const early: { ended: boolean; cause: unknown } = { ended: false, cause: null };
    let controller: AbortController;
    try {
      controller = await this.watch.watch(
        this.path,
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.timeoutSeconds,
          fieldSelector: this.collection.fieldSelector ?? undefined,
        },
        (type, object) => this.receive(session, type, object),
        (cause) => {
          if (session.open) this.ended(session, cause);
          else {
            early.ended = true;
            early.cause = cause;
          }
        },
      );
    } catch (cause) {
      return { opened: false, cause };
    }
    if (early.ended && early.cause) return { opened: false, cause: early.cause };
    if (this.stopped) {
      controller.abort();
      return { opened: true };
    }
    session.open = true;
    this.controller = controller;
    session.deadline = setTimeout(
      () => controller.abort(),
      this.options.timeoutSeconds * 1000 + SILENCE_GRACE_MS,
    );
    session.deadline.unref();
    if (early.ended) this.ended(session, null);
    return { opened: true };
  }

  private receive(session: Session, type: string, object: unknown): void {
    if (this.stopped || session.refusal !== null) return;
    if (type === "ERROR") {
      const status = object as { code?: unknown; reason?: unknown; message?: unknown } | null;
      session.refusal = `${String(status?.code)} ${String(status?.reason)}: ${String(status?.message)}`;
      return;
    }
    session.delivered = true;
    this.failures = 0;
    if (session.resuming) {
      session.resuming = false;
      this.options.stats.reconnected(this.collection.resource);
    }
    const version = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata
      ?.resourceVersion;
    if (typeof version === "string" && version !== "") this.resourceVersion = version;
    if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") this.collection.changed(type, object);
  }

  private ended(session: Session, cause: unknown): void {
    if (session.deadline) clearTimeout(session.deadline);
    if (this.stopped) return;
    this.controller = null;
    if (!session.delivered) this.failures += 1;
    const stream = this.collection.resource;
    if (session.refusal !== null) {
      this.options.log("warn", "the watch cannot be resumed: listing again", {
        stream,
        status: session.refusal,
      });
      this.later(() => this.relist());
      return;
    }
    // A resume that delivered nothing before ending quietly still resumed.
    if (session.resuming) this.options.stats.reconnected(stream);
    if (cause)
      this.options.log("info", "the watch broke: resuming", { stream, error: describeFailure(cause) });
    this.later(() => this.resume());
  }

  private async resume(): Promise<void> {
    const opening = await this.open(true);
    if (this.stopped || opening.opened) return;
    if (isGone(opening.cause)) {
      this.options.log("warn", "the watch cannot be resumed: listing again", {
        stream: this.collection.resource,
        status: "410 Gone",
      });
      await this.relist();
      return;
    }
    this.failed("resuming the watch failed", opening.cause, () => this.resume());
  }

  private async relist(): Promise<void> {
    const listed = await this.list();
    if (this.stopped) return;
    if (!listed.ok) {
      this.failed("listing again failed", listed.error.message, () => this.relist());
      return;
    }
    this.options.stats.relisted(this.collection.resource);
    const opening = await this.open(false);
    if (this.stopped || opening.opened) return;
    this.failed("watching after the list failed", opening.cause, () =>
      isGone(opening.cause) ? this.relist() : this.resume(),
    );
  }

  private failed(what: string, cause: unknown, next: () => Promise<void>): void {
    this.failures += 1;
    this.options.log("warn", what, {
      stream: this.collection.resource,
      error: typeof cause === "string" ? cause : describeFailure(cause),
      retryInMs: this.delay(),
    });
    this.later(next);
  }

  private delay(): number {
    const { first, max } = this.options.backoffMs;
    return this.failures === 0 ? 0 : Math.min(first * 2 ** (this.failures - 1), max);
  }

  private later(next: () => Promise<void>): void {
    this.retry = setTimeout(() => {
      this.retry = null;
      next().catch((error: unknown) => this.failed("the watch failed", error, () => this.relist()));
    }, this.delay());
  }
}
