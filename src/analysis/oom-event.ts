// Assembles kernel lines into OOM events. Reports are attributed by what their lines say (PIDs, which
// section is open, which fields are still missing), not by adjacency, so interleaved and repeated
// reports come apart correctly. Streaming: memory stays bounded however long the journal is.

import { type CgroupRef, decodeCgroupPath } from "./cgroup-path.js";
import type { LogRecord } from "./journal/record.js";
import { type KernelFact, type KilledProcess, type KillScope, readKernelLine } from "./kernel-facts.js";
import type { LogTime } from "./log-time.js";

export interface Victim {
  pid: number;
  comm: string;
  totalVmBytes: number | null;
  anonRssBytes: number | null;
  fileRssBytes: number | null;
  shmemRssBytes: number | null;
  uid: number | null;
  pgtablesBytes: number | null;
  oomScoreAdj: number | null;
}

export interface TaskRow {
  pid: number;
  uid: number | null;
  tgid: number | null;
  totalVmPages: number | null;
  rssPages: number | null;
  rssAnonPages: number | null;
  rssFilePages: number | null;
  rssShmemPages: number | null;
  pgtablesBytes: number | null;
  swapEntries: number | null;
  oomScoreAdj: number | null;
  name: string;
}

export interface MemcgUsage {
  usageBytes: number;
  /** Null when the cgroup has no limit (the kernel prints its page-counter maximum). */
  limitBytes: number | null;
  failcnt: number;
}

// Limits above 2^43 kB (8 PiB) are the kernel's "no limit" maximum, not a configured limit.
const UNLIMITED_KB = 2 ** 43;
const GO_ARENA_START = 0xc000000000n;
const GO_ARENA_END = 0xc100000000n;

export interface OomEvent {
  node: string | null;
  time: LogTime;
  bootId: string | null;
  /** `memcg` when a cgroup hit its limit, `global` when the node ran out. */
  scope: KillScope;
  constraint: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
  /** The cgroup whose limit was hit, decoded. */
  oomCgroup: CgroupRef | null;
  /** The victim's cgroup, decoded: this ties the event to a pod and container. */
  taskCgroup: CgroupRef | null;
  memcg: MemcgUsage | null;
  swap: MemcgUsage | null;
  kmem: MemcgUsage | null;
  memoryStats: Array<{ path: string; values: Record<string, number> }>;
  tasks: TaskRow[];
  victim: Victim | null;
  /** Which line named the victim: its `Killed process` line, or, when that did not survive, the
   * `oom-kill:` summary or the `Kill process ... or sacrifice child` choice. */
  victimSource: "kill-line" | "summary" | "choice" | null;
  /** Every process the kernel killed for this event, the victim first (more with memory.oom.group). */
  killed: Victim[];
  /** 3.x/4.x `Kill process N ... or sacrifice child`: the process chosen before a child was sacrificed. */
  selected: { pid: number; comm: string; score: number } | null;
  /** `Out of memory and no killable processes...`: the kernel found nothing it could kill. */
  noKillable: boolean;
  invoker: { comm: string; pid: number | null; oomScoreAdj: number; gfpMask: string; order: number } | null;
  kernelVersion: string | null;
  /** Go keeps goroutine stacks in its heap arenas at 0xc000000000 on 64-bit: a runtime fingerprint. */
  invokerStackInGoHeap: boolean;
  cpuset: string | null;
  oomGroup: string | null;
  reaped: { pid: number; anonRssBytes: number; fileRssBytes: number; shmemRssBytes: number } | null;
  memInfo: Record<string, number> | null;
  totalRamPages: number | null;
  /** The report is incomplete: rate-limited or missing lines. */
  partial: boolean;
  /** What is missing or damaged in the report, in words. */
  caveats: string[];
  cutByPager: boolean;
  /** The report's informative lines (no stack or registers), capped, for showing as evidence. */
  excerpt: string[];
}

export interface NodeJournalFacts {
  node: string | null;
  firstTime: LogTime | null;
  lastTime: LogTime | null;
  kernelRecords: number;
  bootIds: string[];
  bootMarkers: number;
  suppressedCallbacks: number;
}

