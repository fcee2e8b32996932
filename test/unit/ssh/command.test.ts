import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oldestEntryCommand, windowCommand } from "../../../src/ssh/command.js";

const limits = { timeoutSeconds: 30, maxOutputBytes: 1000, sudo: false };

describe("remote commands", () => {
  it("when a window is read, then kernel, kubelet and runtime lines are asked for, capped in time and bytes", () => {
    const command = windowCommand("journalctl", { sinceEpoch: 1626062476, untilEpoch: 1626063376 }, limits);
    assert.equal(
      command,
      '{ env LC_ALL=C timeout 30 journalctl -o json --no-pager -q --since @1626062476 --until @1626063376 _TRANSPORT=kernel + _SYSTEMD_UNIT=kubelet.service + _SYSTEMD_UNIT=containerd.service + _SYSTEMD_UNIT=docker.service + _SYSTEMD_UNIT=crio.service; echo "oom-doctor-journalctl-exit:$?" >&2; } | head -c 1001',
    );
    assert.doesNotMatch(command, / -k /, "-k reads only the current boot");
  });

  it("when sudo is on, then it never prompts", () => {
    assert.match(
      oldestEntryCommand("journalctl", { ...limits, sudo: true }),
      /^sudo -n env LC_ALL=C timeout 30 journalctl/,
    );
  });

  it("when a number is not a whole non-negative number, then no command is built", () => {
    assert.throws(
      () => windowCommand("journalctl", { sinceEpoch: 1.5, untilEpoch: 2 }, limits),
      /since must be a whole number/,
    );
    assert.throws(() => windowCommand("journalctl", { sinceEpoch: -1, untilEpoch: 2 }, limits), RangeError);
  });
});
