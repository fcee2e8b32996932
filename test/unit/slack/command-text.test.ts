import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseOomCommand } from "../../../src/slack/command-text.js";
import { messages } from "../../../src/slack/i18n/catalog.js";

const t = messages("en");

describe("/oom text", () => {
  const cases: Array<[string, unknown]> = [
    ["", { kind: "help" }],
    ["  help ", { kind: "help" }],
    ["status", { kind: "status" }],
    ["production", { kind: "investigate", namespace: "production", pod: null }],
    ["  production   api-7d9f-x2 ", { kind: "investigate", namespace: "production", pod: "api-7d9f-x2" }],
    // "status" followed by a pod is a namespace called status.
    ["status web-0", { kind: "investigate", namespace: "status", pod: "web-0" }],
  ];
  for (const [text, expected] of cases) {
    it(`when the text is ${JSON.stringify(text)}, then it parses as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseOomCommand(text, t), expected);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ["Production", /`Production` is not a namespace name/],
    ["prod_1", /`prod_1` is not a namespace name/],
    [`${"a".repeat(64)}`, /is not a namespace name/],
    ["-prod", /is not a namespace name/],
    ["prod Pod_1", /`Pod_1` is not a pod name/],
    ["prod pod extra words", /Unexpected words: `extra words`/],
    // Quoted back inert: no mention forms, and the code span cannot be closed from inside.
    ["x```<!here>", /^`xˋˋˋ&lt;!here&gt;` is not a namespace name/],
    ["prod pod <@U0BOSS>&", /Unexpected words: `&lt;@U0BOSS&gt;&amp;`/],
  ];
  for (const [text, problem] of invalid) {
    it(`when the text is ${JSON.stringify(text)}, then the problem is named`, () => {
      const parsed = parseOomCommand(text, t);
      assert.equal(parsed.kind, "invalid");
      assert.match(parsed.kind === "invalid" ? parsed.problem : "", problem);
    });
  }

  it("when the same mistake is made in Chinese, then the message is Chinese", () => {
    const parsed = parseOomCommand("Prod", messages("zh-CN"));
    assert.match(parsed.kind === "invalid" ? parsed.problem : "", /不是合法的命名空间名称/);
  });
});

describe("/oom watch text", () => {
  const cases: Array<[string, unknown]> = [
    ["watch production", { kind: "watch", scope: "production", minSeverity: null, quiet: null, tz: null }],
    ["watch all", { kind: "watch", scope: "all", minSeverity: null, quiet: null, tz: null }],
    [
      "watch production min critical quiet 22:00-7:30 tz Asia/Shanghai",
      {
        kind: "watch",
        scope: "production",
        minSeverity: "critical",
        quiet: { from: "22:00", to: "07:30" },
        tz: "Asia/Shanghai",
      },
    ],
    // An en dash, as phones and word processors turn "-" into.
    [
      "watch shop quiet 12:00–13:00",
      { kind: "watch", scope: "shop", minSeverity: null, quiet: { from: "12:00", to: "13:00" }, tz: null },
    ],
    ["watch list", { kind: "watch-list" }],
    ["  unwatch   a1b2c3 ", { kind: "unwatch", id: "a1b2c3" }],
  ];
  for (const [text, expected] of cases) {
    it(`when the text is ${JSON.stringify(text)}, then it parses as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseOomCommand(text, t), expected);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ["watch", /`` is not a namespace name/],
    ["watch Prod", /`Prod` is not a namespace name/],
    ["watch prod min loud", /`loud` is not a severity: write info, warning or critical/],
    ["watch prod min", /`` is not a severity/],
    ["watch prod quiet 22:00", /`22:00` is not a span of quiet hours/],
    ["watch prod quiet 25:00-07:00", /`25:00-07:00` is not a span of quiet hours/],
    ["watch prod quiet 07:00-07:00", /`07:00-07:00` is not a span of quiet hours/],
    ["watch prod quiet 1:00-2:00-3:00", /is not a span of quiet hours/],
    ["watch prod tz Mars/Olympus", /`Mars\/Olympus` is not an IANA time zone/],
    ["watch prod every day", /Unexpected words: `every day`/],
    ["watch list now", /Unexpected words: `now`/],
    ["unwatch", /Say which subscription to stop/],
    ["unwatch a b", /Unexpected words: `b`/],
    ["watch prod min <!here>", /`&lt;!here&gt;` is not a severity/],
  ];
  for (const [text, problem] of invalid) {
    it(`when the text is ${JSON.stringify(text)}, then the problem is named with the usage`, () => {
      const parsed = parseOomCommand(text, t);
      assert.equal(parsed.kind, "invalid");
      const said = parsed.kind === "invalid" ? parsed.problem : "";
      assert.match(said, problem);
      assert.match(said, /\/oom watch <namespace\|all> \[min info\|warning\|critical\]/);
    });
  }

  it("when a watch is mistyped in Chinese, then the message and usage are Chinese", () => {
    const parsed = parseOomCommand("watch prod quiet soon", messages("zh-CN"));
    assert.match(
      parsed.kind === "invalid" ? parsed.problem : "",
      /不是合法的免打扰时段[\s\S]*用法：`\/oom watch/,
    );
  });
});
