// The Bolt app, over HTTP (signed requests to /slack/events, verified by Bolt, stale ones refused) or
// over Socket Mode when an app-level token is set (no public URL needed).

import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import type { ServiceSettings } from "../config/service.js";

export interface SlackApp {
  app: App;
  /** The request listener for /slack/events in HTTP mode; null in Socket Mode. */
  httpListener: HTTPReceiver["requestListener"] | null;
}

export function createSlackApp(settings: ServiceSettings["slack"]): SlackApp {
  const common = {
    token: settings.botToken,
    clientOptions: { slackApiUrl: settings.apiUrl },
    logLevel: LogLevel.WARN,
  };
  if (settings.appToken !== null) {
    return { app: new App({ ...common, appToken: settings.appToken, socketMode: true }), httpListener: null };
  }
  const receiver = new HTTPReceiver({
    signingSecret: settings.signingSecret ?? "",
    endpoints: "/slack/events",
    logLevel: LogLevel.WARN,
  });
  return { app: new App({ ...common, receiver }), httpListener: receiver.requestListener };
}
