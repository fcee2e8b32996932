// Month names as `%b` prints them in the locales our users' nodes run. Numeric forms (`7月`, `7월`, `07`)
// need no table.

const NAMES: Record<string, number> = {};

const LOCALES: string[][] = [
  ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], // en
  ["jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"], // de
  ["janv", "févr", "mars", "avril", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"], // fr
  ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"], // es
  ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"], // it
  ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"], // pt
  ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"], // nl
  ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"], // ru
  ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"], // pl
  ["oca", "şub", "mar", "nis", "may", "haz", "tem", "ağu", "eyl", "eki", "kas", "ara"], // tr
];

for (const names of LOCALES) {
  names.forEach((name, index) => {
    NAMES[name] ??= index + 1;
  });
}
// Variants that differ from the table's spelling.
Object.assign(NAMES, { mrz: 3, май: 5, июнь: 6, июль: 7 });

const NUMERIC = /^(\d{1,2})(?:月|월)?$/;

// Every line of a journal repeats the same few tokens: remember the answers.
const seen = new Map<string, number | null>();
const SEEN_LIMIT = 256;

/** Month 1-12 from a `%b` token in any supported locale, or null. */
export function monthNumber(token: string): number | null {
  const known = seen.get(token);
  if (known !== undefined) return known;
  const month = lookUp(token);
  if (seen.size < SEEN_LIMIT) seen.set(token, month);
  return month;
}

function lookUp(token: string): number | null {
  const numeric = NUMERIC.exec(token);
  if (numeric) {
    const month = Number(numeric[1]);
    return month >= 1 && month <= 12 ? month : null;
  }
  const key = token.toLowerCase().replace(/\.$/, "");
  return NAMES[key] ?? NAMES[key.slice(0, 3)] ?? null;
}
