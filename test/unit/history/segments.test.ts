import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Series } from "../../../src/history/model.js";
import { currentRuns, runEndedByKill, splitRuns } from "../../../src/history/segments.js";
import { endOf, flat, line, MI, MINUTE_MS, type Points, T0 } from "./samples.js";

const series = (pod: string, points: Points, extra: Record<string, string> = {}): Series => ({
  labels: { namespace: "shop", pod, container: "app", ...extra },
  points,
});

const leakToKill = line({ fromBytes: 100 * MI, bytesPerHour: 150 * MI, count: 360 });
const killMs = endOf(leakToKill) + 30_000;
const afterRestart = line({
  fromBytes: 90 * MI,
  bytesPerHour: 150 * MI,
  count: 60,
  startMs: killMs + 2 * MINUTE_MS,
});

describe("a workload's series cut into runs", () => {
  it("when memory falls to a fraction and stays there, then a restart: two runs", () => {
    const runs = splitRuns([series("web-a", [...leakToKill, ...afterRestart])]);
    assert.deepEqual(
      runs.map((run) => run.points.length),
      [360, 60],
    );
    assert.deepEqual(runs[1]?.points[0], afterRestart[0]);
  });

  it("when one scrape dips below half and the next is back, then it is noise: one run", () => {
    const points = flat(600 * MI, 20);
    points[10] = [points[10]?.[0] as number, 200 * MI];
    assert.equal(splitRuns([series("web-a", points)]).length, 1);
  });

  it("when a container of a few MiB halves, then it is not a restart", () => {
    const points: Points = [...flat(6 * MI, 10), ...flat(2 * MI, 10, { startMs: T0 + 10 * MINUTE_MS })];
    assert.equal(splitRuns([series("web-a", points)]).length, 1);
  });

  it("when scrapes are missing for twenty minutes but memory is where it was, then it is one run", () => {
    const points = leakToKill.filter(([ms]) => ms < T0 + 60 * MINUTE_MS || ms > T0 + 80 * MINUTE_MS);
    assert.equal(splitRuns([series("web-a", points)]).length, 1);
  });

  it("when the pod's cgroup and pause container report too, then they make no runs", () => {
    const runs = splitRuns([
      series("web-a", leakToKill),
      { labels: { pod: "web-a", container: "POD" }, points: flat(1 * MI, 10) },
      { labels: { pod: "web-a", container: "" }, points: flat(900 * MI, 10) },
      { labels: { container: "app" }, points: flat(900 * MI, 10) },
    ]);
    assert.deepEqual(
      runs.map((run) => [run.pod, run.container]),
      [["web-a", "app"]],
    );
  });

  it("when a kill came but the container restarted at the same level, then the run is cut at the kill", () => {
    const plateau = flat(950 * MI, 240);
    const kill = { pod: "web-a", container: "app", atMs: T0 + 120 * MINUTE_MS + 20_000 };
    assert.equal(splitRuns([series("web-a", plateau)]).length, 1, "no drop to see");
    const runs = splitRuns([series("web-a", plateau)], [kill]);
    assert.deepEqual(
      runs.map((run) => run.points.length),
      [121, 119],
    );
    assert.equal(runEndedByKill(runs, kill), runs[0]);
  });

  it("when each container instance is its own series (cAdvisor's `id`), then each is a run, oldest first", () => {
    const runs = splitRuns([
      series("web-a", afterRestart, { id: "/kubepods/pod-a/cri-containerd-2" }),
      series("web-a", leakToKill, { id: "/kubepods/pod-a/cri-containerd-1" }),
    ]);
    assert.deepEqual(
      runs.map((run) => run.points[0]),
      [leakToKill[0], afterRestart[0]],
    );
  });

  it("when the pod was replaced, then the kill's run is found in the pod it ran in", () => {
    const runs = splitRuns([series("web-a", leakToKill), series("web-b", afterRestart)]);
    const kill = { pod: "web-a", container: "app", atMs: killMs };
    assert.equal(runEndedByKill(runs, kill)?.pod, "web-a");
    assert.equal(runEndedByKill(runs, { ...kill, pod: "web-b" }), null, "web-b's run ended nowhere near it");
  });

  it("when the last scrape before a kill is more than five minutes older, then no run is said to end in it", () => {
    const runs = splitRuns([series("web-a", leakToKill)]);
    const kill = { pod: "web-a", container: "app", atMs: endOf(leakToKill) };
    assert.ok(runEndedByKill(runs, { ...kill, atMs: kill.atMs + 5 * MINUTE_MS }));
    assert.equal(runEndedByKill(runs, { ...kill, atMs: kill.atMs + 5 * MINUTE_MS + 1 }), null);
  });

  it("when the samples come every five minutes (a query over days), then a kill eight minutes after the last still ends the run", () => {
    const coarse = line({ fromBytes: 100 * MI, bytesPerHour: 100 * MI, count: 60, stepMs: 5 * MINUTE_MS });
    const runs = splitRuns([series("web-a", coarse)]);
    const kill = { pod: "web-a", container: "app", atMs: endOf(coarse) + 8 * MINUTE_MS };
    assert.equal(runEndedByKill(runs, kill), runs[0]);
    assert.equal(runEndedByKill(runs, { ...kill, atMs: endOf(coarse) + 11 * MINUTE_MS }), null);
  });
});

describe("the runs going now", () => {
  const runs = splitRuns([series("web-a", [...leakToKill, ...afterRestart]), series("web-b", leakToKill)]);
  const kills = [{ pod: "web-a", container: "app", atMs: killMs }];

  it("when a container restarted after its kill, then its current run is the one since", () => {
    const now = currentRuns(runs, endOf(afterRestart), kills);
    assert.deepEqual(
      now.map((run) => [run.pod, run.points[0]]),
      [["web-a", afterRestart[0]]],
      "web-b has had no sample for over an hour",
    );
  });

  it("when the latest run ended in a kill and nothing came after, then the container has no current run", () => {
    const killedOnly = splitRuns([series("web-a", leakToKill)]);
    assert.deepEqual(currentRuns(killedOnly, killMs + MINUTE_MS, kills), []);
    assert.equal(
      currentRuns(killedOnly, killMs + MINUTE_MS).length,
      1,
      "without the kill it would look alive",
    );
  });
});
