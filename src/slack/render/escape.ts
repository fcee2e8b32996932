// Values from outside oom-doctor (kernel comms, Kubernetes names, what users type, other systems'
// error messages) made inert in Slack's mrkdwn. Slack reads `<...>` as mentions and links (`<!here>`,
// `<@U...>`, `<https://...|text>`), so `&`, `<` and `>` travel as entities; a backtick in a value could
// close the code span or block around it, so it becomes a look-alike Slack does not read. Every
// renderer passes what it interpolates through here: a comm of "x```<!here>" stays text.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
/** MODIFIER LETTER GRAVE ACCENT: looks like a backtick, means nothing to mrkdwn. */
const NOT_A_BACKTICK = "\u02cb";

/** `&`, `<` and `>` as entities: for prose oom-doctor wrote itself, whose own code spans must stay. */
export function entities(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char] ?? char);
}

/** A value interpolated into mrkdwn, inside or outside code: no mention, link or code fence can form. */
export function inert(value: string): string {
  return entities(value).replaceAll("`", NOT_A_BACKTICK);
}

/** Lines from outside shown as a code block: nothing in them can close it. */
export function codeBlock(lines: string[]): string {
  return `\`\`\`${lines.map(inert).join("\n")}\`\`\``;
}
