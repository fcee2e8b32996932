// Writes large, realistic journals for benchmarks: kubelet, containerd and kernel chatter with a full
// OOM report every few thousand lines, as `journalctl -o json` or as short text; or a busy node's
// journal over a span of time, as `journalctl -o export` entries for systemd-journal-remote.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { type Boot, exportEntry, oomReport } from "../harness/journal-export.js";

const FILLER: Array<[string, string]> = [
  [
    "kubelet",
    'I0712 12:11:16.112233    2211 kubelet.go:2461] "SyncLoop (PLEG): event for pod" pod="production/web-7d9c5b6f4-abcde" event={"ID":"f05bdc36","Type":"ContainerStarted"}',
  ],
  [
    "containerd",
    'time="2021-07-12T12:11:16.123456789+08:00" level=info msg="StartContainer for \\"052d52a163eb\\" returns successfully"',
  ],
  ["kernel", "IPv6: ADDRCONF(NETDEV_CHANGE): cali3f2a1b4c5d6: link becomes ready"],
  [
    "kubelet",
    'E0712 12:11:16.223344    2211 pod_workers.go:951] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" with CrashLoopBackOff"',
  ],
  [
    "systemd",
    "Started libcontainer container 052d52a163eb1ced8ddbd9968b31cb1d1ec74a2b389e18984737c3118fdd7a5e.",
  ],
  ["kernel", "cali3f2a1b4c5d6: entered promiscuous mode"],
  [
    "containerd",
    'time="2021-07-12T12:11:16.345678901+08:00" level=info msg="shim disconnected" id=052d52a163eb',
  ],
  [
    "kubelet",
    'I0712 12:11:16.334455    2211 prober.go:107] "Probe failed" probeType="Readiness" pod="production/api-5c6969978b-hx5lt" output="HTTP probe failed with statuscode: 503"',
  ],
];

export interface Generated {
  bytes: number;
  reports: number;
}

/** Writes about `targetBytes` of journal in the given form; one OOM report every `every` lines. */
export async function generateJournal(
  path: string,
  form: "json" | "text",
  targetBytes: number,
  every = 3000,
): Promise<Generated> {
  const out = createWriteStream(path);
  let bytes = 0;
  let reports = 0;
  let line = 0;
  let epochMicros = 1_626_062_400_000_000;
  const write = async (identifier: string, message: string) => {
    epochMicros += 1731;
    const text =
      form === "json"
        ? `${JSON.stringify({
            __REALTIME_TIMESTAMP: String(epochMicros),
            _HOSTNAME: "k8s-node-04",
            _BOOT_ID: "4c1f2e3d4b5a69788796a5b4c3d2e1f0",
            _TRANSPORT: identifier === "kernel" ? "kernel" : "stdout",
            SYSLOG_IDENTIFIER: identifier,
            PRIORITY: "6",
            MESSAGE: message,
          })}\n`
        : `Jul 12 12:${String(Math.floor(line / 60000) % 60).padStart(2, "0")}:${String(Math.floor(line / 1000) % 60).padStart(2, "0")} k8s-node-04 ${identifier}${identifier === "kernel" ? "" : "[2211]"}: ${message}\n`;
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  while (bytes < targetBytes) {
    line++;
    if (line % every === 0) {
      reports++;
      const pid = 100_000 + reports;
      const id = `${pid.toString(16).padStart(8, "0")}${"0".repeat(56)}`;
      for (const message of oomReport("f05bdc36-dd14-4537-9b91-57cc07df0932", id, pid))
        await write("kernel", message);
    } else {
      const [identifier, message] = FILLER[line % FILLER.length] as [string, string];
      await write(identifier, message);
    }
  }
  out.end();
  await once(out, "finish");
  return { bytes, reports };
}

const CHATTER = FILLER.filter(([identifier]) => identifier !== "kernel").map(([, message]) => message);
const KERNEL_CHATTER = FILLER.filter(([identifier]) => identifier === "kernel").map(([, message]) => message);

export interface NodeSpan {
  /** `journalctl -o export` entries, oldest first. */
  entries: string;
  chatterEntries: number;
  kernelEntries: number;
  reports: number;
}

/**
 * `seconds` of a busy node's journal from `startMicros` on: three lines of kubelet and runtime chatter a
 * second, a kernel line every four seconds (interfaces of pods coming and going), and a container's OOM
 * report every `reportEverySeconds`, mid-period.
 */
export function busyNodeSpan(
  host: string,
  boot: Boot,
  startMicros: number,
  seconds: number,
  reportEverySeconds = 900,
): NodeSpan {
  const entries: string[] = [];
  let kernelEntries = 0;
  let reports = 0;
  for (let second = 0; second < seconds; second++) {
    const micros = startMicros + second * 1_000_000;
    const epochSecond = Math.floor(micros / 1_000_000);
    for (let line = 0; line < 3; line++) {
      const message = CHATTER[(epochSecond * 3 + line) % CHATTER.length] as string;
      entries.push(exportEntry(host, micros + line * 300_000, message, false, boot));
    }
    if (epochSecond % 4 === 0) {
      kernelEntries++;
      const message = KERNEL_CHATTER[(epochSecond / 4) % KERNEL_CHATTER.length] as string;
      entries.push(exportEntry(host, micros + 100_000, message, true, boot));
    }
    if (epochSecond % reportEverySeconds === Math.floor(reportEverySeconds / 2)) {
      reports++;
      const pid = 10_000 + (epochSecond % 90_000);
      const id = `${pid.toString(16).padStart(8, "0")}${"0".repeat(56)}`;
      for (const [index, message] of oomReport("f05bdc36-dd14-4537-9b91-57cc07df0932", id, pid).entries()) {
        kernelEntries++;
        entries.push(exportEntry(host, micros + 200_000 + index, message, true, boot));
      }
    }
  }
  return {
    entries: entries.join(""),
    chatterEntries: entries.length - kernelEntries,
    kernelEntries,
    reports,
  };
}
