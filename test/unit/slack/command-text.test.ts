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
