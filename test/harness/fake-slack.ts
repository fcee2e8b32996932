// A Slack Web API on loopback HTTP that answers like Slack (`ok`, `ts`, `channel`, errors as
// `ok: false`), records every call, keeps the messages it was sent, takes file uploads, collects what
// is posted to response URLs, and answers 429 with Retry-After when told to. The real @slack/web-api
// client (inside Bolt and the worker) talks to it through SLACK_API_URL.

import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { untilEvent } from "./until.js";

type Json = Record<string, unknown>;

export interface SlackCall {
  method: string;
  args: Json;
  /** The HTTP status the fake answered with. */
  status: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: Json[];
  /** How many times chat.update changed it. */
  updates: number;
}

type ActionElement = { type: string; action_id: string; value: string; text: { text: string } };

/** The buttons of a message's actions blocks: what a user could click. */
export function buttons(message: {
  blocks: Json[];
}): Array<{ action_id: string; value: string; label: string }> {
  return message.blocks
    .filter((block) => block.type === "actions")
    .flatMap((block) => block.elements as ActionElement[])
    .filter((element) => element.type === "button")
    .map((element) => ({ action_id: element.action_id, value: element.value, label: element.text.text }));
}

/** The options of a message's menus (static_select): what a user could pick, by action id. */
export function menuOptions(message: {
  blocks: Json[];
}): Array<{ action_id: string; value: string; label: string }> {
  return message.blocks
    .filter((block) => block.type === "actions")
    .flatMap(
      (block) =>
        block.elements as Array<{
          type: string;
          action_id: string;
          options?: Array<{ value: string; text: { text: string } }>;
        }>,
    )
    .filter((element) => element.type === "static_select")
    .flatMap((element) =>
      (element.options ?? []).map((option) => ({
        action_id: element.action_id,
        value: option.value,
        label: option.text.text,
      })),
    );
}

export interface StoredFile {
  id: string;
  channel: string | null;
  threadTs: string | null;
  /** The name given when the upload was asked for. */
  filename: string | null;
  title: string | null;
  content: string;
  bytes: Buffer;
}

export const BOT_TOKEN = "xoxb-test-token";
export const APP_TOKEN = "xapp-test-token";

function parseFields(fields: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && /^[[{]/.test(value)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // plain text that happens to start with a bracket
      }
    }
    out[key] = value;
  }
  return out;
}