const EXCERPT_LINES = 80;
/** The task table counts memory in pages, taken as 4 KiB (x86-64, and arm64 as most distributions build it). */
export const PAGE_BYTES = 4096;
// A report's lines come together; after this many other kernel lines on its node it is complete.
const CLOSE_AFTER_RECORDS = 200;
const ABANDON_AFTER_RECORDS = 20_000;
// A finished event waits this long for a repeat of itself before it is emitted.
const HOLD_FOR_DUPLICATES = 5_000;
const REMEMBERED_EVENTS = 64;

type Section = "header" | "stats" | "tasks" | "mem-info" | "kill";

interface Draft {
  event: OomEvent;
  section: Section;
  columns: string[] | null;
  taskPids: Set<number>;
  /** The task the `oom-kill:` summary line names: the victim when no kill line follows. */
  summaryTask: { pid: number; comm: string; uid: number | null } | null;
  /** The call trace passed through the memcg OOM path. */
  memcgTrace: boolean;
  /** The time of the report's latest line: a long silence means the report is over. */
  lastTime: LogTime;
  hasTaskIn: boolean;
  counters: Set<string>;
  lastTouched: number;
  firstSeq: number;
  taskInCut: boolean;
}

interface Finished {
  event: OomEvent;
  finishedAt: number;
  firstSeq: number;
}

function emptyEvent(record: LogRecord, node: string | null): OomEvent {
  return {
    node,
    time: record.time,
    bootId: record.bootId,
    scope: null,
    constraint: null,
    oomMemcg: null,
    taskMemcg: null,
    oomCgroup: null,
    taskCgroup: null,
    memcg: null,
    swap: null,
    kmem: null,
    memoryStats: [],
    tasks: [],
    victim: null,
    victimSource: null,
    killed: [],
    selected: null,
    noKillable: false,
    invoker: null,
    kernelVersion: null,
    invokerStackInGoHeap: false,
    cpuset: null,
    oomGroup: null,
    reaped: null,
    memInfo: null,
    totalRamPages: null,
    partial: false,
    caveats: [],
    cutByPager: false,
    excerpt: [],
  };
}

function kbToBytes(kb: number | null): number | null {
  return kb === null ? null : kb * 1024;
}

function victimFrom(killed: KilledProcess): Victim {
  return {
    pid: killed.pid,
    comm: killed.comm,
    totalVmBytes: kbToBytes(killed.totalVmKb),
    anonRssBytes: kbToBytes(killed.anonRssKb),
    fileRssBytes: kbToBytes(killed.fileRssKb),
    shmemRssBytes: kbToBytes(killed.shmemRssKb),
    uid: killed.uid,
    pgtablesBytes: kbToBytes(killed.pgtablesKb),
    oomScoreAdj: killed.oomScoreAdj,
  };
}

const COLUMN_ALIASES: Record<string, keyof TaskRow> = {
  uid: "uid",
  tgid: "tgid",
  total_vm: "totalVmPages",
  rss: "rssPages",
  rss_anon: "rssAnonPages",
  rss_file: "rssFilePages",
  rss_shmem: "rssShmemPages",
  pgtables_bytes: "pgtablesBytes",
  swapents: "swapEntries",
  oom_score_adj: "oomScoreAdj",
};

/** Reads a task-table row with the columns its header named; the name is the rest of the line. */
export function tableRow(pid: number, rest: string, columns: string[]): TaskRow | null {
  const numeric = columns.filter((column) => column !== "name");
  const row: TaskRow = {
    pid,
    uid: null,
    tgid: null,
    totalVmPages: null,
    rssPages: null,
    rssAnonPages: null,
    rssFilePages: null,
    rssShmemPages: null,
    pgtablesBytes: null,
    swapEntries: null,
    oomScoreAdj: null,
    name: "",
  };
  let position = 0;
  for (const column of numeric) {
    const match = /^\s*(-?\d+)/.exec(rest.slice(position));
    if (!match) return null;
    position += match[0].length;
    const key = COLUMN_ALIASES[column];
    if (key !== undefined && key !== "name") (row[key] as number | null) = Number(match[1]);
  }
  row.name = rest.slice(position).trim();
  return row;
}

