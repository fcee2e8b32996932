// When digests run: the command's time and zone, the cron pattern, and daylight-saving days checked
// against the real BullMQ Job Scheduler on the real Redis.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { dailyPattern, digestRepeat } from "../../src/queue/digests.js";
import { parseOomCommand } from "../../src/slack/command-text.js";
import { messages } from "../../src/slack/i18n/catalog.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../harness/bot.js";

const t = messages("en");

describe("/oom digest", () => {
  it("when subscribing with a time and a zone, then both are kept, the time written HH:MM", () => {
    assert.deepEqual(parseOomCommand("digest subscribe production at 7:30 tz Asia/Shanghai", t), {
      kind: "digest-subscribe",
      scope: "production",
      at: "07:30",
      tz: "Asia/Shanghai",
    });
    assert.deepEqual(parseOomCommand("digest subscribe all", t), {
      kind: "digest-subscribe",
      scope: "all",
      at: null,
      tz: null,
    });
    assert.deepEqual(parseOomCommand("digest now all", t), { kind: "digest-now", scope: "all" });
    assert.deepEqual(parseOomCommand("digest unsubscribe 1a2b3c4d", t), {
      kind: "digest-unsubscribe",
      id: "1a2b3c4d",
    });
  });

  const bad: Array<[string, RegExp]> = [
    ["digest subscribe production at 25:00", /`25:00` is not a time of day/],
    ["digest subscribe production at 9h", /`9h` is not a time of day/],
    ["digest subscribe production tz Mars/Olympus", /`Mars\/Olympus` is not an IANA time zone/],
    ["digest subscribe Prod", /`Prod` is not a namespace name \(or `all`/],
    ["digest subscribe production every day", /Unexpected words: `every day`/],
    ["digest weekly", /Usage: `\/oom digest subscribe/],
  ];
  for (const [text, problem] of bad) {
    it(`when the text is "${text}", then the problem is named with the usage`, () => {
      const parsed = parseOomCommand(text, t);
      assert.equal(parsed.kind, "invalid");
      assert.match(parsed.kind === "invalid" ? parsed.problem : "", problem);
    });
  }

  it("when the time is 09:00, then the pattern is minute 0 of hour 9 every day", () => {
    assert.equal(dailyPattern("09:00"), "0 9 * * *");
    assert.equal(dailyPattern("17:45"), "45 17 * * *");
  });
});

describe("daylight saving", () => {
  const prefix = uniquePrefix();
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("digests", { connection, prefix });

  after(async () => {
    await queue.close();
    connection.disconnect();
    await dropPrefix(prefix);
  });

  const berlin = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Berlin",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });

  /** The first run of a 09:00 Europe/Berlin digest after `start`, as BullMQ schedules it. */
  async function firstRun(id: string, start: string): Promise<number> {
    await queue.upsertJobScheduler(
      id,
      { ...digestRepeat({ at: "09:00", tz: "Europe/Berlin" }), startDate: start },
      { name: "digest" },
    );
    const scheduler = await queue.getJobScheduler(id);
    assert.ok(scheduler?.next);
    return scheduler.next;
  }

  it("when the clocks go forward overnight, then the digest still comes at 09:00 local, an hour earlier in UTC", async () => {
    // Berlin moves to summer time on the last Sunday of March, 2099-03-29.
    const before = await firstRun("dst-before", "2099-03-27T12:00:00Z");
    const afterChange = await firstRun("dst-after", "2099-03-28T12:00:00Z");
    assert.equal(berlin.format(before), "09:00");
    assert.equal(berlin.format(afterChange), "09:00");
    assert.equal(new Date(before).toISOString(), "2099-03-28T08:00:00.000Z");
    assert.equal(new Date(afterChange).toISOString(), "2099-03-29T07:00:00.000Z");
  });
});
