// The bot's smaller messages: the root message while an investigation runs, help, status, and the
// actions' answers. Pure.

import type { AppError } from "../../errors.js";
import type { Progress } from "../../investigate.js";
import type { Messages } from "../i18n/catalog.js";
import type { RunRecord } from "../records.js";
import { context, fitMessage, type SlackMessage, section } from "./blocks.js";
import { errorText } from "./errors.js";
import { inert } from "./escape.js";
import { utcText } from "./report.js";

const plain = (text: string, t: Messages, note?: string): SlackMessage =>
  fitMessage({ text, blocks: note ? [section(text), context(note)] : [section(text)] }, t.moreBlocks);

export function queuedMessage(namespace: string, user: string, t: Messages): SlackMessage {
  return plain(t.rootQueued(inert(namespace), user), t);
}

export function progressMessage(
  namespace: string,
  user: string,
  progress: Progress,
  t: Messages,
): SlackMessage {
  return plain(
    t.rootProgress(inert(namespace), user, progress.podsListed, progress.nodesDone, progress.nodesTotal),
    t,
  );
}

export function failedMessage(namespace: string, user: string, error: AppError, t: Messages): SlackMessage {
  return plain(t.rootFailed(inert(namespace), errorText(error, t)), t, t.requestedBy(user));
}

export interface QueueStatus {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
  runs: RunRecord[];
}

export function statusMessage(status: QueueStatus, t: Messages): SlackMessage {
  const s = t.status;
  const runs =
    status.runs.length === 0
      ? [s.noRuns]
      : [
          s.lastRuns,
          ...status.runs.map(
            (run) =>
              `• ${s.run(inert(run.namespace), s.outcome[run.outcome], utcText(run.finishedAt), inert(run.channel))}`,
          ),
        ];
  const text = [
    s.title,
    s.queue(status.waiting, status.active, status.delayed, status.failed),
    s.workers(status.workers),
    ...runs,
  ].join("\n");
  return plain(text, t);
}

export function helpMessage(t: Messages): SlackMessage {
  return plain(t.usage, t);
}

/** A bad command: what is wrong, then the usage. */
export function problemMessage(problem: string, t: Messages): SlackMessage {
  return fitMessage(
    { text: t.badCommand(problem), blocks: [section(t.badCommand(problem)), section(t.usage)] },
    t.moreBlocks,
  );
}
