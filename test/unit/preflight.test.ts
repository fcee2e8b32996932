// `npm test` on a machine that lacks what the end-to-end tests need stops at once and says what to do.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "../harness/fixtures.js";

const bare = mkdtempSync(join(tmpdir(), "oom-doctor-bare-"));
after(() => rmSync(bare, { recursive: true, force: true }));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}

describe("test preflight", () => {
  it("when sshd, journal tools, Prometheus, Redis and kubectl are all missing, then one message names each and how to install", async () => {
    const run = spawnSync(process.execPath, [join(ROOT, "test", "preflight.mjs")], {
      encoding: "utf8",
      env: { PATH: bare, PREFLIGHT_ROOT: bare, PREFLIGHT_REDIS_PORT: String(await closedPort()) },
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    for (const what of [
      /sshd/,
      /systemd-journal-remote/,
      /journalctl/,
      /prometheus and promtool/,
      /Redis on 127\.0\.0\.1/,
      /kubectl 1\.27/,
    ])
      assert.match(run.stderr, what);
    assert.match(
      run.stderr,
      /apt-get install -y openssh-server systemd-journal-remote systemd sudo openssl prometheus redis-server/,
    );
    assert.match(run.stderr, /redis-server --daemonize yes/);
    assert.match(run.stderr, /npm run test:unit/);
  });
});
