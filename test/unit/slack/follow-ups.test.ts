// The work after an acknowledgement: a few tasks at a time, one at a time while a request from Slack
// waits for its answer, none lost, none left behind at shutdown. Requests are real HTTP on loopback.

import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { FollowUps } from "../../../src/slack/follow-ups.js";

/** Tasks that start when FollowUps says and finish when the test says. */
function gatedTasks(followUps: FollowUps, count: number) {
  const started: number[] = [];
  const finish: Array<() => void> = [];
  const startedEvent = new EventTarget();
  for (let index = 0; index < count; index++) {
    followUps.run(
      () =>
        new Promise<void>((resolve) => {
          started.push(index);
          finish[index] = resolve;
          startedEvent.dispatchEvent(new Event("start"));
        }),
    );
  }
  const startedCount = async (n: number) => {
    while (started.length < n) await once(startedEvent, "start");
  };
  return { started, finish, startedCount };
}

/** Lets every queued setImmediate and promise callback run. */
const settled = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe("follow-ups after an acknowledgement", () => {
  it("when nothing waits for an answer, then up to the limit run at once and the rest follow in order", async () => {
    const followUps = new FollowUps(2, () => {});
    const tasks = gatedTasks(followUps, 4);
    await tasks.startedCount(2);
    await settled();
    assert.deepEqual(tasks.started, [0, 1]);
    tasks.finish[0]?.();
    await tasks.startedCount(3);
    assert.deepEqual(tasks.started, [0, 1, 2]);
    tasks.finish[1]?.();
    tasks.finish[2]?.();
    await tasks.startedCount(4);
    tasks.finish[3]?.();
    await followUps.idle();
  });

  it("when a request from Slack is waiting for its answer, then only one runs until it is answered", async () => {
    const followUps = new FollowUps(3, () => {});
    const held: ServerResponse[] = [];
    const arrived = new EventTarget();
    const server = createServer(
      followUps.watch((_request, response) => {
        held.push(response);
        arrived.dispatchEvent(new Event("request"));
      }),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      const answer = fetch(url, { method: "POST", body: "{}" });
      while (held.length === 0) await once(arrived, "request");
      const tasks = gatedTasks(followUps, 3);
      await tasks.startedCount(1);
      await settled();
      assert.deepEqual(tasks.started, [0], "one at a time while the ack is pending");
      held[0]?.end("ok");
      await answer;
      await tasks.startedCount(3);
      assert.deepEqual(tasks.started, [0, 1, 2], "all three once it was answered");
      for (const finish of tasks.finish) finish?.();
      await followUps.idle();
    } finally {
      server.close();
    }
  });

  it("when a task fails, then the error is reported and the next ones still run", async () => {
    const errors: unknown[] = [];
    const followUps = new FollowUps(1, (error) => errors.push(error));
    const done: string[] = [];
    followUps.run(async () => {
      throw new Error("Slack said no");
    });
    followUps.run(async () => {
      done.push("second");
    });
    await followUps.idle();
    assert.deepEqual(done, ["second"]);
    assert.equal((errors[0] as Error).message, "Slack said no");
  });

  it("when the process stops, then idle waits for the tasks queued before it", async () => {
    const followUps = new FollowUps(1, () => {});
    const tasks = gatedTasks(followUps, 2);
    let idle = false;
    const stopping = followUps.idle().then(() => {
      idle = true;
    });
    await tasks.startedCount(1);
    tasks.finish[0]?.();
    await tasks.startedCount(2);
    await settled();
    assert.equal(idle, false, "the second task is still running");
    tasks.finish[1]?.();
    await stopping;
    assert.equal(idle, true);
  });
});
