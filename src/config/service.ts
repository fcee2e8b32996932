// The bot's connection settings: tokens, Redis and the HTTP port. They come only from the environment
// (or files it names, for mounted Secrets), never from the YAML file, and are never printed.

import { readFileSync } from "node:fs";
import { fail, ok, type Result } from "../errors.js";

export type Role = "serve" | "worker" | "all";

export interface ServiceSettings {
  role: Role;
  slack: {
    botToken: string;
    /** Needed to verify HTTP requests; Socket Mode does without. */
    signingSecret: string | null;
    /** Socket Mode when set: no public URL needed. */
    appToken: string | null;
    /** The Web API base URL, ending in a slash. */
    apiUrl: string;
  };
  redis: RedisSettings;
  port: number;
}

/** How to reach Redis: every connection the bot opens (queues, workers, stores) uses these. */
export interface RedisSettings {
  /** redis:// or rediss:// (TLS); may carry the user and password itself. */
  url: string;
  /** An ACL user (Redis 6 and later); null for the default user. */
  username: string | null;
  password: string | null;
  /** PEM certificates to trust for rediss://, instead of the system's. */
  ca: string | null;
}

type Env = Record<string, string | undefined>;

const SLACK_API_URL = "https://slack.com/api/";

/** A variable's value, or the content of the file named by NAME_FILE (a mounted Secret). */
function secret(env: Env, name: string, problems: string[]): string | null {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== "" && file !== undefined && file !== "") {
    problems.push(`${name} and ${name}_FILE are both set: keep one`);
    return null;
  }
  if (file !== undefined && file !== "") {
    try {
      return readFileSync(file, "utf8").trim();
    } catch (error) {
      problems.push(
        `${name}_FILE: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
      return null;
    }
  }
  return direct === undefined || direct === "" ? null : direct.trim();
}

/** REDIS_URL with REDIS_USERNAME, REDIS_PASSWORD (or _FILE) and REDIS_CA_FILE, checked together. */
function redisSettings(env: Env, problems: string[]): RedisSettings {
  const url = urlVariable(env, "REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"], problems);
  const inUrl = URL.canParse(url) ? new URL(url) : null;
  const password = secret(env, "REDIS_PASSWORD", problems);
  const username = env.REDIS_USERNAME === undefined || env.REDIS_USERNAME === "" ? null : env.REDIS_USERNAME;
  if (password !== null && inUrl?.password)
    problems.push("REDIS_PASSWORD: REDIS_URL carries a password too: keep one");
  if (username !== null && inUrl?.username)
    problems.push("REDIS_USERNAME: REDIS_URL carries a user name too: keep one");
  if (username !== null && password === null && !inUrl?.password)
    problems.push("REDIS_USERNAME: set, but no password (REDIS_PASSWORD or REDIS_PASSWORD_FILE)");
  const caFile = env.REDIS_CA_FILE;
  let ca: string | null = null;
  if (caFile !== undefined && caFile !== "") {
    if (inUrl?.protocol !== "rediss:")
      problems.push("REDIS_CA_FILE: only used with TLS; REDIS_URL must start with rediss://");
    try {
      ca = readFileSync(caFile, "utf8");
      if (!ca.includes("-----BEGIN CERTIFICATE-----"))
        problems.push(`REDIS_CA_FILE: ${caFile} holds no PEM certificate`);
    } catch (error) {
      problems.push(
        `REDIS_CA_FILE: ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
  }
  return { url, username, password, ca };
}

function urlVariable(
  env: Env,
  name: string,
  fallback: string,
  schemes: string[],
  problems: string[],
): string {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  try {
    const parsed = new URL(value);
    if (schemes.includes(parsed.protocol)) return value;
  } catch {
    // reported below
  }
  problems.push(`${name}: expected a ${schemes.join(" or ")}// URL, got ${JSON.stringify(value)}`);
  return fallback;
}

/** Reads and checks the settings a bot process needs; every problem names its variable. */
export function readServiceSettings(env: Env, role: Role): Result<ServiceSettings> {
  const problems: string[] = [];
  const botToken = secret(env, "SLACK_BOT_TOKEN", problems);
  const signingSecret = secret(env, "SLACK_SIGNING_SECRET", problems);
  const appToken = secret(env, "SLACK_APP_TOKEN", problems);
  if (botToken === null) problems.push("SLACK_BOT_TOKEN: not set (the app's Bot User OAuth Token, xoxb-...)");
  else if (!botToken.startsWith("xoxb-"))
    problems.push("SLACK_BOT_TOKEN: expected a bot token starting with xoxb- (not a user or app token)");
  if (appToken !== null && !appToken.startsWith("xapp-"))
    problems.push("SLACK_APP_TOKEN: expected an app-level token starting with xapp- (for Socket Mode)");
  if (role !== "worker" && appToken === null && signingSecret === null)
    problems.push(
      "SLACK_SIGNING_SECRET: not set (Basic Information > Signing Secret); or set SLACK_APP_TOKEN for Socket Mode",
    );
  const apiUrl = urlVariable(env, "SLACK_API_URL", SLACK_API_URL, ["https:", "http:"], problems);
  const redis = redisSettings(env, problems);
  const portText = env.PORT ?? "3000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    problems.push(
      `PORT: expected a port number from 0 (any free port) to 65535, got ${JSON.stringify(portText)}`,
    );
  if (problems.length > 0 || botToken === null) {
    return fail("config-invalid", problems.join("\n  "), "see README.md, section Install in Slack");
  }
  return ok({
    role,
    slack: {
      botToken,
      signingSecret,
      appToken,
      apiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    },
    redis,
    port,
  });
}
