// The daily digest as a Slack message. Pure.

import type { DigestModel } from "../../digest/summary.js";
import type { Messages } from "../i18n/catalog.js";
import { type Block, button, context, fitMessage, type SlackMessage, section } from "./blocks.js";
import { inert } from "./escape.js";

export const DIGEST_ACTIONS = { investigate: "investigate_workload" } as const;

export interface DigestContext {
  t: Messages;
  scope: string;
  /** The digest's end, as the subscriber's clock shows it. */
  endText: string;
  snoozed: number;
  /** The opaque id an Investigate button carries, per `namespace/Kind/name`. */
  buttonValue: (workload: string) => string;
  /** The scope's silent kills of the last day, as words (see render/alerts.ts), or null. */
  silent: string | null;
  /** Leaking workloads' next kills, as their memory history predicts them (subscriber's clock). */
  predictions: Array<{ workload: string; at: string; errorMinutes: number }>;
}

export function digestMessage(model: DigestModel, ctx: DigestContext): SlackMessage {
  const d = ctx.t.digest;
  const notes = ctx.snoozed > 0 ? [context(d.snoozed(ctx.snoozed))] : [];
  // Kills no restart counted, and kills to come: a quiet day by restarts may still have them.
  const ahead = ctx.silent === null ? [] : [section(ctx.silent)];
  if (ctx.predictions.length > 0)
    ahead.push(
      section(
        [
          d.nextKillsTitle,
          ...ctx.predictions.map((p) => `• ${d.nextKillLine(inert(p.workload), p.at, p.errorMinutes)}`),
        ].join("\n"),
      ),
    );
  const scope = inert(ctx.scope);
  if (model.today.restarts === 0) {
    const text = d.quiet(scope, ctx.endText);
    return fitMessage({ text, blocks: [section(text), ...ahead, ...notes] }, ctx.t.moreBlocks);
  }
  const title = d.title(scope, ctx.endText);
  const { today, yesterday } = model;
  const totals = (today.lowerBound ? d.totalsAtLeast : d.totals)(
    today.restarts,
    today.oomKills,
    today.podsAffected,
  );
  // Against a day counted from the first snapshot, a difference would mean nothing: say what it had.
  const comparison = yesterday.lowerBound
    ? ` ${d.dayBeforeAtLeast(yesterday.restarts, yesterday.oomKills)}`
    : today.lowerBound
      ? ""
      : ` ${d.change(today.restarts - yesterday.restarts, today.oomKills - yesterday.oomKills)}`;
  const blocks: Block[] = [
    section(`${title}\n${totals}${comparison}`),
    section(
      [
        d.topTitle,
        ...model.top.map(
          (line) =>
            `• ${d.topLine(inert(line.key), line.restarts, line.oomKills, inert(line.reasons.join(", ")))}`,
        ),
      ].join("\n"),
    ),
  ];
  if (model.newOffenders.length > 0)
    blocks.push(
      section([d.newTitle, ...model.newOffenders.map((workload) => `• ${inert(workload)}`)].join("\n")),
    );
  if (model.chronic.length > 0)
    blocks.push(
      section(
        [d.chronicTitle, ...model.chronic.map((c) => `• ${d.chronicLine(inert(c.workload), c.days)}`)].join(
          "\n",
        ),
      ),
    );
  blocks.push({
    type: "actions",
    elements: model.top.map((line) => {
      return button(DIGEST_ACTIONS.investigate, d.investigate(line.workload), ctx.buttonValue(line.key));
    }),
  });
  if (today.lowerBound || yesterday.lowerBound) blocks.push(context(d.lowerBound));
  blocks.push(...ahead, ...notes);
  return fitMessage({ text: title, blocks }, ctx.t.moreBlocks);
}
