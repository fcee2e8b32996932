// The shipped Slack app manifest and RBAC say what the code needs, and no more.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "../harness/fixtures.js";

type Json = Record<string, unknown>;

describe("deploy/slack/manifest.yaml", () => {
  const manifest = parse(readFileSync(join(ROOT, "deploy", "slack", "manifest.yaml"), "utf8")) as Json;

  it("when read, then it declares /oom, interactivity, and exactly the scopes the bot uses", () => {
    const features = manifest.features as { slash_commands: Array<{ command: string; url: string }> };
    assert.deepEqual(
      features.slash_commands.map((command) => command.command),
      ["/oom"],
    );
    assert.match(features.slash_commands[0]?.url ?? "", /\/slack\/events$/);
    const settings = manifest.settings as { interactivity: { is_enabled: boolean; request_url: string } };
    assert.equal(settings.interactivity.is_enabled, true);
    assert.match(settings.interactivity.request_url, /\/slack\/events$/);
    const scopes = (manifest.oauth_config as { scopes: { bot: string[] } }).scopes.bot;
    assert.deepEqual([...scopes].sort(), [
      "chat:write",
      "commands",
      "files:write",
      "usergroups:read",
      "users:read",
    ]);
  });
});

describe("deploy/rbac/proposals.yaml", () => {
  const documents = parseAllDocuments(
    readFileSync(join(ROOT, "deploy", "rbac", "proposals.yaml"), "utf8"),
  ).map((document) => document.toJS() as Json);

  it("when read, then it is a namespaced Role with get and patch on the three workload kinds, bound to oom-doctor", () => {
    const role = documents.find((document) => document.kind === "Role");
    assert.ok(role, "a Role, not a ClusterRole");
    assert.deepEqual(role.rules, [
      {
        apiGroups: ["apps"],
        resources: ["deployments", "statefulsets", "daemonsets"],
        verbs: ["get", "patch"],
      },
    ]);
    const binding = documents.find((document) => document.kind === "RoleBinding") as Json;
    assert.equal((binding.roleRef as Json).name, (role.metadata as Json).name);
    assert.equal((binding.metadata as Json).namespace, (role.metadata as Json).namespace);
    assert.ok(
      !documents.some(
        (document) => document.kind === "ClusterRole" || document.kind === "ClusterRoleBinding",
      ),
    );
  });
});
