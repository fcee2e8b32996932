// Recognises the lines of a kernel oom-killer report, across kernel generations, one line at a time.
// Which report a line belongs to is decided later (oom-event.ts); here each line only says what it is.

export type MemcgCounter = "memory" | "memory+swap" | "swap" | "kmem";
export type KillScope = "memcg" | "global" | null;

export interface KilledProcess {
  pid: number;
  comm: string;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  uid: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number | null;
}

export type KernelFact =
  | { kind: "invoked"; comm: string; gfpMask: string; order: number; oomScoreAdj: number }
  | { kind: "cpuset"; comm: string; cpuset: string }
  | { kind: "cpu"; pid: number; comm: string; kernelVersion: string | null }
  | { kind: "task-in"; taskMemcg: string; oomMemcg: string | null }
  | { kind: "counter"; counter: MemcgCounter; usageKb: number; limitKb: number; failcnt: number }
  | { kind: "stats-for"; path: string; inline: Record<string, number> }
  | { kind: "stat"; name: string; value: number }
  | { kind: "tasks-state" }
  | { kind: "table-header"; columns: string[] }
  | { kind: "table-row"; pid: number; rest: string }
  | {
      kind: "summary";
      constraint: string | null;
      globalOom: boolean;
      oomMemcg: string | null;
      taskMemcg: string | null;
      comm: string | null;
      pid: number | null;
      uid: number | null;
    }
  | { kind: "select"; scope: KillScope; pid: number; comm: string; score: number }
  | { kind: "killed"; scope: KillScope; victim: KilledProcess }
  | { kind: "oom-group"; memcg: string }
  | { kind: "reaped"; pid: number; comm: string; anonRssKb: number; fileRssKb: number; shmemRssKb: number }
  | { kind: "mem-info" }
  | { kind: "mem-info-line"; values: Record<string, number> }
  | { kind: "pages-ram"; pages: number }
  | { kind: "no-killable"; panic: boolean }
  | { kind: "suppressed"; source: string; count: number }
  | { kind: "user-stack"; pointer: bigint }
  | { kind: "memcg-frame" }
  | { kind: "boot" };

// A comm is at most 15 bytes; allowing a little more tolerates odd encodings without swallowing a line.
const INVOKED =
  /^(.{1,32}) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)(?:\([^)]*\))?,\s*(?:nodemask=\S*?,\s*)?order=(-?\d+),\s*oom_score_adj=(-?\d+)/;
const CPUSET = /^(.{1,32}) cpuset=(\S*) mems_allowed=\S+/;
const CPU = /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (.*?)(?: Kdump: \S+)? (?:Not tainted|Tainted:)(.*)$/;
const KERNEL_VERSION = /^\d+\.\d+[\w.+~-]*$/;
const TASK_IN =
  /^Task in (\/\S*?)(?:\.\.\.)?(?: killed as a result of limit of (\/\S*?)(?:\.\.\.)?)?(?:\s|$)/;
