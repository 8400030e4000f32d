/**
 * A notification as each channel's documented payload: a plain JSON webhook, a Slack incoming
 * webhook (Block Kit), a PagerDuty Events API v2 event (one per transition, so each FIRING pairs
 * with its RESOLVED by `dedup_key`), and a Microsoft Teams workflow webhook (an Adaptive Card).
 */
import type { Severity } from "../../checks/schema.js";
import { clip } from "../../text.js";
import { type Notification, transitionJson } from "../message.js";
import type { Transition } from "../state-machine.js";

export const CHANNEL_KINDS = ["webhook", "slack", "pagerduty", "teams", "alertmanager"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** PagerDuty's events endpoint; the routing key is the credential. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** Slack: a header holds at most 150 characters, a section 3,000. */
const SLACK_HEADER_LIMIT = 150;
const SLACK_SECTION_LIMIT = 3_000;

/** The people-readable part of the body: everything before the JSON block. */
function prose(n: Notification): string {
  const at = n.body.indexOf("\n\n{");
  return (at >= 0 ? n.body.slice(0, at) : n.body).trim();
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

export function slackPayload(n: Notification): unknown {
  const runbooks = [...new Set(n.transitions.flatMap((t) => (t.runbook ? [t.runbook] : [])))];
  return {
    // The fallback for notifications and clients that do not render blocks.
    text: n.subject,
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(n.subject, SLACK_HEADER_LIMIT) } },
      { type: "section", text: { type: "mrkdwn", text: clip(prose(n), SLACK_SECTION_LIMIT) } },
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
      { type: "context", elements: [{ type: "mrkdwn", text: `dedupKey ${n.dedupKey}` }] },
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
            summary: clip(n.transitions.length === 1 ? n.subject : `${t.check}: ${t.reason}`, 1024),
            source: t.target,
            severity: PAGERDUTY_SEVERITY[t.severity],
            timestamp: t.at,
            component: t.check,
            group: t.labels.team ?? t.location,
            class: t.kind,
            custom_details: transitionJson(t),
          },
          ...(t.runbook ? { links: [{ href: t.runbook, text: "Runbook" }] } : {}),
        },
  );
}

export function teamsPayload(n: Notification): unknown {
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
            {
              type: "TextBlock",
              text: n.subject,
              weight: "Bolder",
              size: "Medium",
              wrap: true,
              color: n.type === "RESOLVED" ? "Good" : n.severity === "critical" ? "Attention" : "Warning",
            },
            { type: "TextBlock", text: prose(n), wrap: true },
            { type: "TextBlock", text: `dedupKey ${n.dedupKey}`, isSubtle: true, size: "Small", wrap: true },
          ],
        },
      },
    ],
  };
}
