// Journal entries as nodes write them, for the journals the harness serves over SSH: entries in
// `journalctl -o export` form, and whole OOM reports for a container.

/** A cgroup v2, containerd, systemd-driver memcg OOM report (kernel 5.15) of a process in one container. */
export function oomReport(podUid: string, containerId: string, pid: number, comm = "app"): string[] {
  const path = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${podUid.replaceAll("-", "_")}.slice/cri-containerd-${containerId}.scope`;
  return [
    `${comm} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=994`,
    `CPU: 2 PID: ${pid} Comm: ${comm} Not tainted 5.15.0-91-generic #101-Ubuntu`,
    "Call Trace:",
    " dump_stack_lvl+0x4a/0x63",
    "memory: usage 1024000kB, limit 1024000kB, failcnt 821",
    "swap: usage 0kB, limit 9007199254740988kB, failcnt 0",
    `Memory cgroup stats for ${path}:`,
    "anon 1042014208",
    "file 17911808",
    "Tasks state (memory values in pages):",
    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    `[${String(pid).padStart(7)}]     0 ${pid}   426082   258638  2158592        0           994 ${comm}`,
    `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-${containerId}.scope,mems_allowed=0,oom_memcg=${path},task_memcg=${path},task=${comm},pid=${pid},uid=0`,
    `Memory cgroup out of memory: Killed process ${pid} (${comm}) total-vm:1704328kB, anon-rss:1017592kB, file-rss:17492kB, shmem-rss:0kB, UID:0 pgtables:2108kB oom_score_adj:994`,
    `oom_reaper: reaped process ${pid} (${comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`,
  ];
}

/** The boot an entry was written in: its id, and the wall-clock time it began. */
export interface Boot {
  id: string;
  startMicros: number;
}

/**
 * One journal entry in `journalctl -o export` form: a kernel line, or a line of kubelet chatter. With a
 * `boot`, the entry also carries its time since that boot, as journald writes it.
 */
export function exportEntry(
  host: string,
  micros: number,
  message: string,
  kernel: boolean,
  boot?: Boot,
): string {
  const fields = [
    `__REALTIME_TIMESTAMP=${micros}`,
    ...(boot ? [`__MONOTONIC_TIMESTAMP=${micros - boot.startMicros}`] : []),
    `_BOOT_ID=${boot?.id ?? "5b6c7d8e9f0a1b2c3d4e5f60718293a4"}`,
    `_HOSTNAME=${host}`,
    ...(kernel
      ? ["_TRANSPORT=kernel", "SYSLOG_IDENTIFIER=kernel"]
      : ["_TRANSPORT=stdout", "SYSLOG_IDENTIFIER=kubelet", "_SYSTEMD_UNIT=kubelet.service"]),
    `MESSAGE=${message}`,
  ];
  return `${fields.join("\n")}\n\n`;
}
