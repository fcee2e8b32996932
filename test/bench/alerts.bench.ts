// `npm run bench:alerts`: live alerts, in two parts. Kill-to-alert latency: OOM kills written one after
// another into the fake API server while the built bot (`oom-doctor all`) watches it, each timed to its
// alert's root message in the fake Slack, against a bare client watch's event for the same kill (see
// alert-latency.ts). Sweep cost: an hour of a busy node's journal read by the sweeps, against plain
// `journalctl -o json` over the same files (see sweep-cost.ts).
// Last line: {"alertP50Seconds", "alertP99Seconds", "ratioToWatchDelivery", "sweepSecondsPerNodeHour"}.

import { BATCH_SECONDS, measureKillToAlert } from "./alert-latency.js";
import { percentile } from "./bench-cluster.js";
import { measureSweepCost, SWEEP_MINUTES, type SweepFigures } from "./sweep-cost.js";

// Every kill opens a thread of its own, and a channel gets at most 100 new ones in 10 minutes.
const KILLS = Math.min(Number(process.env.BENCH_KILLS ?? 50), 95);
const WARM_UP = 2;

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const times = (ratio: number) => `${ratio.toFixed(1)}x`;

function sweepLine(what: string, figures: SweepFigures, local: string): string {
  return (
    `${what}: ${figures.sweepSeconds.toFixed(3)} s in ${figures.sweeps} sweep${figures.sweeps === 1 ? "" : "s"} ` +
    `(parse ${(figures.parseSeconds * 1000).toFixed(0)} ms), ${kb(figures.bytes)} read ` +
    `(${figures.kernelEntries} kernel entries, ${figures.reports} OOM reports); ` +
    `${local}: ${figures.localSeconds.toFixed(3)} s; ${times(figures.sweepSeconds / figures.localSeconds)} that`
  );
}

const latency = await measureKillToAlert(KILLS, WARM_UP);
const alert = { p50: percentile(latency.alertMs, 50), p99: percentile(latency.alertMs, 99) };
const watch = { p50: percentile(latency.watchMs, 50), p99: percentile(latency.watchMs, 99) };
const report = { p50: percentile(latency.reportMs, 50), p99: percentile(latency.reportMs, 99) };
const batchMs = BATCH_SECONDS * 1000;
process.stdout.write(
  `${KILLS} OOM kills (after ${WARM_UP} to warm up), one after another, each in a workload of its own: ` +
    "`oom-doctor all` as a process, real Redis, fake API server (watch protocol) and fake Slack\n" +
    `alert's root message in Slack: p50 ${ms(alert.p50)} ms, p99 ${ms(alert.p99)} ms ` +
    `(alerts.batchSeconds ${BATCH_SECONDS}, the default: a kill waits that long for others, so that a storm is one message; the wait is part of this latency)\n` +
    `  past the batching wait: p50 ${ms(alert.p50 - batchMs)} ms, p99 ${ms(alert.p99 - batchMs)} ms\n` +
    `investigation's report in the alert's thread (the node's journal read over SSH): p50 ${ms(report.p50)} ms, p99 ${ms(report.p99)} ms (target: within 5 s plus the journal fetch)\n` +
    `bare client watch event for the same kills (same API server, in the bench's process): p50 ${ms(watch.p50)} ms, p99 ${ms(watch.p99)} ms\n` +
    `alert p50 is ${(alert.p50 / watch.p50).toFixed(0)}x the watch event's delivery\n`,
);

const sweeps = await measureSweepCost();
process.stdout.write(
  "sweeps: one node with a real sshd and journal files written by systemd-journal-remote; a busy node's hour " +
    `holds ${sweeps.chatterPerHour} lines of kubelet and runtime chatter, and the kernel's lines\n` +
    `${sweepLine("the whole hour in one sweep (since its start)", sweeps.firstHour, "plain journalctl -o json --since, locally")}\n` +
    `${sweepLine(`the next hour, swept every ${SWEEP_MINUTES} minutes (alerts.sweepMinutes' default) from cursor to cursor`, sweeps.nextHour, `plain journalctl -o json --after-cursor, locally, the same ${sweeps.nextHour.sweeps} times`)}\n` +
    `a sweep that finds nothing new takes ${sweeps.emptySweepSeconds.toFixed(3)} s (the SSH connection, the wrapper, journalctl); ` +
    `those of ${SWEEP_MINUTES} minutes ${(sweeps.nextHour.sweepSeconds / sweeps.nextHour.sweeps).toFixed(3)} s on average\n` +
    `sweep cost per node per hour of journal: ${sweeps.nextHour.sweepSeconds.toFixed(2)} s at that cadence\n`,
);

const result = {
  alertP50Seconds: Number((alert.p50 / 1000).toFixed(3)),
  alertP99Seconds: Number((alert.p99 / 1000).toFixed(3)),
  ratioToWatchDelivery: Math.round(alert.p50 / watch.p50),
  sweepSecondsPerNodeHour: Number(sweeps.nextHour.sweepSeconds.toFixed(3)),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
