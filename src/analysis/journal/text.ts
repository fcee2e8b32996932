// Text journals: journalctl's short, short-iso, short-precise, short-full and short-monotonic forms in
// any locale, syslog files, dmesg with or without `[ 1432.39]` stamps, dmesg -T, and bare kernel lines.

import { fractionToMillis, type LogTime, NO_TIME, parseUtcOffset, type WallClock } from "../log-time.js";
import { monthNumber } from "./months.js";
import { type LogRecord, splitRsyslogEscapes, stripPagerCut } from "./record.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?\s+(.*)$/;
const FULL =
  /^(?:\S+\s+)?(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:\s+([A-Za-z]{1,6}|[+-]\d{2,4}))?\s+(.*)$/;
const SHORT = /^(\S+)\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s+(.*)$/;
// `dmesg -T`; a paste may have lost the opening bracket of the first line.
const DMESG_T =
  /^\[?\s*\S+\s+(\S+)\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\](?:\[\s*[TC]\d+\])?\s?(.*)$/;
// A kernel built with CONFIG_PRINTK_CALLER adds the caller after the stamp: `[ 37.05][ T9185]`.
const MONOTONIC = /^\[\s*(\d+\.\d+)\](?:\[\s*[TC]\d+\])?\s?(.*)$/;
const HOST_IDENT = /^(\S+)\s+([^\s:[]+)(?:\[(\d+)\])?:(?: (.*))?$/;
const IDENT_ONLY = /^kernel:(?: (.*))?$/;
const KERNEL_STAMP = /^\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])?\s?/;
const BOOT_MARKER = /^-- (?:Boot [0-9a-f]+|Reboot) --$/;

interface Prefix {
  time: LogTime;
  /** What follows the time: `host ident: message` for journal forms, the message itself for dmesg. */
  rest: string;
  hasHost: boolean;
}

function wall(
  year: number | null,
  month: number,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction?: string,
): WallClock {
  return {
    year,
    month,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: fractionToMillis(fraction),
  };
}

function timeFromWall(clock: WallClock, offsetText: string | undefined): LogTime {
  const offset = offsetText === undefined ? null : parseUtcOffset(offsetText);
  if (offset === null) return { kind: "wall", wall: clock };
  const utc = Date.UTC(
    clock.year ?? 1970,
    clock.month - 1,
    clock.day,
    clock.hour,
    clock.minute,
    clock.second,
    clock.millisecond,
  );
  return { kind: "instant", epochMs: utc - offset * 60_000 };
}

function isoPrefix(line: string): Prefix | null {
  const m = ISO.exec(line);
  if (!m) return null;
  const clock = wall(Number(m[1]), Number(m[2]), m[3], m[4], m[5], m[6], m[7]);
  // `dmesg --time-format iso` writes a comma before the fraction and no host; journalctl a dot.
  const dmesg = line.charCodeAt(19) === 0x2c;
  return { time: timeFromWall(clock, m[8]), rest: m[9] ?? "", hasHost: !dmesg };
}

function fullPrefix(line: string): Prefix | null {
  const m = FULL.exec(line);
  if (!m) return null;
  const clock = wall(Number(m[1]), Number(m[2]), m[3], m[4], m[5], m[6], m[7]);
  return { time: timeFromWall(clock, m[8]), rest: m[9] ?? "", hasHost: true };
}

function bracketPrefix(line: string): Prefix | null {
  let m = DMESG_T.exec(line);
  if (m) {
    const month = monthNumber(m[1] ?? "");
    if (month !== null) {
      const clock = wall(Number(m[6]), month, m[2], m[3], m[4], m[5]);
      return { time: { kind: "wall", wall: clock }, rest: m[7] ?? "", hasHost: false };
    }
  }
  m = MONOTONIC.exec(line);
  if (!m) return null;
  const rest = m[2] ?? "";
  // journalctl -o short-monotonic puts `host kernel:` after the stamp; dmesg does not.
  return { time: { kind: "uptime", seconds: Number(m[1]) }, rest, hasHost: /^\S+\s+kernel:/.test(rest) };
}

function shortPrefix(line: string): Prefix | null {
  const m = SHORT.exec(line);
  if (!m) return null;
  const month = monthNumber(m[1] ?? "");
  if (month === null) return null;
  const clock = wall(null, month, m[2], m[3], m[4], m[5], m[6]);
  if (clock.day < 1 || clock.day > 31 || clock.hour > 23 || clock.minute > 59 || clock.second > 60)
    return null;
  return { time: { kind: "wall", wall: clock }, rest: m[7] ?? "", hasHost: true };
}

/** Tries the forms a line's first character allows, the common syslog form first. */
function matchPrefix(line: string): Prefix | null {
  const first = line.charCodeAt(0);
  if (first === 0x5b) return bracketPrefix(line);
  if (first >= 0x30 && first <= 0x39) return isoPrefix(line) ?? fullPrefix(line) ?? shortPrefix(line);
  return shortPrefix(line) ?? fullPrefix(line) ?? bracketPrefix(line);
}

