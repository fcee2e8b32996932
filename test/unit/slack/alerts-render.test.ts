// Live alerts in Slack: titles count the day's kills, lists stay within Slack's limits, silent kills
// come with advice for the kind of server, and nothing from outside can mention or break out of code.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AlertSubscription } from "../../../src/alerts/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import {
  childProcessReply,
  distinctWorkloads,
  killsReplies,
  killsReply,
  silentKillsText,
  stormSummaryRoot,
  watchListMessage,
  workerKind,
  workloadAlertRoot,
} from "../../../src/slack/render/alerts.js";
import { LIMITS } from "../../../src/slack/render/blocks.js";
import { helpMessage } from "../../../src/slack/render/messages.js";
import { alertSubscription, childKill, oomKill, systemOomKill } from "../../harness/alert-kills.js";

const en = messages("en");
const zh = messages("zh-CN");
const json = (value: unknown) => JSON.stringify(value);

describe("alert messages", () => {
  it("when a workload's kill is counted, then the title says which kill of the day it is in English", () => {
    const ordinals: Array<[number, string]> = [
      [1, "1st"],
      [2, "2nd"],
      [3, "3rd"],
      [4, "4th"],
      [11, "11th"],
      [12, "12th"],
      [13, "13th"],
      [21, "21st"],
      [102, "102nd"],
      [111, "111th"],
    ];
    for (const [count, word] of ordinals) {
      const message = workloadAlertRoot({ kill: oomKill(), killsToday: count, severity: "warning" }, en);
      assert.equal(message.text, `OOM kill: production / Deployment/systembusiness — ${word} kill today`);
    }
  });

  it("when names hold mentions or backticks, then they stay text", () => {
    const hostile = oomKill({ node: "<!here>", pod: "x`y", container: "<@U0BOSS>" });
    const text = json(workloadAlertRoot({ kill: hostile, killsToday: 1, severity: "critical" }, en));
    assert.doesNotMatch(text, /<!here>|<@U0BOSS>|x`y/);
    assert.match(text, /&lt;!here&gt;/);
    const child = childKill({
      process: { name: "sh`<!channel>", pid: 1, residentBytes: null, limitBytes: null },
    });
    assert.doesNotMatch(json(childProcessReply(child, en)), /<!channel>|sh`/);
  });

  it("when many kills with long names come at once, then the reply lists 15 within Slack's limit and counts the rest", () => {
    const long = "a".repeat(250);
    const kills = Array.from({ length: 40 }, (_, index) =>
      oomKill({ pod: `${long}-${index}`, workload: `Deployment/${long}`, container: long }),
    );
    const message = killsReply(kills, en);
    const text = message.blocks[0] && "text" in message.blocks[0] ? message.blocks[0].text.text : "";
    assert.ok(Array.from(text).length <= LIMITS.text);
    const listed = text.split("\n").filter((line) => line.startsWith("• ")).length;
    assert.ok(listed > 0 && listed <= 15);
    assert.match(text, new RegExp(`\\+${40 - listed} more$`));
    assert.equal(message.text, "40 new kills:");
  });

  it("when many kills with long names are to be listed, then as many replies as it takes name every one, each within Slack's limit", () => {
    const long = "a".repeat(250);
    // A minute apart, so that each line tells its kill by its time: the long names are cut.
    const kills = Array.from({ length: 40 }, (_, index) =>
      oomKill({
        at: new Date(Date.parse("2021-07-12T04:00:00Z") + index * 60_000).toISOString(),
        pod: `${long}-${index}`,
        workload: `Deployment/${long}`,
        container: long,
      }),
    );
    const replies = killsReplies(kills, en);
    const texts = replies.map((reply) =>
      reply.blocks[0] && "text" in reply.blocks[0] ? reply.blocks[0].text.text : "",
    );
    for (const text of texts) {
      assert.ok(Array.from(text).length <= LIMITS.text);
      assert.doesNotMatch(text, /more$/);
    }
    const lines = texts.flatMap((text) => text.split("\n").filter((line) => line.startsWith("• ")));
    assert.equal(lines.length, 40);
    assert.deepEqual(
      lines.map((line) => line.slice(2, 25)),
      kills.map((kill) => `${kill.at.slice(0, 19).replace("T", " ")} UTC`),
    );
    assert.deepEqual(
      replies.map((reply) => reply.text),
      texts.map((text) => `${text.split("\n").length - 1} new kills:`),
    );
    assert.deepEqual(killsReplies([], en), []);
  });

  it("when a node's kernel ran out of memory, then its kill line names the node and the victim", () => {
    const text = json(killsReply([systemOomKill()], en));
    assert.match(text, /2021-07-12 04:11:16 UTC · node out of memory · k8s-node-04 · `java` \(pid 31337\)/);
  });

  it("when kills span workloads and nodes, then each workload and each node counts once", () => {
    assert.equal(distinctWorkloads([oomKill(), oomKill(), childKill(), systemOomKill()]), 3);
  });

  it("when the storm summary opens, then it counts kills and workloads", () => {
    assert.match(
      stormSummaryRoot({ kills: 37, workloads: 12 }, en).text,
      /^Alert storm: 37 more kills in 12 workloads in the last 10 minutes; listed in this thread$/,
    );
  });
});

describe("silent kills in Slack", () => {
  const kinds: Array<[string, string]> = [
    ["gunicorn", "python"],
    ["uwsgi", "python"],
    ["celery", "python"],
    ["python3.11", "python"],
    ["php-fpm8.2", "php-fpm"],
    ["php-fpm: pool w", "php-fpm"],
    ["postgres", "postgres"],
    ["bash", "shell"],
    ["sh", "shell"],
    ["shred", "other"],
    ["java", "other"],
  ];
  for (const [name, kind] of kinds) {
    it(`when the process is ${name}, then the advice is for ${kind}`, () => {
      assert.equal(workerKind(name), kind);
    });
  }

  it("when the kernel gave resident memory and a limit, then the reply puts them side by side with advice", () => {
    const text = json(childProcessReply(childKill(), en));
    assert.match(text, /the kernel killed `gunicorn` \(pid 48211\); the container kept running/);
    assert.match(text, /Resident memory at the kill: 393\.8 MiB of the 512Mi limit \(77%\)/);
    assert.match(text, /--max-requests/);
    assert.match(text, /kubernetes\/kubernetes#100483/);
  });

  it("when only one of resident memory and the limit is known, then the reply says which", () => {
    const residentOnly = childKill({
      process: { name: "gunicorn", pid: 1, residentBytes: 1_048_576, limitBytes: null },
    });
    assert.match(json(childProcessReply(residentOnly, en)), /1\.0 MiB; the limit is not known/);
    const limitOnly = childKill({
      process: { name: "gunicorn", pid: 1, residentBytes: null, limitBytes: 536_870_912 },
    });
    assert.match(json(childProcessReply(limitOnly, en)), /The memory limit is 512Mi; the kernel did not say/);
  });

  it("when rendered in Chinese, then the explanation is Chinese", () => {
    assert.match(json(childProcessReply(childKill(), zh)), /静默杀死[\s\S]*怎么办/);
  });
});

describe("subscriptions in Slack", () => {
  const subscription = (overrides: Partial<AlertSubscription>): AlertSubscription =>
    alertSubscription({ id: "a1b2c3", ...overrides });

  it("when listing, then each says its scope, what it waits for, its quiet hours and who made it", () => {
    const text = json(
      watchListMessage(
        [
          subscription({
            minSeverity: "warning",
            quiet: { from: "22:00", to: "07:00" },
            tz: "Asia/Shanghai",
          }),
          subscription({ id: "route-1", scope: "team-*", createdBy: "config" }),
        ],
        en,
      ),
    );
    assert.match(
      text,
      /• `a1b2c3` · `production` · warning and louder · quiet 22:00–07:00 \(Asia\/Shanghai\) · by <@U0ALICE>/,
    );
    assert.match(text, /• `route-1` · `team-\*` · from alerts.routes/);
  });

  it("when there are none, then the list says how to add one", () => {
    assert.match(
      watchListMessage([], en).text,
      /no alert subscriptions: `\/oom watch <namespace\|all>` adds one/,
    );
  });

  it("when asked for help, then both languages list the watch commands", () => {
    for (const t of [en, zh]) {
      assert.match(helpMessage(t).text, /`\/oom watch <[^>]+\|all> \[min info\|warning\|critical\]/);
      assert.match(helpMessage(t).text, /`\/oom watch list` · `\/oom unwatch <id>`/);
    }
  });
});

