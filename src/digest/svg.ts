// What the server's pictures share: each is drawn on its own white card with dark text, so it reads
// the same in Slack's light and dark themes, and every name in it comes from the cluster, so it is
// escaped. Pure.

/** The card and its inks: text 15.8:1 and muted text 6.4:1 against the card. */
export const INK = { card: "#ffffff", border: "#d0d7de", text: "#1f2328", muted: "#57606a" } as const;

/** Okabe-Ito (colour-blind-safe) hues, in the order the pictures use them. */
export const OKABE_ITO = {
  blue: "#0072B2",
  vermillion: "#D55E00",
  green: "#009E73",
  purple: "#CC79A7",
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  black: "#000000",
} as const;

// Characters XML 1.0 forbids even as references: a name holding one would make the picture unreadable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text and attribute values for XML: names from the cluster may hold any character. */
export const xmlText = (text: string): string =>
  text
    .replace(NOT_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/** The opening `<svg>` and its card; the caller closes it with `</svg>`. */
export function svgCard(width: number, height: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">`,
    `<rect x="0" y="0" width="${width}" height="${height}" rx="12" fill="${INK.card}" stroke="${INK.border}"/>`,
  ];
}
