import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../harness/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "oom-doctor-scan-args-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("oom-doctor scan, before it touches anything", () => {
  const noHosts = join(scratch, "no-known-hosts.yaml");
  writeFileSync(noHosts, `ssh:\n  knownHostsPath: ${join(scratch, "missing_known_hosts")}\n`);
  const noUser = join(scratch, "no-user.yaml");
  writeFileSync(join(scratch, "known_hosts"), "");
  writeFileSync(noUser, `ssh:\n  knownHostsPath: ${join(scratch, "known_hosts")}\n`);
  const kubeconfig = join(scratch, "kubeconfig");
  writeFileSync(
    kubeconfig,
    "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
  );

  const cases: Array<[string, string[], RegExp]> = [
    ["no namespace", ["scan"], /give the namespace to scan/],
    ["an invalid namespace", ["scan", "Prod_1"], /namespace Prod_1: not a valid namespace name/],
    [
      "an injection attempt as the pod",
      ["scan", "prod", "--pod", "x; rm -rf /"],
      /--pod x; rm -rf \/: not a valid pod name/,
    ],
    [
      "an unknown format",
      ["scan", "prod", "--format", "yaml"],
      /--format yaml: expected one of text, markdown, json/,
    ],
    [
      "a missing configuration file",
      ["scan", "prod", "--config", join(scratch, "nope.yaml")],
      /OOM_DOCTOR_CONFIG: .*nope\.yaml: no such file/,
    ],
    [
      "an unknown kubeconfig context",
      ["scan", "prod", "--config", noHosts, "--kubeconfig", kubeconfig, "--context", "other"],
      /context "other" is not in the kubeconfig/,
    ],
    [
      "a missing known_hosts",
      ["scan", "prod", "--config", noHosts, "--kubeconfig", kubeconfig],
      /ssh\.knownHostsPath: .*missing_known_hosts: no such file/,
    ],
    [
      "no node user (there is no default: never root)",
      ["scan", "prod", "--config", noUser, "--kubeconfig", kubeconfig],
      /ssh\.user: not set: the user oom-doctor logs in as on the nodes/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`when given ${what}, then it exits 2 and says what is wrong`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }
});

describe("oom-doctor config", () => {
  it("when the configuration is valid, then it is shown with the passphrase redacted", async () => {
    const file = join(scratch, "show.yaml");
    writeFileSync(file, "ssh:\n  user: core\n  passphrase: hunter2\n");
    const run = await runCli(["config", "--config", file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /user: core/);
    assert.match(run.stdout, /passphrase: "\[redacted\]"/);
    assert.doesNotMatch(run.stdout, /hunter2/);
  });

  it("when the configuration is invalid, then it exits 2 naming the key", async () => {
    const file = join(scratch, "invalid.yaml");
    writeFileSync(file, "window:\n  beforeSeconds: -5\n");
    const run = await runCli(["config", "--config", file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /window\.beforeSeconds: expected a whole number from 0 to 86400, got -5/);
  });
});
