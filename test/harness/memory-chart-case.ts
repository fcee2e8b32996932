// A Deployment's memory over twelve and a half hours, as Prometheus would answer for its containers:
// `api` in pod x2x9z leaks about 110 MiB/h, is killed at its 1000Mi limit twice and restarts each time
// (three series); the scrape missed 40 minutes in the middle; pod abcde was replaced by k8s2p at 13:00
// UTC, and k8s2p's `api` spiked for three minutes at 19:30; the `envoy` sidecar sits flat at 64 MiB.
// RSS is nine tenths of the working set. Samples every minute, so each series is thinned.

import type { MemoryChartInput } from "../../src/history/chart.js";
import type { Series } from "../../src/history/model.js";

const MIB = 2 ** 20;
const MINUTE_MS = 60_000;
const at = (time: string) => Date.parse(`2026-07-11T${time}:00Z`);

export const CASE_START_MS = at("10:00");
export const CASE_END_MS = at("22:30");
export const FIRST_KILL_MS = at("15:00");
export const SECOND_KILL_MS = at("21:50");
export const GAP = { fromMs: at("18:00"), toMs: at("18:40") };

/** Samples every minute over [from, to], skipping the scrape gap; `mib` gives the value at an instant. */
function sampled(
  pod: string,
  container: string,
  fromMs: number,
  toMs: number,
  mib: (ms: number) => number,
): Series {
  const points: Array<[number, number]> = [];
  for (let ms = fromMs; ms <= toMs; ms += MINUTE_MS) {
    if (ms > GAP.fromMs && ms < GAP.toMs) continue;
    points.push([ms, Math.round(mib(ms) * MIB)]);
  }
  return { labels: { namespace: "shop", pod, container }, points };
}

/** A small, deterministic wobble, so that lines look measured rather than drawn with a ruler. */
const wobble = (ms: number) => 6 * Math.sin(ms / 420_000) + 3 * Math.sin(ms / 97_000);

const leaking = (startedMs: number, fromMib: number) => (ms: number) =>
  fromMib + (110 * (ms - startedMs)) / 3_600_000 + wobble(ms);

function workingSet(): Series[] {
  return [
    sampled("checkout-7d4b9c8f6-abcde", "api", CASE_START_MS, at("13:00"), (ms) => 420 + wobble(ms)),
    sampled(
      "checkout-7d4b9c8f6-x2x9z",
      "api",
      CASE_START_MS,
      FIRST_KILL_MS - MINUTE_MS,
      leaking(CASE_START_MS, 450),
    ),
    sampled(
      "checkout-7d4b9c8f6-x2x9z",
      "api",
      FIRST_KILL_MS + MINUTE_MS,
      SECOND_KILL_MS - MINUTE_MS,
      leaking(FIRST_KILL_MS, 250),
    ),
    sampled(
      "checkout-7d4b9c8f6-x2x9z",
      "api",
      SECOND_KILL_MS + MINUTE_MS,
      CASE_END_MS,
      leaking(SECOND_KILL_MS, 250),
    ),
    sampled("checkout-7d4b9c8f6-x2x9z", "envoy", CASE_START_MS, CASE_END_MS, (ms) => 64 + wobble(ms) / 6),
    sampled("checkout-7d4b9c8f6-k8s2p", "api", at("13:01"), CASE_END_MS, (ms) =>
      ms >= at("19:30") && ms < at("19:33") ? 905 : 400 + wobble(ms),
    ),
  ];
}

export function realisticCase(): MemoryChartInput {
  const ws = workingSet();
  return {
    series: {
      workingSet: ws,
      rss: ws.map((series) => ({
        labels: series.labels,
        points: series.points.map(([ms, bytes]): [number, number] => [ms, Math.round(bytes * 0.9)]),
      })),
    },
    limitBytes: 1000 * MIB,
    requestBytes: 100 * MIB,
    kills: [
      { atMs: FIRST_KILL_MS, residentBytes: 996 * MIB },
      { atMs: SECOND_KILL_MS, residentBytes: 999 * MIB },
    ],
    startMs: CASE_START_MS,
    endMs: CASE_END_MS,
    tz: "Asia/Shanghai",
  };
}
