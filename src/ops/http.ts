// The operations endpoints every bot process serves: /healthz (the process answers), /readyz (Redis
// answers) and /metrics (Prometheus). /slack/events goes to `next` (Bolt's receiver in HTTP mode).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";

export interface OpsDeps {
  metrics: Metrics;
  /** Whether the process can do its work now (Redis reachable, not shutting down). */
  ready: () => Promise<boolean>;
}

const SLACK_EVENTS = "/slack/events";

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

function send(response: ServerResponse, code: number, type: string, body: string): void {
  response.writeHead(code, { "content-type": type, "cache-control": "no-store" });
  response.end(body);
}

export function opsServer(deps: OpsDeps, next: Listener | null): Server {
  return createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/healthz") {
      send(response, 200, "text/plain", "ok\n");
      return;
    }
    if (request.method === "GET" && path === "/readyz") {
      deps.ready().then(
        (ready) =>
          send(
            response,
            ready ? 200 : 503,
            "text/plain",
            ready ? "ready\n" : "not ready: Redis unreachable\n",
          ),
        () => send(response, 503, "text/plain", "not ready\n"),
      );
      return;
    }
    if (request.method === "GET" && path === "/metrics") {
      deps.metrics.registry.metrics().then(
        (text) => send(response, 200, deps.metrics.registry.contentType, text),
        (error: Error) => send(response, 500, "text/plain", `${error.message}\n`),
      );
      return;
    }
    // Only Slack's endpoint goes to Bolt: it leaves other paths unanswered.
    if (next && path === SLACK_EVENTS) next(request, response);
    else send(response, 404, "text/plain", "not found\n");
  });
}
