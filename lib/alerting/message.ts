/**
 * What a notification says: a subject under 100 characters that reads on a phone's lock screen, a
 * body for people with a JSON block for machines, and the attributes SNS filter policies route on.
 */
import { createHash } from "node:crypto";
import type { Severity } from "../checks/schema.js";
import { untrustedLines, visible } from "../text.js";
import { formatSpan } from "../units.js";
import type { Transition, TransitionType } from "./state-machine.js";

/** One message: a single transition, or a summary of many of the same type and severity. */
export interface Notification {
  subject: string;
  /** The e-mail an SNS subscription sends: `text`, the quoted `log` and the JSON block, as plain text. */
  body: string;
  /** What happened, for people: the body's prose without the log. Each channel escapes it its own way. */
  text: string;
  /** The end of a failed job's log, when one transition carries it: quoted apart from the prose. */
  log?: string;
  /** SNS message attributes (at most 10: SNS's limit). */
  attributes: Record<string, string>;
  transitions: Transition[];
  severity: Severity;
  type: TransitionType;
  /** Stable across deliveries of the same notification. */
  dedupKey: string;
}

/** SNS refuses a subject of 100 characters or more. */
const SUBJECT_LIMIT = 99;
/** SNS allows 10 attributes; five are Watchpost's, so a check's first five labels (by name) go along. */
const MAX_LABEL_ATTRIBUTES = 5;

function statusWord(status: string): string {
  return status === "up" ? "UP" : status.toUpperCase();
}

export function subjectOf(t: Transition): string {
  switch (t.type) {
    case "FIRING":
      return snsSubject(
        `[${t.severity.toUpperCase()}] ${t.check} is ${t.escalatedFrom ? "now " : ""}${statusWord(t.status)}${alsoText(t)}: ${t.reason}`,
      );
    case "REMINDER":
      return snsSubject(
        `[${t.severity.toUpperCase()}] ${t.check} is still ${statusWord(t.status)} (for ${formatSpan(Date.parse(t.at) - Date.parse(t.since))}): ${t.reason}`,
      );
    case "RESOLVED":
      // Closed without a verdict (the check left the configuration): the reason says why.
      if (t.status === "skipped") return snsSubject(`[RESOLVED] ${t.check}: ${t.reason}`);
      return snsSubject(
        `[RESOLVED] ${t.check} is ${statusWord(t.status)} again after ${formatSpan(Date.parse(t.at) - Date.parse(t.since))}`,
      );
  }
}

/**
 * A subject SNS accepts (UTF-8 with no line break or control character, under 100 characters): what
 * the engine did not already escape (a state entry from before it did) shown as escapes, any run of
 * white space one space, cut at a character boundary.
 */
export function snsSubject(text: string): string {
  const line = visible(text)
    .replace(/\s+/gu, " ")
    .replace(/\p{C}/gu, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`)
    .trim();
  const chars = Array.from(line);
  return chars.length <= SUBJECT_LIMIT ? line : `${chars.slice(0, SUBJECT_LIMIT - 1).join("")}…`;
}

/** ` (also failing: api, web)` when checks that depend on this one fail too; else nothing. */
function alsoText(t: Transition): string {
  return t.alsoFailing?.length ? ` (also failing: ${t.alsoFailing.join(", ")})` : "";
}

/**
 * The JSON block of a transition: what a machine needs to act on or deduplicate it. Text is data
 * here (a receiver escapes it for its own output); a control character a state entry written before
 * the engine escaped them still holds is shown as an escape.
 */
export function transitionJson(t: Transition): Record<string, unknown> {
  return {
    type: t.type,
    check: t.check,
    kind: t.kind,
    target: t.target,
    status: t.status,
    severity: t.severity,
    reason: visible(t.reason),
    since: t.since,
    failuresInARow: t.failures,
    escalatedFrom: t.escalatedFrom ?? null,
    alsoFailing: t.alsoFailing ?? [],
    at: t.at,
    runbook: t.runbook ?? null,
    labels: t.labels,
    location: t.location,
    ...(t.log ? { log: untrustedLines(t.log, Number.POSITIVE_INFINITY) } : {}),
    ...(t.traceId ? { traceId: t.traceId } : {}),
    dedupKey: t.dedupKey,
  };
}

/** What introduces a quoted log, in every output. */
export const LOG_HEADING = "The job's log ends:";

/** Lines of a job's log quoted in the text of a notification (all of its 4 KiB are in the JSON). */
const QUOTED_LOG_LINES = 15;
const QUOTED_LOG_CHARS = 1_500;

/** The end of a job's log, short enough for a chat message, each line made visible. */
export function quotedLog(log: string): string {
  return untrustedLines(log.split(/\r?\n/).slice(-QUOTED_LOG_LINES).join("\n"), QUOTED_LOG_CHARS);
}

/**
 * A log in a code fence for plain text and markdown readers (e-mail): the fence is longer than any
 * run of backticks in the log, so no line of it can close the fence and write outside the quote.
 */
export function fenced(log: string): string {
  const longest = Math.max(0, ...(log.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${log}\n${fence}`;
}

/** The people-readable text of one transition (also Alertmanager's `description`). */
export function describe(t: Transition): string {
  const lines = [
    t.type === "RESOLVED" && t.status === "skipped"
      ? `${t.check} was closed at ${t.at} after ${formatSpan(Date.parse(t.at) - Date.parse(t.since))} without a verdict.`
      : t.type === "RESOLVED"
        ? `${t.check} recovered at ${t.at} after ${formatSpan(Date.parse(t.at) - Date.parse(t.since))} (${t.failures} failed runs in a row).`
        : `${t.check} has been ${statusWord(t.status)} since ${t.since} (${t.failures} failed runs in a row).`,
    `Reason: ${visible(t.reason)}`,
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
  if (t.traceId) lines.push(`Trace ID: ${t.traceId} (the traceparent of the probe's requests)`);
  return lines.join("\n");
}

export function notificationOf(t: Transition): Notification {
  const labels = Object.keys(t.labels)
    .sort()
    .slice(0, MAX_LABEL_ATTRIBUTES)
    .map((name) => [name, t.labels[name] as string] as const)
    .filter(([, value]) => value !== "");
  const text = describe(t);
  const log = t.log ? quotedLog(t.log) : undefined;
  return {
    subject: subjectOf(t),
    body: `${text}${log ? `\n${LOG_HEADING}\n${fenced(log)}` : ""}\n\n${JSON.stringify(transitionJson(t), null, 2)}\n`,
    text,
    ...(log ? { log } : {}),
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
  const subject = snsSubject(`[${tag}] ${transitions.length} checks ${verb}: ${names.join(", ")}`);
  const list = transitions
    .map((t) => `- ${t.check} (${t.target}): ${visible(t.reason)}${alsoText(t)}`)
    .join("\n");
  const text = `${transitions.length} checks ${verb} at ${first.at}:\n${list}`;
  const keys = transitions
    .map((t) => t.dedupKey)
    .sort()
    .join(",");
  // SNS attribute values are short; a long list is named by its digest (still stable per set).
  const dedupKey = `summary/${first.type}/${first.severity}/${keys.length <= 200 ? keys : createHash("sha256").update(keys).digest("hex").slice(0, 32)}`;
  return {
    subject,
    body: `${text}\n\n${JSON.stringify(
      { type: first.type, severity: first.severity, checks: transitions.map(transitionJson) },
      null,
      2,
    )}\n`,
    text,
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
