import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metrics, NODE_SERIES, slackMethodLabel } from "../../../src/ops/metrics.js";

const series = async (metrics: Metrics, name: string): Promise<string[]> =>
  (await metrics.registry.metrics()).split("\n").filter((line) => line.startsWith(`${name}{`));

describe("metric labels", () => {
  it("when nodes come and go by the thousand, then only the most recently fetched keep a series", async () => {
    const metrics = new Metrics();
    for (let index = 0; index < 1000; index += 1) metrics.sshFetchTimer(`node-${index}`)();
    const counts = await series(metrics, "oom_doctor_ssh_fetch_seconds_count");
    assert.equal(counts.length, NODE_SERIES);
    assert.ok(counts.some((line) => line.includes('node="node-999"')));
    assert.ok(!counts.some((line) => line.includes('node="node-0"')));
  });

  it("when a node is fetched again, then it keeps its series ahead of newer ones", async () => {
    const metrics = new Metrics();
    metrics.sshFetchTimer("busy-node")();
    for (let index = 0; index < NODE_SERIES - 1; index += 1) metrics.sshFetchTimer(`node-${index}`)();
    metrics.sshFetchTimer("busy-node")();
    metrics.sshFetchTimer("one-more")();
    const counts = await series(metrics, "oom_doctor_ssh_fetch_seconds_count");
    assert.ok(counts.some((line) => line.includes('node="busy-node"') && line.endsWith(" 2")));
    assert.ok(!counts.some((line) => line.includes('node="node-0"')));
  });

  it("when sweeps read many nodes, then their series share the same bound and record bytes and time", async () => {
    const metrics = new Metrics();
    metrics.sweepDone("node-a", 0.5, 2048);
    metrics.sweepDone("node-a", 0.25, 1024);
    const bytes = await series(metrics, "oom_doctor_sweep_bytes_total");
    assert.deepEqual(bytes, ['oom_doctor_sweep_bytes_total{node="node-a"} 3072']);
    for (let index = 0; index < NODE_SERIES; index += 1) metrics.sshFetchTimer(`node-${index}`)();
    assert.deepEqual(await series(metrics, "oom_doctor_sweep_bytes_total"), []);
    assert.deepEqual(await series(metrics, "oom_doctor_sweep_seconds_count"), []);
  });

  it("when a file upload to its own URL is rate limited, then the method label is not the URL", () => {
    assert.equal(slackMethodLabel("https://slack.com/api/chat.postMessage"), "chat.postMessage");
    assert.equal(
      slackMethodLabel("http://127.0.0.1:9/api/files.getUploadURLExternal"),
      "files.getUploadURLExternal",
    );
    assert.equal(
      slackMethodLabel("https://files.slack.com/upload/v1/CwABAAAAXgsAAgAAABQN9FWe"),
      "file-upload",
    );
  });

  it("when an error is not a Slack error code, then it is counted as other", async () => {
    const metrics = new Metrics();
    metrics.slackApiError("chat.update", "channel_not_found");
    metrics.slackApiError("chat.update", "An API error occurred: https://files.slack.com/upload/v1/abc");
    const errors = await series(metrics, "oom_doctor_slack_api_errors_total");
    assert.deepEqual(
      errors.map((line) => /error="([^"]*)"/.exec(line)?.[1]),
      ["channel_not_found", "other"],
    );
  });
});
