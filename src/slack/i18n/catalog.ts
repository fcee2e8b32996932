// The message catalog for a locale.

import type { Locale } from "../../config/schema.js";
import { en, type Messages } from "./en.js";
import { zhCN } from "./zh-CN.js";

const CATALOGS: Record<Locale, Messages> = { en, "zh-CN": zhCN };

export function messages(locale: Locale): Messages {
  return CATALOGS[locale];
}

export type { Messages };
