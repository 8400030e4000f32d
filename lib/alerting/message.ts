/**
 * What a notification says: a subject under 100 characters that reads on a phone's lock screen, a
 * body for people with a JSON block for machines, and the attributes SNS filter policies route on.
 */
import { createHash } from "node:crypto";
import type { Severity } from "../checks/schema.js";
import { clip } from "../text.js";
import { formatSpan } from "../units.js";
import type { Transition, TransitionType } from "./state-machine.js";

/** One message: a single transition, or a summary of many of the same type and severity. */
export interface Notification {
  subject: string;
  body: string;
  /** SNS message attributes (at most 10: SNS's limit). */
  attributes: Record<string, string>;
  transitions: Transition[];
  severity: Severity;
  type: TransitionType;
  /** Stable across deliveries of the same notification. */
  dedupKey: string;
}

const SUBJECT_LIMIT = 99;
/** SNS allows 10 attributes; five are Watchpost's, so a check's first five labels (by name) go along. */
const MAX_LABEL_ATTRIBUTES = 5;

function statusWord(status: string): string {
  return status === "up" ? "UP" : status.toUpperCase();
}

export function subjectOf(t: Transition): string {
  switch (t.type) {
    case "FIRING":
      return clip(
        `[${t.severity.toUpperCase()}] ${t.check} is ${t.escalatedFrom ? "now " : ""}${statusWord(t.status)}${alsoText(t)}: ${t.reason}`,
        SUBJECT_LIMIT,
      );
    case "REMINDER":
      return clip(
        `[${t.severity.toUpperCase()}] ${t.check} is still ${statusWord(t.status)} (for ${formatSpan(Date.parse(t.at) - Date.parse(t.since))}): ${t.reason}`,
        SUBJECT_LIMIT,
      );
    case "RESOLVED":
      return clip(
        `[RESOLVED] ${t.check} is ${statusWord(t.status)} again after ${formatSpan(Date.parse(t.at) - Date.parse(t.since))}`,
        SUBJECT_LIMIT,
      );
  }
}

/** ` (also failing: api, web)` when checks that depend on this one fail too; else nothing. */
function alsoText(t: Transition): string {
  return t.alsoFailing?.length ? ` (also failing: ${t.alsoFailing.join(", ")})` : "";
}

/** The JSON block of a transition: what a machine needs to act on or deduplicate it. */
export function transitionJson(t: Transition): Record<string, unknown> {
  return {
    type: t.type,
    check: t.check,
    kind: t.kind,
    target: t.target,
    status: t.status,
    severity: t.severity,
    reason: t.reason,
    since: t.since,
    failuresInARow: t.failures,
    escalatedFrom: t.escalatedFrom ?? null,
    alsoFailing: t.alsoFailing ?? [],
    at: t.at,
    runbook: t.runbook ?? null,
    labels: t.labels,
    location: t.location,
    ...(t.log ? { log: t.log } : {}),
    dedupKey: t.dedupKey,
  };
}

/** Lines of a job's log quoted in the text of a notification (all of its 4 KiB are in the JSON). */
const QUOTED_LOG_LINES = 15;
const QUOTED_LOG_CHARS = 1_500;

/** The end of a job's log, short enough for a chat message. */
function quotedLog(log: string): string {
  const tail = log.split(/\r?\n/).slice(-QUOTED_LOG_LINES).join("\n");
  return tail.length <= QUOTED_LOG_CHARS ? tail : `…${tail.slice(-QUOTED_LOG_CHARS)}`;
}

/** The people-readable text of one transition (also Alertmanager's `description`). */
export function describe(t: Transition): string {
  const lines = [
    t.type === "RESOLVED"
      ? `${t.check} recovered at ${t.at} after ${formatSpan(Date.parse(t.at) - Date.parse(t.since))} (${t.failures} failed runs in a row).`
      : `${t.check} has been ${statusWord(t.status)} since ${t.since} (${t.failures} failed runs in a row).`,
    `Reason: ${t.reason}`,
    `Target: ${t.target}`,
    `Location: ${t.location}`,
  ];
  if (t.escalatedFrom)
    lines.splice(
      1,
      0,
      `Escalated from ${t.escalatedFrom} to ${t.severity}: the open incident got worse (now ${statusWord(t.status)}).`,
    );
  if (t.alsoFailing?.length)
    lines.push(
      `Also failing, depending on ${t.check} (their own alerts are held while it fails): ${t.alsoFailing.join(", ")}`,
    );
  if (t.runbook) lines.push(`Runbook: ${t.runbook}`);
  if (t.log) lines.push(`The job's log ends:\n\`\`\`\n${quotedLog(t.log)}\n\`\`\``);
  return lines.join("\n");
}

export function notificationOf(t: Transition): Notification {
  const labels = Object.keys(t.labels)
    .sort()
    .slice(0, MAX_LABEL_ATTRIBUTES)
    .map((name) => [name, t.labels[name] as string] as const)
    .filter(([, value]) => value !== "");
  return {
    subject: subjectOf(t),
    body: `${describe(t)}\n\n${JSON.stringify(transitionJson(t), null, 2)}\n`,
    attributes: {
      severity: t.severity,
      check: t.check,
      status: t.status,
      kind: t.kind,
      dedupKey: t.dedupKey,
      ...Object.fromEntries(labels),
    },
    transitions: [t],
    severity: t.severity,
    type: t.type,
    dedupKey: t.dedupKey,
  };
}

/** One message for many transitions of one type and severity, when a shared dependency fails. */
export function summaryOf(transitions: Transition[]): Notification {
  const first = transitions[0] as Transition;
  const names = transitions.map((t) => t.check);
  const verb =
    first.type === "RESOLVED" ? "recovered" : first.type === "REMINDER" ? "are still failing" : "are failing";
  const tag = first.type === "RESOLVED" ? "RESOLVED" : first.severity.toUpperCase();
  const subject = clip(`[${tag}] ${transitions.length} checks ${verb}: ${names.join(", ")}`, SUBJECT_LIMIT);
  const list = transitions.map((t) => `- ${t.check} (${t.target}): ${t.reason}${alsoText(t)}`).join("\n");
  const keys = transitions
    .map((t) => t.dedupKey)
    .sort()
    .join(",");
  // SNS attribute values are short; a long list is named by its digest (still stable per set).
  const dedupKey = `summary/${first.type}/${first.severity}/${keys.length <= 200 ? keys : createHash("sha256").update(keys).digest("hex").slice(0, 32)}`;
  return {
    subject,
    body: `${transitions.length} checks ${verb} at ${first.at}:\n${list}\n\n${JSON.stringify(
      { type: first.type, severity: first.severity, checks: transitions.map(transitionJson) },
      null,
      2,
    )}\n`,
    attributes: {
      severity: first.severity,
      check: "(several)",
      status: first.type === "RESOLVED" ? "up" : "down",
      kind: "summary",
      dedupKey,
    },
    transitions,
    severity: first.severity,
    type: first.type,
    dedupKey,
  };
}

/**
 * One notification per transition, except that `threshold` or more of the same type and severity
 * in one run become one summary (a storm of pages helps nobody).
 */
export function compose(transitions: readonly Transition[], threshold: number): Notification[] {
  const groups = new Map<string, Transition[]>();
  for (const t of transitions) {
    const key = `${t.type}/${t.severity}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].flatMap((group) =>
    group.length >= threshold ? [summaryOf(group)] : group.map(notificationOf),
  );
}
