// The few Block Kit shapes the bot uses, and Slack's size limits, enforced here so no renderer can
// produce a message Slack would refuse (`invalid_blocks`).

export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
}

export interface ButtonElement {
  type: "button";
  action_id: string;
  text: { type: "plain_text"; text: string };
  value: string;
  style?: "primary" | "danger";
}

export interface OptionObject {
  text: { type: "plain_text"; text: string };
  value: string;
}

export interface StaticSelectElement {
  type: "static_select";
  action_id: string;
  placeholder: { type: "plain_text"; text: string };
  options: OptionObject[];
}

export type Block =
  | { type: "section"; text: TextObject; fields?: TextObject[] }
  | { type: "section"; fields: TextObject[] }
  | { type: "context"; elements: TextObject[] }
  | { type: "actions"; elements: Array<ButtonElement | StaticSelectElement> }
  | { type: "divider" }
  | { type: "header"; text: { type: "plain_text"; text: string } };

export interface SlackMessage {
  /** The notification and accessibility text. */
  text: string;
  blocks: Block[];
}

export const LIMITS = {
  blocks: 50,
  text: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  actionsElements: 25,
  buttonLabel: 75,
  selectOptions: 100,
  optionText: 75,
  placeholder: 150,
  headerText: 150,
  fallbackText: 4000,
} as const;

const ELLIPSIS = "…";

/** Cuts text to at most `max` characters (code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  // A cut inside a code block would leave it open: close it.
  const cut = chars.slice(0, max - 5).join("");
  const fences = cut.split("```").length - 1;
  return fences % 2 === 1 ? `${cut}${ELLIPSIS}\n\`\`\`` : `${cut}${ELLIPSIS}`;
}

export const mrkdwn = (text: string): TextObject => ({ type: "mrkdwn", text });

export function section(text: string, fields?: string[]): Block {
  return fields && fields.length > 0
    ? { type: "section", text: mrkdwn(text), fields: fields.map(mrkdwn) }
    : { type: "section", text: mrkdwn(text) };
}

export const context = (...texts: string[]): Block => ({ type: "context", elements: texts.map(mrkdwn) });

/** A menu of up to 100 options, each a label and the value its choice sends. */
export function staticSelect(
  actionId: string,
  placeholder: string,
  options: Array<{ label: string; value: string }>,
): StaticSelectElement {
  return {
    type: "static_select",
    action_id: actionId,
    placeholder: { type: "plain_text", text: placeholder },
    options: options.map((option) => ({
      text: { type: "plain_text", text: option.label },
      value: option.value,
    })),
  };
}

export function button(actionId: string, label: string, value: string, style?: "primary"): ButtonElement {
  const element: ButtonElement = {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: label },
    value,
  };
  return style ? { ...element, style } : element;
}

function fitText(text: TextObject, max: number): TextObject {
  return { ...text, text: clip(text.text, max) };
}

const plainText = (text: string, max: number) => ({ type: "plain_text" as const, text: clip(text, max) });

function fitElement(element: ButtonElement | StaticSelectElement): ButtonElement | StaticSelectElement {
  if (element.type === "button")
    return { ...element, text: plainText(element.text.text, LIMITS.buttonLabel) };
  return {
    ...element,
    placeholder: plainText(element.placeholder.text, LIMITS.placeholder),
    options: element.options
      .slice(0, LIMITS.selectOptions)
      .map((option) => ({ ...option, text: plainText(option.text.text, LIMITS.optionText) })),
  };
}

function fitBlock(block: Block): Block[] {
  switch (block.type) {
    case "section": {
      const fields = "fields" in block && block.fields ? block.fields : undefined;
      const fitted = fields?.slice(0, LIMITS.fields).map((field) => fitText(field, LIMITS.fieldText));
      if (!("text" in block)) return [{ type: "section", fields: fitted ?? [] }];
      const text = fitText(block.text, LIMITS.text);
      return [fitted ? { type: "section", text, fields: fitted } : { type: "section", text }];
    }
    case "context":
      return [
        {
          type: "context",
          elements: block.elements.slice(0, LIMITS.contextElements).map((e) => fitText(e, LIMITS.text)),
        },
      ];
    case "actions": {
      // More elements than one block takes are spread over several blocks, not dropped.
      const elements = block.elements.map(fitElement);
      const blocks: Block[] = [];
      for (let start = 0; start < elements.length; start += LIMITS.actionsElements)
        blocks.push({ type: "actions", elements: elements.slice(start, start + LIMITS.actionsElements) });
      return blocks;
    }
    case "header":
      return [{ type: "header", text: { ...block.text, text: clip(block.text.text, LIMITS.headerText) } }];
    case "divider":
      return [block];
  }
}

/**
 * The message within Slack's limits: long texts cut (code blocks kept closed), buttons spread over
 * actions blocks, and at most 50 blocks, the last saying how much was left out.
 */
export function fitMessage(message: SlackMessage, moreText: (hidden: number) => string): SlackMessage {
  const blocks = message.blocks.flatMap(fitBlock);
  const fitted =
    blocks.length <= LIMITS.blocks
      ? blocks
      : [...blocks.slice(0, LIMITS.blocks - 1), context(moreText(blocks.length - (LIMITS.blocks - 1)))];
  return { text: clip(message.text, LIMITS.fallbackText), blocks: fitted };
}