const COUNTER = /^(memory|memory\+swap|swap|kmem): usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/;
const STATS_FOR = /^Memory cgroup stats for (\S+?):?(?:\s+(.*))?$/;
const INLINE_STAT = /^([a-z_]+):(\d+)KB$/;
const STAT = /^([a-z_]+) (\d+)$/;
const TASKS_STATE = /^Tasks state \(memory values in pages\):/;
const TABLE_HEADER = /^\[\s*pid\s*\]\s+(.*\S)\s*$/;
const TABLE_ROW = /^\[\s*(\d+)\]\s+(.*)$/;
// Some vendor 3.10 kernels print the summary without its constraint: `oom-kill:,cpuset=...`.
const SUMMARY = /^oom-kill:(?:constraint=([A-Z_]+))?(?:,(.*))?$/;
const DIGITS = /^-?\d+$/;
const KILL_PREFIX = "(Memory cgroup out of memory|Out of memory(?: \\(oom_kill_allocating_task\\))?)";
// 2.6.3x and later: `Kill process N (comm) score S or sacrifice child`; before, `kill process ... or a child`.
const SELECT = new RegExp(
  `^(?:${KILL_PREFIX}: )?[Kk]ill process (\\d+) \\((.*)\\) score (\\d+) or (?:sacrifice|a) child`,
);
// Upstream prints `Killed process N (comm) total-vm:...`; Red Hat's 3.10 kernels `Killed process N (comm),
// UID U, total-vm:...` and its 2.6.32 ones `Killed process N, UID U, (comm) total-vm:...`. The comm may
// hold spaces and parentheses: it runs to the last `)` that the figures can follow.
const KILLED = new RegExp(
  `^(?:${KILL_PREFIX}: )?Killed process (\\d+)(?:, UID (\\d+),)? \\((.*)\\)(?:,? (?:UID (\\d+), )?(total-vm:.*))?$`,
);
// Before 4.6 the kernel panicked with it, for global OOMs only; since 4.19 memcg OOMs print it too.
const NO_KILLABLE = /^(Kernel panic - not syncing: )?Out of memory and no killable processes/;
const KILLED_FIELD = /(total-vm|anon-rss|file-rss|shmem-rss|UID|pgtables|oom_score_adj):\s*(-?\d+)(kB)?/g;
const OOM_GROUP = /^Tasks in (\S+) are going to be killed due to memory\.oom\.group set/;
const REAPED =
  /^oom_reaper: reaped process (\d+) \((.*)\),? now anon-rss:\s*(\d+)kB, file-rss:\s*(\d+)kB, shmem-rss:\s*(\d+)kB/;
const MEM_INFO = /^Mem-Info:/;
const MEM_INFO_PAIR = /^([a-z_]+):(\d+)$/;
const PAGES_RAM = /^(\d+) pages RAM$/;
const MEM_INFO_LINE = /^active_anon:\d+.*$/;
const SUPPRESSED = /^(\S+): (\d+) callbacks suppressed/;
const BOOT = /^Linux version \d/;
// Call-trace frames only a memcg OOM passes through (a global one never does), in every trace format.
const MEMCG_FRAME = /\bmem_cgroup_(?:out_of_memory|oom_synchronize)\+0x/;
// `RSP: 002b:<address>`: the user-space stack pointer of the task that invoked the OOM killer.
const USER_STACK = /^RSP: 002b:([0-9a-f]{16})\b/;

function scopeOf(prefix: string | undefined): KillScope {
  if (prefix === undefined) return null;
  if (prefix.startsWith("Memory cgroup")) return "memcg";
  if (prefix.startsWith("Out of memory")) return "global";
  return null;
}

function number(text: string | undefined): number {
  return Number(text);
}

/**
 * Reads the `key:value` fields after `Killed process N (comm)`. On a line cut by a pager the last field
 * may be missing digits, so a field that runs into the cut is dropped rather than trusted.
 */
function killedFields(text: string, cutByPager: boolean): Partial<Record<string, number>> {
  const fields: Partial<Record<string, number>> = {};
  for (const match of text.matchAll(KILLED_FIELD)) {
    const end = (match.index ?? 0) + match[0].length;
    if (cutByPager && end >= text.length) continue;
    fields[match[1] ?? ""] = number(match[2]);
  }
  return fields;
}

function killedFact(match: RegExpExecArray, cutByPager: boolean): KernelFact {
  const fields = killedFields(match[6] ?? "", cutByPager);
  const redHatUid = match[3] ?? match[5];
  return {
    kind: "killed",
    scope: scopeOf(match[1]),
    victim: {
      pid: number(match[2]),
      comm: match[4] ?? "",
      totalVmKb: fields["total-vm"] ?? null,
      anonRssKb: fields["anon-rss"] ?? null,
      fileRssKb: fields["file-rss"] ?? null,
      shmemRssKb: fields["shmem-rss"] ?? null,
      uid: fields.UID ?? (redHatUid === undefined ? null : number(redHatUid)),
      pgtablesKb: fields.pgtables ?? null,
      oomScoreAdj: fields.oom_score_adj ?? null,
    },
  };
}

