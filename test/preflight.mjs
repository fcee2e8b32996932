// `npm test` runs this first: the end-to-end tests need real OpenSSH, journal tools, Redis, Prometheus
// and kubectl on this machine. When one is missing, say so at once, with the one command that installs
// it, instead of failing deep inside a suite. `npm run test:unit` needs none of them.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

// The test of this script points it at an empty root and a closed port to play a bare machine.
const ROOT = process.env.PREFLIGHT_ROOT ?? "/";
const REDIS = { host: "127.0.0.1", port: Number(process.env.PREFLIGHT_REDIS_PORT ?? 6379) };

/** True when a file exists at one of the paths. */
const anyOf = (...paths) => paths.some((path) => existsSync(join(ROOT, path)));

function onPath(command) {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect(REDIS);
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const missing = [];
const packages = [];
if (!anyOf("/usr/sbin/sshd")) {
  missing.push("sshd (the tests start real OpenSSH servers, one per fake node)");
  packages.push("openssh-server");
}
if (!anyOf("/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")) {
  missing.push("systemd-journal-remote (it writes the fake nodes' real journal files)");
  packages.push("systemd-journal-remote");
}
if (!onPath("journalctl")) {
  missing.push("journalctl (the fake nodes read their journals with it)");
  packages.push("systemd");
}
if (!anyOf("/usr/bin/sudo")) {
  missing.push("sudo (the node-access tests check the documented sudoers lines with the real sudo)");
  packages.push("sudo");
}
if (!onPath("openssl")) {
  missing.push("openssl (the fake Kubernetes API serves TLS with a throwaway CA)");
  packages.push("openssl");
}
if (!anyOf("/usr/bin/prometheus") || !anyOf("/usr/bin/promtool")) {
  missing.push("prometheus and promtool (the memory history tests query a real Prometheus)");
  packages.push("prometheus");
}
const redisUp = await redisAnswers();
if (!redisUp) {
  missing.push(
    `Redis on ${REDIS.host}:${REDIS.port} (the bot's tests use a real one, under a key prefix of their own)`,
  );
  if (!onPath("redis-server")) packages.push("redis-server");
}
if (!onPath("kubectl"))
  missing.push("kubectl 1.27 or later (the deploy tests render deploy/overlays with it)");

if (missing.length > 0) {
  const steps = [];
  if (packages.length > 0) steps.push(`apt-get update && apt-get install -y ${packages.join(" ")}`);
  if (!redisUp)
    steps.push(
      `redis-server --daemonize yes --bind ${REDIS.host} --port ${REDIS.port} --save "" --appendonly no`,
    );
  if (!onPath("kubectl"))
    steps.push(
      "install kubectl 1.27+ (https://kubernetes.io/docs/tasks/tools/), e.g. from your distribution or a release binary",
    );
  process.stderr.write(
    [
      "npm test cannot run here yet; missing:",
      ...missing.map((what) => `  - ${what}`),
      "Install and start them with (as root):",
      ...steps.map((step) => `  ${step}`),
      "`bash .ci/run` does all of this and then runs the tests; `npm run test:unit` needs none of it.",
      "",
    ].join("\n"),
  );
  process.exit(1);
}
