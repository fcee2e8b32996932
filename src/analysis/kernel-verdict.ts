// What the kernel's report alone shows, with no pod to compare it with: which memory ran out (a
// container's limit, a pod's, the node's pod hierarchy, or the node itself) and whether a child died
// in its parent's place.

import type { OomEvent } from "./oom-event.js";

export const KERNEL_VERDICTS = [
  "container-limit",
  "pod-limit",
  "node-allocatable",
  "node-pressure",
  "child-process",
] as const;
export type KernelVerdict = (typeof KERNEL_VERDICTS)[number];

/**
 * True when the kernel chose one process and killed another one. 3.x/4.x kernels name a thread when the
 * chosen task is not its group's leader and then kill the group under another thread's pid: that is
 * one process, not a child. Only two rows of the task table (which lists processes) prove two.
 */
export function sacrificedChild(event: OomEvent): boolean {
  const { selected, victim } = event;
  if (selected === null || victim === null || selected.pid === victim.pid) return false;
  const chosen = event.tasks.find((row) => row.pid === selected.pid);
  const killed = event.tasks.find((row) => row.pid === victim.pid);
  if (chosen === undefined || killed === undefined) return false;
  return chosen.tgid === null || killed.tgid === null || chosen.tgid !== killed.tgid;
}

/** The cgroup that hit its limit is the node's pod hierarchy or a QoS level: node allocatable. */
export function hitNodeAllocatable(event: OomEvent): boolean {
  const limited = event.oomCgroup;
  return event.scope === "memcg" && limited !== null && limited.kubepods && limited.podUid === null;
}

/** Null when nothing in the report says whether a cgroup or the node ran out. */
export function kernelVerdict(event: OomEvent): KernelVerdict | null {
  if (sacrificedChild(event)) return "child-process";
  if (event.scope === "global") return "node-pressure";
  if (event.scope !== "memcg") return null;
  if (hitNodeAllocatable(event)) return "node-allocatable";
  if (event.oomCgroup?.podLevel) return "pod-limit";
  return "container-limit";
}
