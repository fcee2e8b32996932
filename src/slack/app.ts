// The Bolt app, over HTTP (signed requests to /slack/events, verified by Bolt, stale ones refused) or
// over Socket Mode when an app-level token is set (no public URL needed).

import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { WebClientOptions } from "@slack/web-api";
import type { ServiceSettings } from "../config/service.js";
import { boltLogger, type Log } from "../ops/log.js";

/**
 * How every Web API call of the bot behaves: given up after `timeoutSeconds`, tried three times within
 * a few seconds (a 429 is waited out, Retry-After, within those tries). Slack's default, ten tries over
 * half an hour, would hold a job or a click that long; a job that still fails is retried by BullMQ,
 * with its own backoff, and a click is answered.
 */
export function webClientOptions(
  settings: ServiceSettings["slack"],
  log: Log,
  timeoutSeconds: number,
): WebClientOptions {
  return {
    slackApiUrl: settings.apiUrl,
    logger: boltLogger(log, "slack-web-api"),
    timeout: timeoutSeconds * 1000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
  };
}

export interface SlackApp {
  app: App;
  /** The request listener for /slack/events in HTTP mode; null in Socket Mode. */
  httpListener: HTTPReceiver["requestListener"] | null;
}

export function createSlackApp(
  settings: ServiceSettings["slack"],
  log: Log,
  timeoutSeconds: number,
): SlackApp {
  const logger = boltLogger(log);
  const common = {
    token: settings.botToken,
    clientOptions: { ...webClientOptions(settings, log, timeoutSeconds), logger },
    logger,
    logLevel: LogLevel.WARN,
    // Bolt's conversation store is unused here, and its middleware runs on every request.
    convoStore: false as const,
    // The error handler gets the request too, to answer it (click-guards.ts).
    extendedErrorHandler: true,
  };
  if (settings.appToken !== null) {
    // The socket's own Web API client (apps.connections.open) must use the same base URL as the rest.
    const receiver = new SocketModeReceiver({
      appToken: settings.appToken,
      logger,
      logLevel: LogLevel.WARN,
      installerOptions: { clientOptions: webClientOptions(settings, log, timeoutSeconds) },
    });
    return { app: new App({ ...common, receiver }), httpListener: null };
  }
  const receiver = new HTTPReceiver({
    signingSecret: settings.signingSecret ?? "",
    endpoints: "/slack/events",
    logger,
    logLevel: LogLevel.WARN,
  });
  return { app: new App({ ...common, receiver }), httpListener: receiver.requestListener };
}
