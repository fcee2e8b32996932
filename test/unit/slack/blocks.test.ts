import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  button,
  clip,
  fitMessage,
  LIMITS,
  section,
  staticSelect,
} from "../../../src/slack/render/blocks.js";

const more = (hidden: number) => `${hidden} more`;

describe("Slack's limits, enforced by the renderer", () => {
  it("when a message has more than 50 blocks, then 49 are kept and the last says how many are hidden", () => {
    const blocks: Block[] = Array.from({ length: 80 }, (_, i) => section(`block ${i}`));
    const fitted = fitMessage({ text: "t", blocks }, more);
    assert.equal(fitted.blocks.length, LIMITS.blocks);
    assert.deepEqual(fitted.blocks.at(-1), {
      type: "context",
      elements: [{ type: "mrkdwn", text: "31 more" }],
    });
  });

  it("when a section's text is over 3000 characters, then it is cut to 3000 and marked", () => {
    const fitted = fitMessage({ text: "t", blocks: [section("x".repeat(5000))] }, more);
    const block = fitted.blocks[0] as { text: { text: string } };
    assert.equal(Array.from(block.text.text).length <= LIMITS.text, true);
    assert.match(block.text.text, /…$/);
  });

  it("when the cut falls inside a code block, then the code block is closed", () => {
    const text = clip(`head\n\`\`\`${"line\n".repeat(1000)}\`\`\``, 200);
    assert.equal(text.split("```").length - 1, 2);
    assert.ok(Array.from(text).length <= 200);
  });

  it("when CJK text is cut, then characters are counted, not bytes, and none is split", () => {
    const text = clip("内存".repeat(2000), LIMITS.text);
    assert.equal(Array.from(text).length <= LIMITS.text, true);
    assert.doesNotMatch(text, /\uFFFD/);
  });

  it("when an actions block has 30 buttons, then they are spread over blocks of at most 25", () => {
    const elements = Array.from({ length: 30 }, (_, i) => button(`a${i}`, `b${i}`, `v${i}`));
    const fitted = fitMessage({ text: "t", blocks: [{ type: "actions", elements }] }, more);
    assert.deepEqual(
      fitted.blocks.map((block) => (block.type === "actions" ? block.elements.length : 0)),
      [25, 5],
    );
  });

  it("when a button label is over 75 characters, then it is cut to 75", () => {
    const fitted = fitMessage(
      { text: "t", blocks: [{ type: "actions", elements: [button("a", "L".repeat(120), "v")] }] },
      more,
    );
    const element = fitted.blocks[0]?.type === "actions" ? fitted.blocks[0].elements[0] : undefined;
    assert.ok(element?.type === "button");
    assert.ok(Array.from(element.text.text).length <= LIMITS.buttonLabel);
  });

  it("when a menu has over 100 options with long labels, then 100 are kept, each label cut to 75", () => {
    const options = Array.from({ length: 130 }, (_, i) => ({
      label: `${i}-${"w".repeat(100)}`,
      value: `v${i}`,
    }));
    const fitted = fitMessage(
      { text: "t", blocks: [{ type: "actions", elements: [staticSelect("a", "P".repeat(200), options)] }] },
      more,
    );
    const element = fitted.blocks[0]?.type === "actions" ? fitted.blocks[0].elements[0] : undefined;
    assert.ok(element?.type === "static_select");
    assert.equal(element.options.length, LIMITS.selectOptions);
    for (const option of element.options) assert.ok(Array.from(option.text.text).length <= LIMITS.optionText);
    assert.ok(Array.from(element.placeholder.text).length <= LIMITS.placeholder);
  });

  it("when a section has more than 10 fields, then 10 are kept", () => {
    const fields = Array.from({ length: 14 }, (_, i) => ({ type: "mrkdwn" as const, text: `f${i}` }));
    const fitted = fitMessage({ text: "t", blocks: [{ type: "section", fields }] }, more);
    const block = fitted.blocks[0] as { fields: unknown[] };
    assert.equal(block.fields.length, LIMITS.fields);
  });
});