/** The uploaded file: the body itself, or the first part of a multipart/form-data body. */
function fileBytes(raw: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith("multipart/form-data") || !boundary) return raw;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(delimiter);
  const headersEnd = raw.indexOf("\r\n\r\n", start);
  const end = raw.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd);
  return start < 0 || headersEnd < 0 || end < 0 ? raw : raw.subarray(headersEnd + 4, end);
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly files: StoredFile[] = [];
  /** Views opened with views.open (modals). */
  readonly views: Json[] = [];
  /** User-group id -> member user ids, for usergroups.users.list. */
  readonly userGroups = new Map<string, string[]>();
  /** Bodies posted to response URLs (ephemeral answers, replaced messages). */
  readonly responses: Json[] = [];
  private readonly events = new EventEmitter();
  private readonly rateLimits = new Map<string, { times: number; retryAfter: number }>();
  private readonly refusals = new Map<string, { times: number; error: string }>();
  private periodic: { n: number; retryAfter: number; seen: number } | null = null;
  private readonly uploads = new Map<string, Buffer>();
  private readonly uploadNames = new Map<string, string>();
  /** User id -> IANA time zone, for users.info. */
  readonly userZones = new Map<string, string>();
  private readonly holds: Array<{ method: string; match: (args: Json) => boolean; arrive: () => void }> = [];
  private server: Server | null = null;
  private sockets: WebSocketServer | null = null;
  private readonly socketAcks = new Map<string, (payload: Json) => void>();
  private port = 0;
  private clock = 1_700_000_000;
  private counter = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        response.writeHead(500);
        response.end(error.message);
      });
    });
    // Socket Mode: apps.connections.open hands out ws://.../socket; the bot connects, gets "hello",
    // and answers every envelope it is sent with an acknowledgement carrying the envelope id.
    this.sockets = new WebSocketServer({ server: this.server, path: "/socket" });
    this.sockets.on("connection", (socket: WebSocket) => {
      socket.on("message", (data: Buffer) => {
        const message = JSON.parse(data.toString("utf8")) as { envelope_id?: string; payload?: Json };
        const acked = message.envelope_id ? this.socketAcks.get(message.envelope_id) : undefined;
        if (acked) acked(message.payload ?? {});
      });
      socket.send(
        JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0OOM" } }),
      );
      this.record("socket connected", {}, 101);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Sends a slash command over Socket Mode; resolves with the bot's acknowledgement payload. */
  async socketCommand(form: Record<string, string>): Promise<Json> {
    const socket = [...(this.sockets?.clients ?? [])][0];
    if (!socket) throw new Error("no Socket Mode connection");
    const envelopeId = `env-${++this.counter}`;
    const acked = new Promise<Json>((resolve) => this.socketAcks.set(envelopeId, resolve));
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: "slash_commands",
        accepts_response_payload: true,
        payload: form,
      }),
    );
    return acked;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets?.clients ?? []) socket.terminate();
    this.sockets?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response URL for one command or interaction. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/respond/${id}`;
  }

  /** Every `n`th chat.* call is answered 429 with Retry-After, until turned off with n = 0. */
  rateLimitEvery(n: number, retryAfterSeconds: number): void {
    this.periodic = n > 0 ? { n, retryAfter: retryAfterSeconds, seen: 0 } : null;
  }

  /** The next `times` calls of `method` are answered 429 with Retry-After. */
  rateLimit(method: string, times: number, retryAfterSeconds: number): void {
    this.rateLimits.set(method, { times, retryAfter: retryAfterSeconds });
  }

  /** The next `times` calls of `method` are refused as Slack refuses one: `ok: false` with `error`. */
  refuse(method: string, error: string, times = 1): void {
    this.refusals.set(method, { times, error });
  }

  /**
   * Never answers calls of `method` whose arguments match: the caller hangs there, as if Slack were
   * slow, until the test kills it. `arrived` resolves at the first such call.
   */
  hold(method: string, match: (args: Json) => boolean): { arrived: Promise<void> } {
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    this.holds.push({ method, match, arrive });
    return { arrived };
  }

  unhold(): void {
    this.holds.length = 0;
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  rootMessages(channel: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === null);
  }

  replies(channel: string, threadTs: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === threadTs);
  }

  /** Resolves once `check` holds, re-checked after every call the fake receives. */
  until<T>(check: () => T | null | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const calls = () => this.calls.map((call) => call.method).join(", ");
    return untilEvent(this.events, "call", check, () => `${what}; calls: ${calls()}`, timeoutMs);
  }

  private nextTs(): string {
    this.counter += 1;
    return `${this.clock + this.counter}.${String(this.counter).padStart(6, "0")}`;
  }

  private record(method: string, args: Json, status: number): void {
    this.calls.push({ method, args, status });
    this.events.emit("call");
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const raw = await body(request);
    const send = (status: number, payload: Json, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(payload));
    };
    if (url.pathname.startsWith("/respond/")) {
      this.responses.push(JSON.parse(raw.toString("utf8") || "{}") as Json);
      this.record("response_url", this.responses.at(-1) ?? {}, 200);
      send(200, { ok: true });
      return;
    }
    if (url.pathname.startsWith("/upload/")) {
      this.uploads.set(
        url.pathname.slice("/upload/".length),
        fileBytes(raw, request.headers["content-type"] ?? ""),
      );
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("OK - 1");
      return;
    }
    const method = url.pathname.replace(/^\/api\//, "");
    const type = request.headers["content-type"] ?? "";
    const args = parseFields(
      type.includes("application/json")
        ? (JSON.parse(raw.toString("utf8") || "{}") as Json)
        : Object.fromEntries(new URLSearchParams(raw.toString("utf8"))),
    );
    const held = this.holds.find((hold) => hold.method === method && hold.match(args));
    if (held) {
      this.record(`${method} (held)`, args, 0);
      held.arrive();
      return;
    }
    if (this.periodic && method.startsWith("chat.") && ++this.periodic.seen % this.periodic.n === 0) {
      this.record(method, args, 429);
      send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(this.periodic.retryAfter) });
      return;
    }
    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      this.record(method, args, 429);
      send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limit.retryAfter) });
      return;
    }
    const token = (request.headers.authorization ?? "").replace(/^Bearer /, "") || String(args.token ?? "");
    if (method === "apps.connections.open") {
      this.record(method, args, 200);
      send(
        200,
        token === APP_TOKEN
          ? { ok: true, url: `ws://127.0.0.1:${this.port}/socket` }
          : { ok: false, error: "invalid_auth" },
      );
      return;
    }
    if (token !== BOT_TOKEN) {
      this.record(method, args, 200);
      send(200, { ok: false, error: "invalid_auth" });
      return;
    }
    const refusal = this.refusals.get(method);
    if (refusal && refusal.times > 0) {
      refusal.times -= 1;
      this.record(method, args, 200);
      send(200, { ok: false, error: refusal.error });
      return;
    }
    const answer = this.answer(method, args);
    this.record(method, args, 200);
    send(200, answer);
  }

  private answer(method: string, args: Json): Json {
    const channel = String(args.channel ?? args.channel_id ?? "");
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: "oom-doctor",
          team_id: "T0001",
          user_id: "U0BOT",
          bot_id: "B0BOT",
        };
      case "chat.postMessage": {
        const ts = this.nextTs();
        const message: StoredMessage = {
          channel,
          ts,
          threadTs: typeof args.thread_ts === "string" ? args.thread_ts : null,
          text: String(args.text ?? ""),
          blocks: (args.blocks ?? []) as Json[],
          updates: 0,
        };
        this.messages.push(message);
        return { ok: true, channel, ts, message: { text: message.text, ts } };
      }
      case "chat.update": {
        const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return { ok: false, error: "message_not_found" };
        message.text = String(args.text ?? "");
        message.blocks = (args.blocks ?? []) as Json[];
        message.updates += 1;
        return { ok: true, channel, ts: message.ts, text: message.text };
      }
      case "chat.delete": {
        const index = this.messages.findIndex((m) => m.channel === channel && m.ts === args.ts);
        if (index < 0) return { ok: false, error: "message_not_found" };
        this.messages.splice(index, 1);
        return { ok: true, channel, ts: args.ts };
      }
      case "chat.getPermalink":
        return {
          ok: true,
          channel,
          permalink: `https://fake.slack.com/archives/${channel}/p${String(args.message_ts).replace(".", "")}`,
        };
      case "users.info": {
        const user = String(args.user ?? "");
        return { ok: true, user: { id: user, tz: this.userZones.get(user) ?? "UTC" } };
      }
      case "views.open": {
        if (typeof args.trigger_id !== "string" || args.trigger_id === "")
          return { ok: false, error: "invalid_trigger_id" };
        this.views.push(args.view as Json);
        return { ok: true, view: { id: `V${this.views.length}`, ...(args.view as Json) } };
      }
      case "usergroups.users.list": {
        const users = this.userGroups.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: "no_such_subteam" };
      }
      case "files.getUploadURLExternal": {
        const id = `F${String(++this.counter).padStart(6, "0")}`;
        if (typeof args.filename === "string") this.uploadNames.set(id, args.filename);
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const files = (args.files ?? []) as Array<{ id: string; title?: string }>;
        for (const file of files) {
          this.files.push({
            id: file.id,
            channel: channel || null,
            threadTs: typeof args.thread_ts === "string" ? args.thread_ts : null,
            filename: this.uploadNames.get(file.id) ?? null,
            title: file.title ?? null,
            content: (this.uploads.get(file.id) ?? Buffer.alloc(0)).toString("utf8"),
            bytes: this.uploads.get(file.id) ?? Buffer.alloc(0),
          });
        }
        return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title ?? "" })) };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}
