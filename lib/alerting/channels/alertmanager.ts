/**
 * A transition as Alertmanager's API v2 takes it (`POST /api/v2/alerts`, a list of postable alerts):
 * labels identify the alert (Alertmanager's fingerprint is their set), annotations carry what may
 * change between posts. So the labels hold only what is stable for one incident: `alertname`,
 * `check`, `kind`, `severity`, the deciding `location` and the check's own labels; the reason,
 * description, runbook and dedupKey are annotations.
 *
 * Every post sets `endsAt`: a firing alert ends `aliveFor` after the post unless it is posted again,
 * so a Watchpost that stops (a deleted stack, a dead host) leaves no alert firing forever, and
 * Alertmanager's own `resolve_timeout` (which applies only to alerts without `endsAt`) plays no part.
 * A RESOLVED posts `endsAt` = the recovery time, which ends the alert at once.
 */
import { isLink } from "../../link.js";
import { clip, untrusted } from "../../text.js";
import { describe, fenced, LOG_HEADING, quotedLog } from "../message.js";
import type { Transition } from "../state-machine.js";

/** The alert name of every check's alert: Alertmanager routes and inhibits on it. */
export const ALERT_NAME = "WatchpostCheckFailing";

/** Labels Watchpost sets on every alert; a check's own label of the same name yields to them. */
const OWN_LABELS = ["alertname", "check", "kind", "severity", "location"] as const;

/** A firing alert lives this many check intervals past its post, and at least 5 minutes. */
export const ALIVE_INTERVALS = 4;
const MIN_ALIVE_MS = 5 * 60_000;
/** When a transition does not say its check's interval (older outbox entries). */
const UNKNOWN_INTERVAL_ALIVE_MS = 15 * 60_000;

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** How long after a post an alert stays firing unless posted again. */
export function aliveForMs(t: Pick<Transition, "intervalMs">): number {
  return t.intervalMs === undefined
    ? UNKNOWN_INTERVAL_ALIVE_MS
    : Math.max(ALIVE_INTERVALS * t.intervalMs, MIN_ALIVE_MS);
}

/** A label name as Prometheus and Alertmanager accept it: `[a-zA-Z_][a-zA-Z0-9_]*`. */
function labelName(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[a-zA-Z_]/.test(safe) ? safe : `_${safe}`;
}

function labelsOf(t: Transition, severity: string, location: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(t.labels)) {
    const safe = labelName(name);
    if (value !== "" && !(OWN_LABELS as readonly string[]).includes(safe)) labels[safe] = value;
  }
  return { ...labels, alertname: ALERT_NAME, check: t.check, kind: t.kind, severity, location };
}

function annotationsOf(t: Transition): Record<string, string> {
  return {
    // Data for Alertmanager's templates: on one line, no control character, the log fenced.
    summary: untrusted(t.reason, 1_000),
    description: clip(`${describe(t)}${t.log ? `\n${LOG_HEADING}\n${fenced(quotedLog(t.log))}` : ""}`, 8_000),
    target: t.target,
    ...(t.runbook && isLink(t.runbook) ? { runbook_url: t.runbook } : {}),
    ...(t.traceId ? { trace_id: t.traceId } : {}),
    locations: t.location,
    since: t.since,
    dedupKey: t.dedupKey,
  };
}

/**
 * The alerts one transition posts. `location` is the deciding location's name (stable, unlike a
 * quorum's list of agreeing locations). A FIRING that escalates also ends the alert of the severity
 * it had, whose labels differ.
 */
export function alertsOf(t: Transition, location: string, now: Date): PostableAlert[] {
  const ended = t.type === "RESOLVED";
  const endsAt = ended ? t.at : new Date(now.getTime() + aliveForMs(t)).toISOString();
  const alert: PostableAlert = {
    labels: labelsOf(t, t.severity, location),
    annotations: annotationsOf(t),
    startsAt: t.since,
    endsAt,
  };
  if (!t.escalatedFrom || ended) return [alert];
  return [
    alert,
    {
      labels: labelsOf(t, t.escalatedFrom, location),
      annotations: annotationsOf(t),
      startsAt: t.since,
      endsAt: t.at,
    },
  ];
}
