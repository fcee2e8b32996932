// One journal in, its OOM events and coverage out. Streaming callers use JournalParser chunk by chunk;
// whole-input callers use parseJournal.

import { JournalReader, type ReaderStats } from "./journal/reader.js";
import { type NodeJournalFacts, type OomEvent, OomEventAssembler } from "./oom-event.js";

export interface ParsedJournal {
  events: OomEvent[];
  nodes: NodeJournalFacts[];
  stats: ReaderStats;
}

export class JournalParser {
  private readonly reader = new JournalReader();
  private readonly assembler: OomEventAssembler;

  /** `node` names the node the journal came from when its lines do not say (dmesg, bare lines). */
  constructor(node: string | null = null) {
    this.assembler = new OomEventAssembler(node);
  }

  /** Feeds a chunk; returns the events completed so far. */
  push(chunk: Uint8Array): OomEvent[] {
    return this.assembler.push(this.reader.push(chunk));
  }

  end(): OomEvent[] {
    return [...this.assembler.push(this.reader.end()), ...this.assembler.end()];
  }

  get nodes(): NodeJournalFacts[] {
    return this.assembler.journalFacts();
  }

  get stats(): ReaderStats {
    return this.reader.stats;
  }
}

const encoder = new TextEncoder();

/** Parses a whole journal. Never throws: unreadable input gives no events. */
export function parseJournal(input: string | Uint8Array, node: string | null = null): ParsedJournal {
  const parser = new JournalParser(node);
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const events = [...parser.push(bytes), ...parser.end()];
  return { events, nodes: parser.nodes, stats: parser.stats };
}
