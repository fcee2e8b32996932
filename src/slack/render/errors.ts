// Errors in chat, in one wording: the kind in the reader's language, then what is wrong and what to
// do when that holds nothing internal (see forUsers), else where the details are. Pure.

import { type AppError, forUsers } from "../../errors.js";
import type { Messages } from "../i18n/catalog.js";
import { inert } from "./escape.js";

export function errorText(error: AppError, t: Messages): string {
  const { kind, detail } = forUsers(error);
  if (detail === null) return `${t.errorKind[kind]}: ${t.errorInLogs}`;
  const hint = detail.hint === null ? "" : ` (${inert(detail.hint)})`;
  return `${t.errorKind[kind]}: ${inert(detail.message)}${hint}`;
}
