// `/oom`: acknowledged at once (Slack gives three seconds), checked, then queued; whatever follows
// the acknowledgement runs as a follow-up (see FollowUps). Bad input and refusals are answered in
// the acknowledgement itself, visible only to the person who typed the command.

import type { App, RespondFn } from "@slack/bolt";
import type { SlackConfig } from "../config/schema.js";
import type { Metrics } from "../ops/metrics.js";
import type { InvestigationQueue } from "../queue/investigations.js";
import type { BotStore } from "../store/bot-store.js";
import type { ProposalStore } from "../store/proposals.js";
import { type AlertCommandDeps, answerWatch } from "./alert-commands.js";
import { namespaceAllowed } from "./channels.js";
import { isDigestCommand, isWatchCommand, parseOomCommand } from "./command-text.js";
import { answerDigest, type DigestCommandDeps } from "./digest-commands.js";
import type { FollowUps } from "./follow-ups.js";
import type { Messages } from "./i18n/catalog.js";
import type { SlackMessage } from "./render/blocks.js";
import { helpMessage, problemMessage, statusMessage } from "./render/messages.js";
import { auditMessage } from "./render/proposals.js";
import { startInvestigation } from "./start-investigation.js";

const AUDIT_SHOWN = 15;

export interface CommandDeps {
  queue: InvestigationQueue;
  store: BotStore;
  proposals: ProposalStore;
  digest: DigestCommandDeps;
  alerts: AlertCommandDeps;
  metrics: Metrics;
  t: Messages;
  slack: SlackConfig;
  /** Whether Redis is connected now: if not, say so at once rather than wait. */
  queueReady: () => boolean;
  followUps: FollowUps;
}

const ephemeral = (message: SlackMessage) => ({ response_type: "ephemeral" as const, ...message });

export function registerOomCommand(app: App, deps: CommandDeps): void {
  const { t } = deps;
  app.command("/oom", async ({ command, ack, respond, client }) => {
    const parsed = parseOomCommand(command.text, t);
    if (parsed.kind === "help" || parsed.kind === "invalid") {
      deps.metrics.commands.inc({ command: parsed.kind });
      await ack(ephemeral(parsed.kind === "help" ? helpMessage(t) : problemMessage(parsed.problem, t)));
      return;
    }
    if (!deps.queueReady()) {
      deps.metrics.commands.inc({ command: parsed.kind });
      await ack({ response_type: "ephemeral", text: t.queueUnavailable });
      return;
    }
    if (parsed.kind === "status") {
      deps.metrics.commands.inc({ command: "status" });
      await ack();
      deps.followUps.run(() => answerStatus(deps, command.channel_id, respond));
      return;
    }
    if (isDigestCommand(parsed)) {
      deps.metrics.commands.inc({ command: "digest" });
      await ack();
      deps.followUps.run(() =>
        answerDigest(
          parsed,
          { channel: command.channel_id, user: command.user_id },
          deps.digest,
          client,
          respond,
        ).catch(() => respond({ response_type: "ephemeral", text: t.queueUnavailable })),
      );
      return;
    }
    if (parsed.kind === "audit") {
      deps.metrics.commands.inc({ command: "audit" });
      await ack();
      deps.followUps.run(() => answerAudit(deps, command.channel_id, parsed.namespace, respond));
      return;
    }
    if (isWatchCommand(parsed)) {
      deps.metrics.commands.inc({ command: "watch" });
      await ack();
      deps.followUps.run(() =>
        answerWatch(
          parsed,
          { channel: command.channel_id, user: command.user_id },
          deps.alerts,
          client,
          respond,
        ).catch(() => respond({ response_type: "ephemeral", text: t.queueUnavailable })),
      );
      return;
    }
    const { allowed, list } = namespaceAllowed(deps.slack.channels, command.channel_id, parsed.namespace);
    if (!allowed) {
      deps.metrics.commands.inc({ command: "denied" });
      await ack({
        response_type: "ephemeral",
        text: t.namespaceNotAllowed(parsed.namespace, list.join(", ")),
      });
      return;
    }
    deps.metrics.commands.inc({ command: "investigate" });
    await ack();
    const { namespace, pod } = parsed;
    const channel = command.channel_id;
    const user = command.user_id;
    deps.followUps.run(async () => {
      try {
        const answer = await startInvestigation(deps.queue, client, t, { channel, namespace, pod, user });
        if (answer) await respond(answer);
      } catch (error) {
        // The command was acknowledged: the user must still hear that it went wrong.
        const down = !deps.queueReady();
        await respond({ response_type: "ephemeral", text: down ? t.queueUnavailable : t.internalError });
        if (!down) throw error;
      }
    });
  });
}

async function answerAudit(
  deps: CommandDeps,
  channel: string,
  namespace: string | null,
  respond: RespondFn,
): Promise<void> {
  try {
    const entries = await deps.proposals.auditTrail(namespace, 200);
    const visible = entries
      .filter((entry) => namespaceAllowed(deps.slack.channels, channel, entry.namespace).allowed)
      .slice(0, AUDIT_SHOWN);
    await respond(ephemeral(auditMessage(namespace, visible, deps.t)));
  } catch {
    await respond({ response_type: "ephemeral", text: deps.t.queueUnavailable });
  }
}

async function answerStatus(deps: CommandDeps, channel: string, respond: RespondFn): Promise<void> {
  try {
    const [counts, runs] = await Promise.all([deps.queue.counts(), deps.store.runs()]);
    // A channel sees only the runs about namespaces it may investigate itself.
    const visible = runs.filter(
      (run) => namespaceAllowed(deps.slack.channels, channel, run.namespace).allowed,
    );
    await respond(ephemeral(statusMessage({ ...counts, runs: visible }, deps.t)));
  } catch {
    await respond({ response_type: "ephemeral", text: deps.t.queueUnavailable });
  }
}