/**
 * The task's own fields end the summary line: `,task=<comm>,pid=<n>,uid=<n>`. The comm may hold commas,
 * so they are read from the end, with string searches rather than a backtracking pattern.
 */
function summaryTask(rest: string): { at: number; comm: string; pid: number; uid: number } | null {
  const uidAt = rest.lastIndexOf(",uid=");
  const pidAt = uidAt < 0 ? -1 : rest.lastIndexOf(",pid=", uidAt);
  const taskAt = pidAt < 0 ? -1 : rest.lastIndexOf("task=", pidAt);
  if (taskAt < 0) return null;
  const pid = rest.slice(pidAt + 5, uidAt);
  const uid = rest.slice(uidAt + 5);
  if (!DIGITS.test(pid) || !DIGITS.test(uid)) return null;
  const at = taskAt > 0 && rest[taskAt - 1] === "," ? taskAt - 1 : taskAt;
  return { at, comm: rest.slice(taskAt + 5, pidAt), pid: number(pid), uid: number(uid) };
}

/** The release in `Not tainted 4.18.0-305.el8.x86_64 #1`: the word before the build number. */
function kernelVersion(text: string): string | null {
  const words = text.split(/\s+/);
  for (let i = 0; i + 1 < words.length; i++) {
    const word = words[i] ?? "";
    if (words[i + 1]?.startsWith("#") && KERNEL_VERSION.test(word)) return word;
  }
  return null;
}

function summaryFact(match: RegExpExecArray): KernelFact {
  const rest = match[2] ?? "";
  const task = summaryTask(rest);
  const fields = (task ? rest.slice(0, task.at) : rest).split(",");
  const field = (name: string) => {
    const found = fields.find((text) => text.startsWith(`${name}=`));
    return found === undefined ? null : found.slice(name.length + 1);
  };
  return {
    kind: "summary",
    constraint: match[1] ?? null,
    globalOom: fields.includes("global_oom"),
    oomMemcg: field("oom_memcg"),
    taskMemcg: field("task_memcg"),
    comm: task?.comm ?? null,
    pid: task?.pid ?? null,
    uid: task?.uid ?? null,
  };
}

/**
 * A line pattern with a literal every match holds (`^` in front: at the start). Most kernel lines in a
 * journal are no part of a report: the literal turns them away without running a pattern.
 */
type Rule = readonly [string, RegExp, (match: RegExpExecArray, cutByPager: boolean) => KernelFact];

/**
 * Reads `name:value` pairs separated by blanks. Each word is matched whole and anchored: a global search
 * over the line would backtrack quadratically on a long run of letters.
 */
function pairs(text: string, pattern: RegExp, scale = 1): Record<string, number> {
  const values: Record<string, number> = {};
  for (const word of text.split(/\s+/)) {
    const pair = pattern.exec(word);
    if (pair) values[pair[1] ?? ""] = number(pair[2]) * scale;
  }
  return values;
}

