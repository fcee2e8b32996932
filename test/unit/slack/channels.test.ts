import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../../../src/config/load.js";
import {
  channelMapWarnings,
  channelNamespaces,
  namespaceAllowed,
  scopeAllowed,
} from "../../../src/slack/channels.js";
import { ROOT } from "../../harness/fixtures.js";

describe("which namespaces a channel may investigate", () => {
  const channels = { C0PROD: ["production"], C0ALL: ["*"], "*": ["staging"] };

  it("when the channel is listed, then only its namespaces are allowed", () => {
    assert.equal(namespaceAllowed(channels, "C0PROD", "production").allowed, true);
    assert.deepEqual(namespaceAllowed(channels, "C0PROD", "staging"), {
      allowed: false,
      list: ["production"],
    });
  });

  it("when the channel lists *, then any namespace is allowed", () => {
    assert.equal(namespaceAllowed(channels, "C0ALL", "kube-system").allowed, true);
  });

  it("when the channel is not listed, then the * entry applies", () => {
    assert.equal(namespaceAllowed(channels, "C0OTHER", "staging").allowed, true);
    assert.equal(namespaceAllowed(channels, "C0OTHER", "production").allowed, false);
  });

  it("when the channel is not listed and there is no * entry, then it is refused everything", () => {
    const listed = { C0PROD: ["production"] };
    assert.equal(channelNamespaces(listed, "C0OTHER"), null);
    assert.deepEqual(namespaceAllowed(listed, "C0OTHER", "production"), { allowed: false, list: [] });
    assert.equal(channelNamespaces({}, "C0OTHER"), null);
    assert.equal(namespaceAllowed({}, "C0OTHER", "production").allowed, false);
  });
});

describe("which digest scopes a channel may read", () => {
  const channels = { C0PROD: ["production"], C0ALL: ["*"] };

  it("when the scope is all, then only a channel that may see any namespace may read it", () => {
    assert.equal(scopeAllowed(channels, "C0ALL", "all"), true);
    assert.equal(scopeAllowed(channels, "C0PROD", "all"), false);
    assert.equal(scopeAllowed(channels, "C0OTHER", "all"), false);
  });

  it("when the scope is a namespace, then the channel's list decides", () => {
    assert.equal(scopeAllowed(channels, "C0PROD", "production"), true);
    assert.equal(scopeAllowed(channels, "C0PROD", "staging"), false);
  });
});

describe("start-up warnings about the map", () => {
  it("when the map is empty, then start-up warns that every channel is refused", () => {
    const [warning, ...rest] = channelMapWarnings({});
    assert.match(warning ?? "", /slack\.channels is empty: every channel is refused/);
    assert.deepEqual(rest, []);
  });

  it("when the map lists a channel, then there is nothing to warn about", () => {
    assert.deepEqual(channelMapWarnings({ C0PROD: ["production"] }), []);
  });
});

describe("the shipped configuration", () => {
  for (const file of ["config.example.yaml", "deploy/base/oom-doctor.yaml"]) {
    it(`when ${file} is used as it comes, then no channel may ask about anything`, async () => {
      const config = await loadConfig({}, join(ROOT, file));
      assert.ok(config.ok, config.ok ? "" : config.error.message);
      const { channels } = config.value.slack;
      assert.equal(channelNamespaces(channels, "C0ANY"), null);
      assert.equal(scopeAllowed(channels, "C0ANY", "all"), false);
      assert.equal(channelMapWarnings(channels).length, 1);
    });
  }
});
