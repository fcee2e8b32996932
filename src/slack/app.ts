// The Bolt app, over HTTP (signed requests to /slack/events, verified by Bolt, stale ones refused) or
// over Socket Mode when an app-level token is set (no public URL needed).

import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { ServiceSettings } from "../config/service.js";
import { boltLogger, type Log } from "../ops/log.js";

export interface SlackApp {
  app: App;
  /** The request listener for /slack/events in HTTP mode; null in Socket Mode. */
  httpListener: HTTPReceiver["requestListener"] | null;
}

export function createSlackApp(settings: ServiceSettings["slack"], log: Log): SlackApp {
  const logger = boltLogger(log);
  const common = {
    token: settings.botToken,
    clientOptions: { slackApiUrl: settings.apiUrl, logger },
    logger,
    logLevel: LogLevel.WARN,
    // Bolt's conversation store is unused here, and its middleware runs on every request.
    convoStore: false as const,
  };
  if (settings.appToken !== null) {
    // The socket's own Web API client (apps.connections.open) must use the same base URL as the rest.
    const receiver = new SocketModeReceiver({
      appToken: settings.appToken,
      logger,
      logLevel: LogLevel.WARN,
      installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } },
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