describe("silent kills in reports and digests", () => {
  it("when gunicorn workers of one workload were killed three times, then one line counts them with the last time", () => {
    const kills = [
      childKill({ id: "a", at: "2021-07-12T04:11:16.000Z" }),
      childKill({ id: "b", at: "2021-07-12T06:30:00.000Z" }),
      childKill({ id: "c", at: "2021-07-12T05:00:00.000Z" }),
      childKill({
        id: "d",
        workload: "Deployment/php",
        process: { name: "php-fpm", pid: 9, residentBytes: null, limitBytes: null },
      }),
    ];
    const text = silentKillsText(kills, en) ?? "";
    const lines = text.split("\n");
    assert.match(lines[0] ?? "", /Silent kills in the last 24 hours/);
    assert.equal(lines.length, 3);
    assert.match(
      lines[1] ?? "",
      /3 silent kills of `gunicorn` in shop \/ Deployment\/web, the last at 2021-07-12 06:30/,
    );
    assert.match(lines[2] ?? "", /1 silent kill of `php-fpm` in shop \/ Deployment\/php/);
    assert.match(silentKillsText(kills, zh) ?? "", /被静默杀死 3 次/);
  });

  it("when there are none, then there is nothing to say", () => {
    assert.equal(silentKillsText([], en), null);
  });

  it("when a process name would mention everyone, then it is inert", () => {
    const text =
      silentKillsText(
        [childKill({ process: { name: "<!channel>", pid: 1, residentBytes: null, limitBytes: null } })],
        en,
      ) ?? "";
    assert.doesNotMatch(text, /<!channel>/);
  });
});
