import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { buildConfig, loadConfig, redactConfig } from "../../../src/config/load.js";

const dir = mkdtempSync(join(tmpdir(), "oom-doctor-prometheus-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problems(document: unknown): string {
  const result = buildConfig(document, {}, "bot.yaml");
  assert.equal(result.ok, false);
  return result.ok ? "" : result.error.message;
}

describe("prometheus and history configuration", () => {
  it("when nothing is set, then history is off and its figures have the documented defaults", () => {
    const result = buildConfig({}, {}, "test");
    assert.ok(result.ok);
    assert.equal(result.value.prometheus, null);
    assert.deepEqual(result.value.history, { days: 7, hoursBeforeKill: 6, stepSeconds: 60 });
  });

  it("when a URL is set, then the defaults fill the rest and a trailing slash is dropped", () => {
    const result = buildConfig(
      { prometheus: { url: "https://mimir.example/prometheus/" }, history: { days: 14 } },
      {},
      "bot.yaml",
    );
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.deepEqual(result.value.prometheus, {
      url: "https://mimir.example/prometheus",
      bearerTokenFile: null,
      bearerToken: null,
      basicAuth: null,
      caFile: null,
      ca: null,
      headers: {},
      timeoutSeconds: 10,
    });
    assert.deepEqual(result.value.history, { days: 14, hoursBeforeKill: 6, stepSeconds: 60 });
  });

  it("when keys are wrong, then each problem names its key", () => {
    const message = problems({
      prometheus: {
        url: "ftp://user:pw@prometheus?x=1",
        timeoutSeconds: 0,
        bearerTokenFile: "/t",
        basicAuth: { user: "me" },
        caFile: "",
        headers: { "X-Scope-OrgID": 7, Authorization: "Bearer x", "Bad Name": "v", "X-Line": "a\r\nb" },
        proxy: "http://proxy",
      },
      history: { days: 0, hoursBeforeKill: 200, stepSeconds: "1m", window: 3 },
    });
    for (const expected of [
      /bot\.yaml: prometheus\.timeoutSeconds: expected a whole number from 1 to 300, got 0/,
      /prometheus\.url: expected http:\/\/ or https:\/\/, got ftp:/,
      /prometheus\.url: credentials in the URL would be logged; use basicAuth/,
      /prometheus\.url: the server's base URL, without \?query or #fragment/,
      /prometheus\.basicAuth\.user: unknown key \(known: username, passwordFile\)/,
      /prometheus\.basicAuth\.username: not set/,
      /prometheus\.basicAuth\.passwordFile: not set/,
      /prometheus\.bearerTokenFile, prometheus\.basicAuth: set one of them, not both/,
      /prometheus\.caFile: expected a non-empty string/,
      /prometheus\.headers\.X-Scope-OrgID: expected a string without line breaks, got 7/,
      /prometheus\.headers\.Authorization: not allowed here \(use bearerTokenFile or basicAuth/,
      /prometheus\.headers\.Bad Name: not an HTTP header name/,
      /prometheus\.headers\.X-Line: expected a string without line breaks/,
      /prometheus\.proxy: unknown key/,
      /history\.days: expected a whole number from 1 to 365, got 0/,
      /history\.hoursBeforeKill: expected a whole number from 1 to 168, got 200/,
      /history\.stepSeconds: expected a whole number from 1 to 3600, got "1m"/,
      /history\.window: unknown key \(known: days, hoursBeforeKill, stepSeconds\)/,
    ])
      assert.match(message, expected);
  });

  it("when settings come without a URL, or a CA with http, then that is named", () => {
    assert.match(
      problems({ prometheus: { bearerTokenFile: "/t", timeoutSeconds: 5 } }),
      /prometheus\.url: not set, but prometheus\.bearerTokenFile, prometheus\.timeoutSeconds is/,
    );
    assert.match(
      problems({ prometheus: { url: "http://prometheus:9090", caFile: "/ca.crt" } }),
      /prometheus\.caFile: set, but prometheus\.url is http:\/\/, not https:\/\//,
    );
    assert.match(problems({ prometheus: { url: "prometheus 9090" } }), /prometheus\.url: not a URL/);
  });

  it("when the token, password and CA files are read at start-up, then the secrets are redacted", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const config = file(
      "bearer.yaml",
      stringify({
        prometheus: {
          url: "https://thanos.example:10902",
          bearerTokenFile: file("token", "t0ken-value\n"),
          caFile: file("ca.crt", ca),
          headers: { "X-Scope-OrgID": "team-a" },
        },
      }),
    );
    const result = await loadConfig({}, config);
    assert.ok(result.ok, result.ok ? "" : result.error.message);
    assert.equal(result.value.prometheus?.bearerToken, "t0ken-value");
    assert.equal(result.value.prometheus?.ca, ca.trim());
    assert.deepEqual(result.value.prometheus?.headers, { "X-Scope-OrgID": "team-a" });
    const redacted = redactConfig(result.value);
    assert.equal(redacted.prometheus?.bearerToken, "[redacted]");
    assert.doesNotMatch(JSON.stringify(redacted), /t0ken-value/);

    const basic = file(
      "basic.yaml",
      stringify({
        prometheus: {
          url: "https://vm.example:8428",
          basicAuth: { username: "oom-doctor", passwordFile: file("password", "pa55word\n") },
        },
      }),
    );
    const withPassword = await loadConfig({}, basic);
    assert.ok(withPassword.ok, withPassword.ok ? "" : withPassword.error.message);
    assert.deepEqual(withPassword.value.prometheus?.basicAuth, {
      username: "oom-doctor",
      passwordFile: join(dir, "password"),
      password: "pa55word",
    });
    assert.equal(redactConfig(withPassword.value).prometheus?.basicAuth?.password, "[redacted]");
    assert.doesNotMatch(JSON.stringify(redactConfig(withPassword.value)), /pa55word/);
  });

  it("when a secret file is missing, empty or not a certificate, then its key and path are named", async () => {
    const config = file(
      "missing.yaml",
      stringify({
        prometheus: {
          url: "https://prometheus.example",
          basicAuth: { username: "oom-doctor", passwordFile: join(dir, "nowhere") },
          caFile: file("not-a-ca", "hello\n"),
        },
      }),
    );
    const result = await loadConfig({}, config);
    assert.equal(result.ok, false);
    const message = result.ok ? "" : result.error.message;
    assert.match(message, /prometheus\.basicAuth\.passwordFile: .*nowhere: no such file or directory/);
    assert.match(message, /prometheus\.caFile: .*not-a-ca holds no PEM certificate/);

    const empty = file(
      "empty.yaml",
      stringify({ prometheus: { url: "http://p:9090", bearerTokenFile: file("blank", "\n") } }),
    );
    const emptyResult = await loadConfig({}, empty);
    assert.equal(emptyResult.ok, false);
    assert.match(
      emptyResult.ok ? "" : emptyResult.error.message,
      /prometheus\.bearerTokenFile: .*blank is empty/,
    );
  });
});
