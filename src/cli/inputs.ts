// Reads the files `analyze` is given: pod listings (JSON or YAML) and node journals (any form),
// streaming journals so a large one never sits in memory whole.

import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { NodeJournal } from "../analysis/correlate.js";
import { JournalParser } from "../analysis/parse-journal.js";
import { type ContainerCase, readPods } from "../analysis/pod.js";
import { fail, fileError, ok, type Result } from "../errors.js";

export interface JournalSource {
  node: string | null;
  path: string;
}

export interface LoadedJournal {
  journal: NodeJournal;
  warnings: string[];
}

const JOURNAL_EXTENSIONS = /\.(log|txt|json|jsonl|ndjson|export|journal|dmesg)$/i;

/** The node a journal file is named after: `k8s-node-04.log` -> `k8s-node-04`. */
function nodeFromFileName(path: string): string {
  return basename(path).replace(JOURNAL_EXTENSIONS, "");
}

function decodeDocument(text: string, path: string): Result<unknown> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return ok(JSON.parse(text));
    } catch (error) {
      return fail("invalid-pods", `${path}: not valid JSON (${(error as Error).message})`);
    }
  }
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    const problem = document.errors[0];
    if (problem) {
      const line = problem.linePos?.[0]?.line;
      return fail(
        "invalid-pods",
        `${path}${line ? `:${line}` : ""}: not valid JSON or YAML (${problem.message.split("\n")[0]})`,
      );
    }
  }
  const values = list
    .map((document) => document.toJS())
    .filter((value) => value !== null && value !== undefined);
  return ok(values.length === 1 ? values[0] : values);
}

export async function loadPods(
  path: string,
): Promise<Result<{ containers: ContainerCase[]; podCount: number }>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { ok: false, error: fileError(path, error) };
  }
  const decoded = decodeDocument(text, path);
  if (!decoded.ok) return decoded;
  const pods = readPods(decoded.value);
  if (!pods.ok) {
    return fail(
      "invalid-pods",
      `${path}: ${pods.reason}`,
      "capture it with: kubectl get pods -n NAMESPACE -o json > pods.json",
    );
  }
  return ok({ containers: pods.cases, podCount: pods.podCount });
}

export async function loadJournal(
  source: JournalSource,
  utcOffsetMinutes: number | null,
): Promise<Result<LoadedJournal>> {
  try {
    const info = await stat(source.path);
    if (info.isDirectory()) return { ok: false, error: fileError(source.path, { code: "EISDIR" }) };
  } catch (error) {
    return { ok: false, error: fileError(source.path, error) };
  }
  const parser = new JournalParser(source.node);
  const events = [];
  try {
    for await (const chunk of createReadStream(source.path)) events.push(...parser.push(chunk as Buffer));
  } catch (error) {
    return { ok: false, error: fileError(source.path, error) };
  }
  events.push(...parser.end());
  const stats = parser.stats;
  const warnings: string[] = [];
  const name = source.path;
  if (stats.lines === 0 && stats.form !== "export") warnings.push(`${name}: the file is empty`);
  if (stats.linesCutByPager > 0) {
    warnings.push(
      `${name}: ${stats.linesCutByPager} lines were cut by a pager (ending in ">"); use \`journalctl --no-pager\` or -o json for whole lines`,
    );
  }
  if (stats.overlongLines > 0) warnings.push(`${name}: ${stats.overlongLines} overlong lines were shortened`);
  const nodes = parser.nodes;
  if (nodes.length > 0 && nodes.every((facts) => facts.kernelRecords === 0)) {
    warnings.push(
      `${name}: no kernel messages found (read as ${stats.form ?? "text"}); the oom-killer's reports come from the kernel`,
    );
  }
  const node =
    source.node ?? nodes.find((facts) => facts.node !== null)?.node ?? nodeFromFileName(source.path);
  return ok({ journal: { node, events, facts: nodes, utcOffsetMinutes, unavailable: null }, warnings });
}

/** A capture directory: DIR/pods.json (or .yaml) and DIR/journal/<node>.* */
export async function captureDirectory(
  dir: string,
): Promise<Result<{ pods: string; journals: JournalSource[] }>> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    return { ok: false, error: fileError(dir, error) };
  }
  const podsFile = ["pods.json", "pods.yaml", "pods.yml"].find((name) => entries.includes(name));
  if (!podsFile) {
    return fail(
      "usage",
      `${dir}: no pods.json (or pods.yaml) in this directory`,
      "a capture directory holds pods.json and journal/<node>.log files",
    );
  }
  let journalFiles: string[] = [];
  if (entries.includes("journal")) {
    try {
      journalFiles = (await readdir(join(dir, "journal"))).filter((name) => !name.startsWith(".")).sort();
    } catch (error) {
      return { ok: false, error: fileError(join(dir, "journal"), error) };
    }
  }
  return ok({
    pods: join(dir, podsFile),
    journals: journalFiles.map((file) => ({
      node: nodeFromFileName(file),
      path: join(dir, "journal", file),
    })),
  });
}
