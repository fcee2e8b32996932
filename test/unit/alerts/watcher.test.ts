// The leader's watcher over in-memory ports: a term that ends while it starts watches nothing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterWatch, SeenStore } from "../../../src/alerts/ports.js";
import { AlertWatcher } from "../../../src/alerts/watcher.js";
import { ok } from "../../../src/errors.js";

describe("the alert watcher", () => {
  it("when it is stopped while Redis says when alerting began, then it never starts watching", async () => {
    let answer: (iso: string) => void = () => {};
    const seen: SeenStore = {
      seen: async () => new Map(),
      record: async () => true,
      since: () =>
        new Promise<string>((resolve) => {
          answer = resolve;
        }),
    };
    let watching = 0;
    const watch: ClusterWatch = {
      start: async () => {
        watching++;
        return ok(undefined);
      },
      stop: async () => {},
    };
    const watcher = new AlertWatcher(
      {
        watch,
        seen,
        kills: { add: async () => {} },
        sweeps: { sweep: async () => {} },
        stats: { reconnected: () => {}, relisted: () => {} },
        cluster: "test",
        catchUpMs: 0,
        now: () => Date.parse("2024-01-02T10:00:00Z"),
        lost: () => {},
      },
      1,
    );
    const starting = watcher.start();
    await watcher.stop();
    answer("2024-01-02T10:00:00.000Z");
    assert.deepEqual(await starting, ok(undefined));
    assert.equal(watching, 0);
  });
});
