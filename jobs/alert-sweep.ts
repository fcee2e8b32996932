// The `sweep` job: read a node's kernel messages since its cursor, find the kills that left their
// container running (silent kills), queue them as kills, then move the cursor. A node that cannot be
// read keeps its cursor: the next sweep starts where this one would have.

import type { CursorStore, KernelSweepSource, KillSink } from "../src/alerts/ports.js";
import { silentKills } from "../src/alerts/silent.js";
import { parseJournal } from "../src/analysis/parse-journal.js";
import type { Result } from "../src/errors.js";
import { type NodeAccess, nodeTarget } from "../src/node-target.js";
import type { Log } from "../src/ops/log.js";
import type { Metrics } from "../src/ops/metrics.js";
import type { ClusterReader } from "../src/ports.js";

export interface SweepDeps {
  /** The cluster and the node reader for one sweep; the reader is closed when it ends. */
  open: () => Promise<Result<{ cluster: ClusterReader; sweeps: KernelSweepSource }>>;
  cursors: CursorStore;
  kills: KillSink;
  access: NodeAccess;
  clusterName: string;
  pageSize: number;
  /** How far back a node's first sweep reads. */
  firstSweepMs: number;
  metrics: Metrics;
  log: Log;
  now: () => number;
}

export function sweepProcessor(deps: SweepDeps) {
  return async function sweep(node: string): Promise<void> {
    const opened = await deps.open();
    if (!opened.ok) {
      deps.log("warn", "sweep not started", { node, kind: opened.error.kind, error: opened.error.message });
      return;
    }
    const { cluster, sweeps } = opened.value;
    try {
      const info = await cluster.readNode(node);
      const target = nodeTarget(info.ok ? info.value : null, node, deps.access);
      if (!target.ok) {
        deps.log("warn", "sweep skipped", { node, kind: target.error.kind, error: target.error.message });
        return;
      }
      const previous = await deps.cursors.cursor(node);
      const started = deps.now();
      const from = previous
        ? { cursor: previous }
        : { sinceEpoch: Math.floor((started - deps.firstSweepMs) / 1000) };
      const read = await sweeps.sweep(target.value, from);
      if (!read.ok) {
        deps.log("warn", "sweep failed: the next one starts from the same cursor", {
          node,
          kind: read.error.kind,
          error: read.error.message,
          hint: read.error.hint,
        });
        return;
      }
      deps.metrics.sweepDone(node, (deps.now() - started) / 1000, read.value.bytes.length);
      if (read.value.rotated)
        deps.log(
          "warn",
          "the node's journal no longer holds the last sweep's cursor: messages in between may be lost",
          {
            node,
          },
        );
      const events = parseJournal(read.value.bytes, node).events;
      if (events.length > 0) {
        // Listed after the kills: a container that restarted since shows it, and is the watch's to report.
        const pods = await cluster.listPodsOnNode(node, deps.pageSize);
        if (!pods.ok) throw new Error(`${node}: pods not listed (${pods.error.message})`);
        await deps.kills.add(silentKills({ cluster: deps.clusterName, node, events, pods: pods.value }));
      }
      if (read.value.cursor !== null && read.value.cursor !== previous)
        await deps.cursors.advance(node, previous, read.value.cursor);
    } finally {
      await sweeps.close();
    }
  };
}
