// Which stretches of each node's journal to read: a window around every finishedAt, generous because
// node and API server clocks differ, merged where they overlap so each stretch is read once.

import { type ContainerCase, finishedMs } from "./pod.js";

export interface JournalWindow {
  /** Whole seconds since the epoch: only numbers ever reach a remote command line. */
  sinceEpoch: number;
  untilEpoch: number;
}

export interface WindowSpan {
  beforeSeconds: number;
  afterSeconds: number;
}

/** Sorts and merges windows that overlap or touch. */
export function mergeWindows(windows: JournalWindow[]): JournalWindow[] {
  const sorted = [...windows].sort((a, b) => a.sinceEpoch - b.sinceEpoch);
  const merged: JournalWindow[] = [];
  for (const window of sorted) {
    const last = merged[merged.length - 1];
    if (last && window.sinceEpoch <= last.untilEpoch)
      last.untilEpoch = Math.max(last.untilEpoch, window.untilEpoch);
    else merged.push({ ...window });
  }
  return merged;
}

/** The merged windows to read on each node, for the containers whose termination needs explaining. */
export function windowsByNode(containers: ContainerCase[], span: WindowSpan): Map<string, JournalWindow[]> {
  const byNode = new Map<string, JournalWindow[]>();
  for (const container of containers) {
    const ms = finishedMs(container);
    if (container.node === null || ms === null) continue;
    const at = Math.floor(ms / 1000);
    const windows = byNode.get(container.node) ?? [];
    windows.push({ sinceEpoch: at - span.beforeSeconds, untilEpoch: at + span.afterSeconds });
    byNode.set(container.node, windows);
  }
  for (const [node, windows] of byNode) byNode.set(node, mergeWindows(windows));
  return byNode;
}
