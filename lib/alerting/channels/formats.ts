/**
 * A notification as each channel's documented payload: a plain JSON webhook, a Slack incoming
 * webhook (Block Kit), a PagerDuty Events API v2 event (one per transition, so each FIRING pairs
 * with its RESOLVED by `dedup_key`), and a Microsoft Teams workflow webhook (an Adaptive Card).
 * Each escapes text it did not write by its own format's rules, here beside the format: nothing a
 * target or a job wrote becomes a mention, a link or markup; links are http(s) only (lib/link.ts).
 */
import type { Severity } from "../../checks/schema.js";
import { isLink } from "../../link.js";
import { clip, untrustedLines, visible } from "../../text.js";
import { LOG_HEADING, type Notification, transitionJson } from "../message.js";
import type { Transition } from "../state-machine.js";

export const CHANNEL_KINDS = ["webhook", "slack", "pagerduty", "teams", "alertmanager"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** PagerDuty's events endpoint; the routing key is the credential. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** Slack: a header holds at most 150 characters, a text 3,000. */
const SLACK_HEADER_LIMIT = 150;
const SLACK_TEXT_LIMIT = 3_000;
/** PagerDuty's limit on an event's summary. */
const PAGERDUTY_SUMMARY_LIMIT = 1_024;

/** The runbooks of a notification's transitions that may be links, each once. */
function runbooksOf(n: Notification): string[] {
  return [...new Set(n.transitions.flatMap((t) => (t.runbook && isLink(t.runbook) ? [t.runbook] : [])))];
}

export function webhookPayload(n: Notification): unknown {
  return {
    subject: n.subject,
    type: n.type,
    severity: n.severity,
    dedupKey: n.dedupKey,
    transitions: n.transitions.map(transitionJson),
  };
}

/**
 * Slack reads `&`, `<` and `>` in mrkdwn as its markup (`<!channel>`, `<@U…>`, `<url|label>`):
 * escaped as entities, they show as themselves and no mention or link can be formed.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text Slack shows as written: a rich text element, which no markup, mention or URL in it changes. */
function slackText(text: string): unknown {
  return { type: "text", text: untrustedLines(text, Number.POSITIVE_INFINITY) };
}

/**
 * The prose and the quoted log as a rich text block: its text elements are never read as mrkdwn, so
 * neither `*bold*` nor a mention nor a URL in a reason is acted on, and the log sits in a
 * preformatted element that no backticks in it can close.
 */
function slackRichText(n: Notification): unknown {
  return {
    type: "rich_text",
    elements: [
      { type: "rich_text_section", elements: [slackText(clip(n.text, SLACK_TEXT_LIMIT))] },
      ...(n.log
        ? [
            { type: "rich_text_section", elements: [slackText(`\n${LOG_HEADING}`)] },
            { type: "rich_text_preformatted", elements: [{ type: "text", text: n.log }] },
          ]
        : []),
    ],
  };
}

export function slackPayload(n: Notification): unknown {
  const runbooks = runbooksOf(n);
  return {
    // The fallback for notifications and clients that do not render blocks: Slack reads it as mrkdwn.
    text: slackEscape(n.subject),
    blocks: [
      // plain_text is never parsed for markup or mentions.
      { type: "header", text: { type: "plain_text", text: clip(n.subject, SLACK_HEADER_LIMIT) } },
      slackRichText(n),
      ...(runbooks.length > 0
        ? [
            {
              type: "actions",
              elements: runbooks.slice(0, 5).map((url, i) => ({
                type: "button",
                text: { type: "plain_text", text: runbooks.length === 1 ? "Runbook" : `Runbook ${i + 1}` },
                url,
              })),
            },
          ]
        : []),
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `dedupKey ${slackEscape(n.dedupKey)}`, verbatim: true }],
      },
    ],
  };
}

const PAGERDUTY_SEVERITY: Record<Severity, string> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

/** The key that pairs an incident's FIRING, REMINDERs and RESOLVED in PagerDuty: the check and its streak. */
export function pagerdutyDedupKey(t: Transition): string {
  return `${t.check}/${t.since}`;
}

/**
 * PagerDuty shows a summary as plain text, on one line (an incident's title): control characters as
 * escapes, at most 1,024 characters. Custom details are data it shows as such.
 */
export function pagerdutySummary(text: string): string {
  return clip(visible(text), PAGERDUTY_SUMMARY_LIMIT);
}

/** One event per transition (a summary of seven checks is seven alerts, each resolved on its own). */
export function pagerdutyEvents(n: Notification, routingKey: string): unknown[] {
  return n.transitions.map((t) =>
    t.type === "RESOLVED"
      ? { routing_key: routingKey, event_action: "resolve", dedup_key: pagerdutyDedupKey(t) }
      : {
          routing_key: routingKey,
          event_action: "trigger",
          dedup_key: pagerdutyDedupKey(t),
          payload: {
            summary: pagerdutySummary(n.transitions.length === 1 ? n.subject : `${t.check}: ${t.reason}`),
            source: t.target,
            severity: PAGERDUTY_SEVERITY[t.severity],
            timestamp: t.at,
            component: t.check,
            group: t.labels.team ?? t.location,
            class: t.kind,
            custom_details: transitionJson(t),
          },
          ...(t.runbook && isLink(t.runbook) ? { links: [{ href: t.runbook, text: "Runbook" }] } : {}),
        },
  );
}

/**
 * Text Teams shows as written: a TextRun in a RichTextBlock, which Adaptive Cards never read as
 * markdown (a TextBlock would turn `[label](url)` into a link and `**x**` into bold). One block a
 * line, so a line break stays one.
 */
function teamsLines(text: string, style: Record<string, unknown> = {}): unknown[] {
  return text.split("\n").map((line) => ({
    type: "RichTextBlock",
    spacing: "None",
    inlines: [{ type: "TextRun", text: visible(line) || " ", ...style }],
  }));
}

export function teamsPayload(n: Notification): unknown {
  const colour = n.type === "RESOLVED" ? "Good" : n.severity === "critical" ? "Attention" : "Warning";
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            ...teamsLines(n.subject, { weight: "Bolder", size: "Medium", color: colour }),
            ...teamsLines(n.text),
            ...(n.log ? [...teamsLines(LOG_HEADING), ...teamsLines(n.log, { fontType: "Monospace" })] : []),
            ...teamsLines(`dedupKey ${n.dedupKey}`, { isSubtle: true, size: "Small" }),
          ],
        },
      },
    ],
  };
}