/** Container ids named by a cpuset line (`docker-<id>.scope`, `cri-containerd-<id>.scope`, `<id>`). */
function containerIdFromCpuset(cpuset: string): string | null {
  const match = /^(?:(?:docker|cri-containerd|crio)-)?([0-9a-f]{64})(?:\.scope)?$/i.exec(cpuset);
  return match ? (match[1] ?? "").toLowerCase() : null;
}

const SAME_MOMENT_MS = 2000;
// A kernel prints one report in well under a second; even a slow console is done in this long. Lines
// after a longer silence belong to another report.
const REPORT_SILENCE_SECONDS = 30;

function wallMs(time: Extract<LogTime, { kind: "wall" }>): number {
  const w = time.wall;
  return Date.UTC(w.year ?? 2000, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/** Seconds from `a` to `b` when both are on one clock, else null. */
function secondsBetween(a: LogTime, b: LogTime): number | null {
  if (a.kind === "instant" && b.kind === "instant") return (b.epochMs - a.epochMs) / 1000;
  if (a.kind === "wall" && b.kind === "wall") return (wallMs(b) - wallMs(a)) / 1000;
  if (a.kind === "uptime" && b.kind === "uptime") return b.seconds - a.seconds;
  return null;
}

/** Whole seconds: the log's clock cannot tell two moments within one second apart. */
function wholeSecond(time: LogTime): boolean {
  if (time.kind === "instant") return time.epochMs % 1000 === 0;
  if (time.kind === "wall") return time.wall.millisecond === 0;
  if (time.kind === "uptime") return Number.isInteger(time.seconds);
  return true;
}

/**
 * Two kill lines are one line printed twice when their stamps agree: exactly when the log has sub-second
 * stamps (the same kill a few milliseconds apart is another OOM invocation), roughly when it has not.
 */
function sameStamp(a: LogTime, b: LogTime): boolean {
  if (wholeSecond(a) && wholeSecond(b)) return sameMoment(a, b);
  return secondsBetween(a, b) === 0;
}

function sameMoment(a: LogTime, b: LogTime): boolean {
  if (a.kind === "none" || b.kind === "none") return a.kind === b.kind;
  const seconds = secondsBetween(a, b);
  return seconds !== null && Math.abs(seconds) <= SAME_MOMENT_MS / 1000;
}

function sameCgroupState(a: OomEvent, b: OomEvent): boolean {
  if (a.memcg && b.memcg)
    return a.memcg.usageBytes === b.memcg.usageBytes && a.memcg.failcnt === b.memcg.failcnt;
  return a.taskMemcg !== null && a.taskMemcg === b.taskMemcg;
}

/**
 * Two events are one report printed twice, or in pieces, when they are on one node at one moment and
 * name the same victim; a piece without a kill line joins the kill whose pid its task table lists, or
 * that describes the same cgroup in the same state.
 */
export function sameReport(a: OomEvent, b: OomEvent): boolean {
  if (a.node !== b.node || !sameMoment(a.time, b.time)) return false;
  if (a.victim && b.victim)
    return a.victim.pid === b.victim.pid && a.victim.comm === b.victim.comm && sameStamp(a.time, b.time);
  const [whole, piece] = a.victim ? [a, b] : [b, a];
  const victim = whole.victim;
  if (victim === null) return sameCgroupState(a, b);
  if (piece.tasks.some((row) => row.pid === victim.pid)) return true;
  if (piece.tasks.length > 0) return false;
  // A header without the rest of its report precedes the kill it belongs to, never follows it.
  const headerFirst = (secondsBetween(piece.time, whole.time) ?? 0) >= 0;
  return sameCgroupState(a, b) || (piece.invoker !== null && whole.invoker === null && headerFirst);
}

/** Says what is missing from a report; a report without its header or its kill line is partial. */
function assessCompleteness(event: OomEvent): void {
  const caveats: string[] = [];
  if (event.invoker === null)
    caveats.push("the report's header is missing (rate-limited or cut from the log)");
  const victimMissing = event.victim === null && !event.noKillable;
  if (victimMissing) caveats.push("no `Killed process` line");
  if (event.victimSource === "summary" || event.victimSource === "choice")
    caveats.push(
      `no \`Killed process\` line: the victim is the one the ${event.victimSource === "summary" ? "`oom-kill:` summary" : "`Kill process` line"} names, without its figures`,
    );
  if (event.noKillable) caveats.push("the kernel found no process it could kill");
  if (event.cutByPager) caveats.push("some lines were cut by a pager");
  event.caveats = caveats;
  const inferred = event.victim !== null && event.victimSource !== "kill-line";
  event.partial = event.invoker === null || victimMissing || inferred;
}

/** Fills what `target` lacks from a repeat of the same report. */
function mergeRepeat(target: OomEvent, repeat: OomEvent): void {
  const record = target as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(repeat)) {
    const current = record[key];
    if (current === null || (Array.isArray(current) && current.length === 0)) record[key] = value;
  }
  if (target.taskCgroup?.containerIdIsPrefix && repeat.taskCgroup && !repeat.taskCgroup.containerIdIsPrefix) {
    target.taskCgroup = repeat.taskCgroup;
  }
  target.cutByPager = target.cutByPager && repeat.cutByPager;
  assessCompleteness(target);
}

export class OomEventAssembler {
  private seq = 0;
  private readonly drafts = new Map<string, Draft[]>();
  private readonly finished: Finished[] = [];
  /** Events already emitted, to drop a late repeat of them. */
  private readonly recent: OomEvent[] = [];
  private readonly nodes = new Map<string, NodeJournalFacts>();

  /** `node` overrides the host names in the records (for files named after their node). */
  constructor(private readonly node: string | null = null) {}

  push(records: LogRecord[]): OomEvent[] {
    for (const record of records) this.accept(record);
    return this.emitReady(false);
  }

  end(): OomEvent[] {
    for (const drafts of this.drafts.values()) {
      for (const draft of drafts) this.finish(draft);
    }
    this.drafts.clear();
    return this.emitReady(true);
  }

  /** What the journal covered, per node: for explaining a missing report. */
  journalFacts(): NodeJournalFacts[] {
    return [...this.nodes.values()];
  }

  private nodeOf(record: LogRecord): string | null {
    return this.node ?? record.host;
  }

  private track(record: LogRecord, node: string | null): NodeJournalFacts {
    const key = node ?? "";
    let facts = this.nodes.get(key);
    if (!facts) {
      facts = {
        node,
        firstTime: null,
        lastTime: null,
        kernelRecords: 0,
        bootIds: [],
        bootMarkers: 0,
        suppressedCallbacks: 0,
      };
      this.nodes.set(key, facts);
    }
    if (record.kernel) facts.kernelRecords++;
    if (record.marker === "boot") facts.bootMarkers++;
    if (record.time.kind !== "none" && record.time.kind !== "uptime") {
      facts.firstTime ??= record.time;
      facts.lastTime = record.time;
    }
    if (record.bootId !== null && !facts.bootIds.includes(record.bootId)) facts.bootIds.push(record.bootId);
    return facts;
  }

  private accept(record: LogRecord): void {
    this.seq++;
    const node = this.nodeOf(record);
    const facts = this.track(record, node);
    const key = node ?? "";
    let drafts = this.drafts.get(key);
    if (!drafts) {
      drafts = [];
      this.drafts.set(key, drafts);
    }
    // Lines on either side of a separator are not continuous: no report spans one.
    if (record.marker !== null) this.close(drafts, () => true);
    if (!record.kernel) return;
    const inStats = drafts.some((draft) => draft.section === "stats");
    const fact = readKernelLine(record.message, record.cutByPager, inStats);
    this.closeStale(drafts, record.time);
    if (fact === null) return;
    if (fact.kind === "suppressed") {
      facts.suppressedCallbacks += fact.count;
      return;
    }
    if (fact.kind === "boot") {
      facts.bootMarkers++;
      return;
    }
    // A new report's header ends every report on the node that has reached its kill.
    if (fact.kind === "invoked") this.close(drafts, (draft) => draft.event.victim !== null);
    const draft = this.draftFor(fact, drafts, record, node);
    if (!draft) return;
    draft.lastTouched = this.seq;
    if (record.time.kind !== "none") draft.lastTime = record.time;
    if (record.cutByPager) draft.event.cutByPager = true;
    if (draft.event.excerpt.length < EXCERPT_LINES && fact.kind !== "memcg-frame") {
      draft.event.excerpt.push(record.cutByPager ? `${record.message.trim()}>` : record.message.trim());
    }
    this.apply(draft, fact, record);
  }

  private newDraft(drafts: Draft[], record: LogRecord, node: string | null): Draft {
    const draft: Draft = {
      event: emptyEvent(record, node),
      section: "header",
      columns: null,
      taskPids: new Set(),
      summaryTask: null,
      memcgTrace: false,
      lastTime: record.time,
      hasTaskIn: false,
      counters: new Set(),
      lastTouched: this.seq,
      firstSeq: this.seq,
      taskInCut: false,
    };
    drafts.push(draft);
    return draft;
  }

  private latest(drafts: Draft[], accepts: (draft: Draft) => boolean): Draft | undefined {
    for (let i = drafts.length - 1; i >= 0; i--) {
      const draft = drafts[i];
      if (draft && accepts(draft)) return draft;
    }
    return undefined;
  }

  /** Picks the report a fact belongs to, opening a new one when no open report can take it. */
  private draftFor(
    fact: KernelFact,
    drafts: Draft[],
    record: LogRecord,
    node: string | null,
  ): Draft | undefined {
    const open = (accepts: (draft: Draft) => boolean) =>
      this.latest(drafts, accepts) ?? this.newDraft(drafts, record, node);
    const noVictim = (draft: Draft) => draft.event.victim === null && !draft.event.noKillable;
    // A report's task table lists every candidate: a pid it does not list belongs to another report.
    const couldList = (draft: Draft, pid: number | null) =>
      draft.event.tasks.length === 0 || (pid !== null && draft.taskPids.has(pid));
    switch (fact.kind) {
      case "invoked":
        return this.newDraft(drafts, record, node);
      case "cpuset":
        return (
          this.latest(
            drafts,
            (d) => d.event.cpuset === null && noVictim(d) && d.event.invoker?.comm === fact.comm,
          ) ?? open((d) => d.event.cpuset === null && noVictim(d))
        );
      case "cpu":
        return (
          this.latest(drafts, (d) => d.event.invoker?.pid === null && d.event.invoker?.comm === fact.comm) ??
          // A panic's "no killable processes" prints its CPU line after it.
          open((d) => d.event.kernelVersion === null && (noVictim(d) || d.event.noKillable))
        );
      case "task-in":
        return open((d) => !d.hasTaskIn && noVictim(d));
      case "counter":
        return open((d) => !d.counters.has(fact.counter) && noVictim(d));
      case "stats-for":
      case "tasks-state":
        return open((d) => noVictim(d) && d.section !== "tasks");
      case "mem-info":
        return open((d) => noVictim(d) && d.event.memInfo === null);
      case "user-stack":
      case "memcg-frame":
        return this.latest(drafts, (d) => noVictim(d) && d.section === "header");
      case "mem-info-line":
      case "pages-ram":
        return this.latest(drafts, (d) => d.section === "mem-info");
      case "stat":
        return this.latest(drafts, (d) => d.section === "stats");
      case "table-header":
        return open((d) => noVictim(d) && d.columns === null);
      case "table-row":
        return this.latest(drafts, (d) => d.section === "tasks" && d.columns !== null);
      case "summary":
        // Straight after a table it is that report's, whatever pid it names: 3.x kernels may name a
        // thread of a listed process.
        return open(
          (d) => d.summaryTask === null && noVictim(d) && (d.section === "tasks" || couldList(d, fact.pid)),
        );
      case "select":
        return (
          this.latest(drafts, (d) => d.event.selected === null && noVictim(d) && d.taskPids.has(fact.pid)) ??
          open((d) => d.event.selected === null && noVictim(d))
        );
      case "killed": {
        const pid = fact.victim.pid;
        return (
          this.latest(drafts, (d) => noVictim(d) && d.summaryTask?.pid === pid) ??
          // memory.oom.group kills every task of the cgroup right after saying so.
          this.latest(drafts, (d) => d.event.oomGroup !== null && couldList(d, pid)) ??
          this.latest(drafts, (d) => noVictim(d) && d.event.selected?.pid === pid) ??
          this.latest(drafts, (d) => noVictim(d) && d.taskPids.has(pid)) ??
          // Another task of a report that already has its victim, killed at the same moment: a group kill
          // whose announcement is missing, or a follow-up kill whose own report was rate-limited.
          this.latest(drafts, (d) => d.taskPids.has(pid) && sameMoment(d.event.time, record.time)) ??
          // A sacrificed child, or another thread of the chosen process, that the task table did not list.
          this.latest(drafts, (d) => noVictim(d) && d.event.selected !== null && d.summaryTask === null) ??
          // A report whose table is missing (vm.oom_dump_tasks off, or cut from the log).
          this.latest(drafts, (d) => noVictim(d) && d.summaryTask === null && couldList(d, pid)) ??
          this.newDraft(drafts, record, node)
        );
      }
      case "oom-group":
        return this.latest(
          drafts,
          (d) => d.event.oomGroup === null && (d.event.victim !== null || d.summaryTask !== null),
        );
      case "reaped":
        return this.latest(drafts, (d) => d.event.victim?.pid === fact.pid);
      case "no-killable":
        return open((d) => noVictim(d) && d.summaryTask === null && d.event.selected === null);
      case "suppressed":
      case "boot":
        return undefined;
    }
  }

  private apply(draft: Draft, fact: KernelFact, record: LogRecord): void {
    const event = draft.event;
    switch (fact.kind) {
      case "invoked":
        event.invoker = {
          comm: fact.comm,
          pid: null,
          oomScoreAdj: fact.oomScoreAdj,
          gfpMask: fact.gfpMask,
          order: fact.order,
        };
        break;
      case "cpuset":
        event.cpuset = fact.cpuset;
        break;
      case "cpu":
        if (event.invoker && event.invoker.pid === null) event.invoker.pid = fact.pid;
        event.kernelVersion = fact.kernelVersion;
        break;
      case "task-in":
        draft.hasTaskIn = true;
        draft.taskInCut = record.cutByPager;
        event.taskMemcg = fact.taskMemcg;
        event.oomMemcg = fact.oomMemcg ?? event.oomMemcg;
        break;
      case "counter": {
        draft.counters.add(fact.counter);
        const usage = {
          usageBytes: fact.usageKb * 1024,
          limitBytes: fact.limitKb >= UNLIMITED_KB ? null : fact.limitKb * 1024,
          failcnt: fact.failcnt,
        };
        if (fact.counter === "memory") event.memcg = usage;
        else if (fact.counter === "kmem") event.kmem = usage;
        else event.swap = usage;
        break;
      }
      case "stats-for":
        draft.section = "stats";
        event.memoryStats.push({ path: fact.path, values: fact.inline });
        break;
      case "stat": {
        const stats = event.memoryStats[event.memoryStats.length - 1];
        if (stats) stats.values[fact.name] = fact.value;
        break;
      }
      case "tasks-state":
        draft.section = "tasks";
        break;
      case "table-header":
        draft.section = "tasks";
        draft.columns = fact.columns;
        break;
      case "table-row": {
        const row = draft.taskPids.has(fact.pid) ? null : tableRow(fact.pid, fact.rest, draft.columns ?? []);
        if (row) {
          event.tasks.push(row);
          draft.taskPids.add(row.pid);
        }
        break;
      }
      case "summary":
        draft.section = "kill";
        draft.summaryTask =
          fact.pid === null ? null : { pid: fact.pid, comm: fact.comm ?? "", uid: fact.uid };
        event.constraint = fact.constraint;
        if (fact.globalOom) event.scope = "global";
        event.oomMemcg = fact.oomMemcg ?? event.oomMemcg;
        event.taskMemcg = fact.taskMemcg ?? event.taskMemcg;
        break;
      case "select":
        draft.section = "kill";
        event.selected = { pid: fact.pid, comm: fact.comm, score: fact.score };
        event.scope ??= fact.scope;
        break;
      case "killed": {
        draft.section = "kill";
        const victim = victimFrom(fact.victim);
        if (event.killed.some((killed) => killed.pid === victim.pid)) break;
        event.killed.push(victim);
        if (event.victim === null) {
          event.victim = victim;
          event.victimSource = "kill-line";
          event.time = record.time;
          event.scope ??= fact.scope;
        }
        break;
      }
      case "oom-group":
        event.oomGroup = fact.memcg;
        break;
      case "reaped":
        event.reaped = {
          pid: fact.pid,
          anonRssBytes: fact.anonRssKb * 1024,
          fileRssBytes: fact.fileRssKb * 1024,
          shmemRssBytes: fact.shmemRssKb * 1024,
        };
        break;
      case "mem-info":
        draft.section = "mem-info";
        event.memInfo = {};
        break;
      case "mem-info-line":
        event.memInfo = { ...event.memInfo, ...fact.values };
        break;
      case "pages-ram":
        event.totalRamPages = fact.pages;
        break;
      case "user-stack":
        event.invokerStackInGoHeap = fact.pointer >= GO_ARENA_START && fact.pointer < GO_ARENA_END;
        break;
      case "memcg-frame":
        draft.memcgTrace = true;
        break;
      case "no-killable":
        draft.section = "kill";
        event.noKillable = true;
        if (fact.panic) event.scope = "global";
        break;
      case "suppressed":
      case "boot":
        break;
    }
  }

  /** Finishes the node's reports that `done` picks; later lines cannot join them. */
  private close(drafts: Draft[], done: (draft: Draft) => boolean): void {
    for (let i = drafts.length - 1; i >= 0; i--) {
      const draft = drafts[i];
      if (draft && done(draft)) {
        drafts.splice(i, 1);
        this.finish(draft);
      }
    }
  }

  /** Reports whose lines stopped coming: many other lines since, or a silence in the log's time. */
  private closeStale(drafts: Draft[], now: LogTime): void {
    this.close(drafts, (draft) => {
      const idle = this.seq - draft.lastTouched;
      if ((draft.event.victim !== null && idle > CLOSE_AFTER_RECORDS) || idle > ABANDON_AFTER_RECORDS)
        return true;
      const silence = secondsBetween(draft.lastTime, now);
      return silence !== null && silence > REPORT_SILENCE_SECONDS;
    });
  }

  /** Completes a draft into an event, or drops it when it is only a fragment of a report. */
  private finish(draft: Draft): void {
    const event = draft.event;
    // A header, a kill or a summary is an OOM invocation, a header left alone at a cut included; so are
    // a memcg's figures with its stats, table or `Task in` line. A `Mem-Info:` dump alone is not (page
    // allocation failures print one too), nor is one stray line.
    const memcgPieces = [
      event.memcg !== null,
      draft.hasTaskIn,
      event.tasks.length > 0,
      event.memoryStats.length > 0,
    ];
    const isReport =
      event.victim !== null ||
      event.invoker !== null ||
      event.noKillable ||
      draft.summaryTask !== null ||
      event.selected !== null ||
      // A memcg's figures, `Task in` line, stats and task table are printed only for an OOM: two of them
      // make one, even when the cut took its header and kill line.
      memcgPieces.filter(Boolean).length >= 2 ||
      // `Task in X killed as a result of limit of Y` is printed only for a memcg OOM.
      (draft.hasTaskIn && event.oomMemcg !== null);
    if (!isReport) return;
    this.complete(draft);
    if (this.recent.some((emitted) => sameReport(emitted, event))) return;
    // A repeat may join pieces that did not match each other (one lost its kill line, one its header).
    const [earlier, ...others] = this.finished.filter((finished) => sameReport(finished.event, event));
    if (earlier) {
      mergeRepeat(earlier.event, event);
      for (const other of others) {
        mergeRepeat(earlier.event, other.event);
        this.finished.splice(this.finished.indexOf(other), 1);
      }
      return;
    }
    this.finished.push({ event, finishedAt: this.seq, firstSeq: draft.firstSeq });
  }

  private complete(draft: Draft): void {
    const event = draft.event;
    this.completeVictim(draft);
    // Without a `Task in` or summary line, the first `Memory cgroup stats for` names the cgroup that hit
    // its limit (the kernel prints that cgroup first, then its children).
    event.oomMemcg ??= event.memoryStats[0]?.path ?? null;
    event.oomCgroup = event.oomMemcg ? decodeCgroupPath(event.oomMemcg) : null;
    if (event.taskMemcg === null && event.oomCgroup?.containerId) event.taskMemcg = event.oomMemcg;
    event.taskCgroup = event.taskMemcg ? decodeCgroupPath(event.taskMemcg, draft.taskInCut) : null;
    const cpusetId = event.cpuset ? containerIdFromCpuset(event.cpuset) : null;
    const task = event.taskCgroup;
    if (cpusetId && task?.containerId && task.containerIdIsPrefix && cpusetId.startsWith(task.containerId)) {
      task.containerId = cpusetId;
      task.containerIdIsPrefix = false;
    }
    if (event.scope === null) {
      const memcgSigns =
        event.constraint === "CONSTRAINT_MEMCG" || event.memcg !== null || event.oomMemcg !== null;
      if (memcgSigns || draft.memcgTrace) event.scope = "memcg";
      else if (event.constraint !== null || event.memInfo !== null || event.noKillable)
        event.scope = "global";
    }
    assessCompleteness(event);
  }

  /**
   * The victim when no `Killed process` line survived: the task the summary line names, or the process
   * a lone `Kill process` line chose. Figures the kill line would have printed stay null; the uid and
   * oom_score_adj come from the task table when the kill line lacks them.
   */
  private completeVictim(draft: Draft): void {
    const event = draft.event;
    const chosen = draft.summaryTask ?? event.selected;
    if (event.victim === null && chosen !== null) {
      event.victim = {
        pid: chosen.pid,
        comm: chosen.comm,
        totalVmBytes: null,
        anonRssBytes: null,
        fileRssBytes: null,
        shmemRssBytes: null,
        uid: null,
        pgtablesBytes: null,
        oomScoreAdj: null,
      };
      event.killed = [event.victim];
      event.victimSource = draft.summaryTask ? "summary" : "choice";
    }
    const victim = event.victim;
    if (victim === null) return;
    const row = event.tasks.find((task) => task.pid === victim.pid);
    const summaryUid = draft.summaryTask?.pid === victim.pid ? draft.summaryTask.uid : null;
    victim.uid ??= summaryUid ?? row?.uid ?? null;
    victim.oomScoreAdj ??= row?.oomScoreAdj ?? null;
  }

  private emitReady(all: boolean): OomEvent[] {
    const ready: Finished[] = [];
    for (let i = this.finished.length - 1; i >= 0; i--) {
      const finished = this.finished[i];
      if (finished && (all || this.seq - finished.finishedAt > HOLD_FOR_DUPLICATES)) {
        ready.push(finished);
        this.finished.splice(i, 1);
        this.recent.push(finished.event);
        if (this.recent.length > REMEMBERED_EVENTS) this.recent.shift();
      }
    }
    return ready.sort((a, b) => a.firstSeq - b.firstSeq).map((finished) => finished.event);
  }
}