// Most frequent lines first: task-table rows and kill lines dominate long reports.
const RULES: readonly Rule[] = [
  ["^[", TABLE_ROW, (m) => ({ kind: "table-row", pid: number(m[1]), rest: m[2] ?? "" })],
  ["Killed process", KILLED, killedFact],
  [
    " invoked oom-killer:",
    INVOKED,
    (m) => ({
      kind: "invoked",
      comm: m[1] ?? "",
      gfpMask: m[2] ?? "",
      order: number(m[3]),
      oomScoreAdj: number(m[4]),
    }),
  ],
  [
    ": usage ",
    COUNTER,
    (m) => ({
      kind: "counter",
      counter: m[1] as MemcgCounter,
      usageKb: number(m[2]),
      limitKb: number(m[3]),
      failcnt: number(m[4]),
    }),
  ],
  ["^oom-kill:", SUMMARY, summaryFact],
  ["^Task in ", TASK_IN, (m) => ({ kind: "task-in", taskMemcg: m[1] ?? "", oomMemcg: m[2] ?? null })],
  [
    "^Memory cgroup stats for",
    STATS_FOR,
    (m) => ({ kind: "stats-for", path: m[1] ?? "", inline: pairs(m[2] ?? "", INLINE_STAT, 1024) }),
  ],
  ["^[", TABLE_HEADER, (m) => ({ kind: "table-header", columns: (m[1] ?? "").split(/\s+/) })],
  [
    "^CPU: ",
    CPU,
    (m) => ({
      kind: "cpu",
      pid: number(m[1]),
      comm: m[2] ?? "",
      kernelVersion: kernelVersion(m[3] ?? ""),
    }),
  ],
  [
    "ill process ",
    SELECT,
    (m) => ({
      kind: "select",
      scope: scopeOf(m[1]),
      pid: number(m[2]),
      comm: m[3] ?? "",
      score: number(m[4]),
    }),
  ],
  [
    "^oom_reaper: ",
    REAPED,
    (m) => ({
      kind: "reaped",
      pid: number(m[1]),
      comm: m[2] ?? "",
      anonRssKb: number(m[3]),
      fileRssKb: number(m[4]),
      shmemRssKb: number(m[5]),
    }),
  ],
  ["^Tasks in ", OOM_GROUP, (m) => ({ kind: "oom-group", memcg: m[1] ?? "" })],
  [" cpuset=", CPUSET, (m) => ({ kind: "cpuset", comm: m[1] ?? "", cpuset: m[2] ?? "" })],
  ["^Tasks state", TASKS_STATE, () => ({ kind: "tasks-state" })],
  ["^Mem-Info:", MEM_INFO, () => ({ kind: "mem-info" })],
  [" pages RAM", PAGES_RAM, (m) => ({ kind: "pages-ram", pages: number(m[1]) })],
  ["^active_anon:", MEM_INFO_LINE, (m) => ({ kind: "mem-info-line", values: pairs(m[0], MEM_INFO_PAIR) })],
  ["no killable processes", NO_KILLABLE, (m) => ({ kind: "no-killable", panic: m[1] !== undefined })],
  [
    " callbacks suppressed",
    SUPPRESSED,
    (m) => ({ kind: "suppressed", source: m[1] ?? "", count: number(m[2]) }),
  ],
  ["^RSP: 002b:", USER_STACK, (m) => ({ kind: "user-stack", pointer: BigInt(`0x${m[1]}`) })],
  ["mem_cgroup_", MEMCG_FRAME, () => ({ kind: "memcg-frame" })],
  ["^Linux version ", BOOT, () => ({ kind: "boot" })],
];

const GATED_RULES = RULES.map(([needle, pattern, build]) => ({
  atStart: needle.startsWith("^"),
  literal: needle.replace(/^\^/, ""),
  pattern,
  build,
}));

/**
 * What a kernel line says about an OOM report, or null for lines that carry nothing we use (stack
 * frames, registers, hardware names). `inStats` lets a bare `name value` line count as a memory.stat
 * entry only right after a `Memory cgroup stats for` header.
 */
export function readKernelLine(message: string, cutByPager: boolean, inStats: boolean): KernelFact | null {
  const line = message.trim();
  if (inStats) {
    const stat = STAT.exec(line);
    if (stat) return { kind: "stat", name: stat[1] ?? "", value: number(stat[2]) };
  }
  for (const { literal, atStart, pattern, build } of GATED_RULES) {
    if (atStart ? !line.startsWith(literal) : !line.includes(literal)) continue;
    const match = pattern.exec(line);
    if (match) return build(match, cutByPager);
  }
  return null;
}