function records(messageText: string, time: LogTime, host: string | null, kernel: boolean): LogRecord[] {
  const { message, cutByPager } = stripPagerCut(messageText);
  const parts = splitRsyslogEscapes(message);
  const out: LogRecord[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? "";
    out.push({
      time,
      host,
      kernel,
      message: kernel && part.charCodeAt(0) === 0x5b ? part.replace(KERNEL_STAMP, "") : part,
      cutByPager: cutByPager && index === parts.length - 1,
      bootId: null,
      marker: null,
    });
  }
  return out;
}

export type TextLine =
  | { kind: "records"; records: LogRecord[] }
  /** A line with no recognisable prefix: a bare kernel line, or the rest of a wrapped or multi-line one. */
  | { kind: "unprefixed"; text: string };

/** `boot` for journalctl's boot separators, `gap` for grep's `--` between context groups. */
function separatorKind(line: string): "boot" | "gap" | null {
  if (!line.startsWith("--")) return null;
  const trimmed = line.trim();
  if (trimmed === "--") return "gap";
  return BOOT_MARKER.test(trimmed) ? "boot" : null;
}

// `dmesg -r` and some vendors' dmesg tools keep the kernel's log level: `<6>[ 1205.51] ...`.
const KMSG_LEVEL = /^<\d{1,3}>(?=\[)/;
// `dmesg -x` names facility and level first: `kern  :err   : [ 12.34] ...`.
const DMESG_DECODED = /^kern {0,2}:[a-z]{3,6} {0,3}: /;
// A console that could not keep up says so before the next line it prints.
const PRINTK_DROPPED = /^\*\* \d+ printk messages dropped \*\* ?/;

/**
 * The last line's stamp and `host ident:` as written, with what they parsed to. A journal prints many
 * lines per second from few sources: a line that starts the same way reuses them without a pattern.
 */
export interface PrefixMemo {
  stamp: string;
  time: LogTime;
  hasHost: boolean;
  source: string;
  host: string | null;
  kernel: boolean;
}

export function newPrefixMemo(): PrefixMemo {
  return { stamp: "", time: NO_TIME, hasHost: false, source: "", host: null, kernel: false };
}

/** The rest of `line` after `head`, when the line starts with it and goes on with a non-blank. */
function after(line: string, head: string): string | null {
  if (head.length === 0 || !line.startsWith(head)) return null;
  const next = line.charCodeAt(head.length);
  return next === 0x20 || next === 0x09 || Number.isNaN(next) ? null : line.slice(head.length);
}

function prefixOf(line: string, memo: PrefixMemo): Prefix | null {
  const rest = after(line, memo.stamp);
  if (rest !== null) return { time: memo.time, rest, hasHost: memo.hasHost };
  const prefix = matchPrefix(line);
  if (prefix) {
    memo.stamp = line.slice(0, line.length - prefix.rest.length);
    memo.time = prefix.time;
    memo.hasHost = prefix.hasHost;
  }
  return prefix;
}

function hostRecords(prefix: Prefix, memo: PrefixMemo): LogRecord[] {
  const message = after(prefix.rest, memo.source);
  if (message !== null) return records(message, prefix.time, memo.host, memo.kernel);
  const hostIdent = HOST_IDENT.exec(prefix.rest);
  if (!hostIdent) return records(prefix.rest, prefix.time, null, false);
  const text = hostIdent[4] ?? "";
  memo.source = text.length > 0 ? prefix.rest.slice(0, prefix.rest.length - text.length) : "";
  memo.host = hostIdent[1] ?? null;
  memo.kernel = hostIdent[2] === "kernel";
  return records(text, prefix.time, memo.host, memo.kernel);
}

/** Parses one text line; `memo` carries the previous line's prefix to the next. */
export function parseTextLine(line: string, memo: PrefixMemo = newPrefixMemo()): TextLine {
  const withoutCr = line.endsWith("\r") ? line.slice(0, -1) : line;
  const trimmedEnd = withoutCr.startsWith("** ")
    ? withoutCr.replace(PRINTK_DROPPED, "")
    : withoutCr.startsWith("<")
      ? withoutCr.replace(KMSG_LEVEL, "")
      : withoutCr.startsWith("kern")
        ? withoutCr.replace(DMESG_DECODED, "")
        : withoutCr;
  const separator = separatorKind(trimmedEnd);
  if (separator !== null) {
    const marker: LogRecord = {
      time: NO_TIME,
      host: null,
      kernel: false,
      message: trimmedEnd.trim(),
      cutByPager: false,
      bootId: null,
      marker: separator,
    };
    return { kind: "records", records: [marker] };
  }
  // Mail quotes and Markdown lists indent whole pastes: an indented line that starts like a log line is one.
  const prefix =
    prefixOf(trimmedEnd, memo) ?? (/^[ \t]/.test(trimmedEnd) ? matchPrefix(trimmedEnd.trimStart()) : null);
  if (!prefix) return { kind: "unprefixed", text: trimmedEnd };
  if (!prefix.hasHost) {
    const ident = IDENT_ONLY.exec(prefix.rest);
    const message = ident ? (ident[1] ?? "") : prefix.rest;
    return {
      kind: "records",
      records: records(message, prefix.time, null, true),
    };
  }
  return { kind: "records", records: hostRecords(prefix, memo) };
}
