/**
 * The alerting state machine, pure: (previous state, result, policy, now, holds) → (next state,
 * transitions). FIRING when `failAfter` of the last `failWithin` runs failed (in a row when the two
 * are equal, the default), RESOLVED when `recoverAfter` of the last `recoverWithin` passed, both
 * counted since the latest transition; REMINDER every `renotifyEvery` in between; a second FIRING at
 * the higher severity when a firing check fails worse (degraded → down) `failAfter` runs in a row.
 * A maintenance window holds every transition, a failing dependency holds all but RESOLVED; neither
 * holds state: counters move as always, and what was held comes out on the first run after the hold
 * if it still holds.
 */
import type { AlertPolicy } from "../checks/load.js";
import type { Severity } from "../checks/schema.js";
import type { CheckResult, Status } from "../result.js";

export type TransitionType = "FIRING" | "RESOLVED" | "REMINDER";

export interface Transition {
  type: TransitionType;
  check: string;
  kind: string;
  target: string;
  /** The check's status in the run that caused the transition. */
  status: Status;
  reason: string;
  severity: Severity;
  /** When the failing streak began (ISO): the incident's start. */
  since: string;
  /** Failed runs in a row (for RESOLVED: how many there were before recovery). */
  failures: number;
  /** On a FIRING that raises an open incident's severity: the severity it had. */
  escalatedFrom?: Severity;
  /** On a FIRING: the checks that depend on this one and are failing too (their own pages are held). */
  alsoFailing?: string[];
  /** When the transition was decided (ISO). */
  at: string;
  runbook?: string;
  labels: Record<string, string>;
  location: string;
  /** A failed job's own log tail (a heartbeat ping's body, at most 4 KiB), quoted in the notification. */
  log?: string;
  /** Stable for one transition of one incident, however often it is delivered. */
  dedupKey: string;
  /** The W3C trace id of the run's requests, when the check traces them (`trace: true`). */
  traceId?: string;
  /** The check's interval when decided: how long a channel may take the alert as alive without news. */
  intervalMs?: number;
}

export interface Incident {
  /** The streak's start (ISO); also the incident's identity in dedup keys. */
  id: string;
  severity: Severity;
  firedAt: string;
  lastNotifiedAt: string;
  reminders: number;
  /** Failed runs in a row when it fired, or the most seen since. */
  failures: number;
  /** What the check was when it fired: a RESOLVED sent after the check left the configuration says it. */
  about?: { kind: string; target: string; labels: Record<string, string>; runbook?: string };
}

/** A transition decided but not yet delivered, and who is delivering it until when. */
export interface OutboxEntry {
  transition: Transition;
  claimedBy?: string;
  /** Epoch ms; after it, any invocation may deliver the entry. */
  claimedUntil?: number;
  /** Delivery attempts that failed so far, and the latest one's reason. */
  failedAttempts?: number;
  lastError?: string;
}

/** A transition given up on: rejected for good, or failed too many runs in a row. Kept to be seen. */
export interface DeadLetter {
  transition: Transition;
  failedAttempts: number;
  error: string;
  /** When it was given up on (ISO). */
  at: string;
}

export interface AlertState {
  check: string;
  /** Incremented by every write; writes are conditional on it. */
  version: number;
  failures: number;
  successes: number;
  /** First failing run of the current streak (or of the open incident). */
  since?: string;
  lastStatus: Status;
  lastReason: string;
  lastRunAt: string;
  /** Present from FIRING until RESOLVED. */
  incident?: Incident;
  /** Outcomes of the runs since the latest transition, newest last (F failed, P passed), as many as the policy's windows need. */
  recent?: string;
  /** Runs in a row that failed at a higher severity than the open incident's. */
  escalating?: number;
  outbox: OutboxEntry[];
  /** With several locations: each location's latest verdict (its start, ISO) a decision counted. */
  counted?: Record<string, string>;
  /** The latest transitions given up on, newest last (a few, for people and logs). */
  dead?: DeadLetter[];
}

export interface StepContext {
  now: Date;
  location: string;
  /** A maintenance window covers this run: hold every transition. */
  inMaintenance?: boolean;
  /** The check's dependencies failing in this run: hold FIRING and REMINDER (a RESOLVED still goes). */
  failingDependencies?: readonly string[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** How many of the last `within` outcomes in `recent` are `outcome`. */
function countIn(recent: string, outcome: "F" | "P", within: number): number {
  let n = 0;
  for (const c of recent.slice(-within)) if (c === outcome) n++;
  return n;
}

/** The severity a failing result alerts with, or undefined when the result counts as healthy. */
export function failureSeverity(result: CheckResult, policy: AlertPolicy): Severity | undefined {
  if (result.status === "down" || result.status === "unknown") return result.severity as Severity;
  if (result.status === "degraded" && policy.notifyDegraded) {
    const severity = result.severity as Severity;
    return SEVERITY_RANK[severity] < SEVERITY_RANK.warning ? severity : "warning";
  }
  return undefined;
}

export function step(
  previous: AlertState | undefined,
  result: CheckResult,
  policy: AlertPolicy,
  context: StepContext,
): { state: AlertState; transitions: Transition[] } {
  const now = context.now.toISOString();
  const prev: AlertState = previous ?? {
    check: result.name,
    version: 0,
    failures: 0,
    successes: 0,
    lastStatus: result.status,
    lastReason: "",
    lastRunAt: now,
    outbox: [],
  };
  const severity = failureSeverity(result, policy);
  // A window smaller than its count could never be met: it is at least the count.
  const failWithin = Math.max(policy.failWithin, policy.failAfter);
  const recoverWithin = Math.max(policy.recoverWithin, policy.recoverAfter);
  const window = Math.max(failWithin, recoverWithin);
  const { escalating: _, ...rest } = prev;
  const state: AlertState = {
    ...rest,
    lastStatus: result.status,
    lastReason: result.reason,
    lastRunAt: now,
    recent: `${prev.recent ?? ""}${severity === undefined ? "P" : "F"}`.slice(-window),
  };
  const maintenance = context.inMaintenance === true;
  const held = maintenance || (context.failingDependencies?.length ?? 0) > 0;
  const transitions: Transition[] = [];
  const transition = (
    type: TransitionType,
    incident: Incident,
    failures: number,
    suffix = "",
    extra: Partial<Transition> = {},
  ): Transition => ({
    type,
    check: result.name,
    kind: result.kind,
    target: result.target,
    status: result.status,
    reason: result.reason,
    severity: incident.severity,
    since: incident.id,
    failures,
    ...extra,
    at: now,
    ...(policy.runbook ? { runbook: policy.runbook } : {}),
    labels: result.labels,
    location: context.location,
    ...(type !== "RESOLVED" && result.facts?.heartbeat?.log ? { log: result.facts.heartbeat.log } : {}),
    ...(result.traceId ? { traceId: result.traceId } : {}),
    dedupKey: `${result.name}/${incident.id}/${type}${suffix}`,
  });

  if (severity !== undefined) {
    state.failures = prev.failures + 1;
    state.successes = 0;
    state.since = prev.since ?? now;
    const incident = state.incident;
    if (incident) {
      state.incident = { ...incident, failures: Math.max(incident.failures, state.failures) };
      const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[incident.severity];
      if (worse) state.escalating = (prev.escalating ?? 0) + 1;
      if (worse && (state.escalating ?? 0) >= policy.failAfter && !held) {
        state.incident = { ...state.incident, severity, lastNotifiedAt: now };
        delete state.escalating;
        transitions.push(
          transition("FIRING", state.incident, state.failures, `/${severity}`, {
            escalatedFrom: incident.severity,
          }),
        );
      } else if (
        policy.renotifyEveryMs !== undefined &&
        !held &&
        context.now.getTime() - Date.parse(state.incident.lastNotifiedAt) >= policy.renotifyEveryMs
      ) {
        state.incident = {
          ...state.incident,
          lastNotifiedAt: now,
          reminders: state.incident.reminders + 1,
        };
        transitions.push(
          transition("REMINDER", state.incident, state.failures, `/${state.incident.reminders}`),
        );
      }
    } else if (countIn(state.recent ?? "", "F", failWithin) >= policy.failAfter && !held) {
      state.incident = {
        id: state.since,
        severity,
        firedAt: now,
        lastNotifiedAt: now,
        reminders: 0,
        failures: state.failures,
        about: {
          kind: result.kind,
          target: result.target,
          labels: result.labels,
          ...(policy.runbook ? { runbook: policy.runbook } : {}),
        },
      };
      state.recent = "";
      transitions.push(transition("FIRING", state.incident, state.failures));
    }
  } else {
    state.successes = prev.successes + 1;
    state.failures = 0;
    if (
      state.incident &&
      countIn(state.recent ?? "", "P", recoverWithin) >= policy.recoverAfter &&
      !maintenance
    ) {
      transitions.push(transition("RESOLVED", state.incident, state.incident.failures));
      delete state.incident;
      state.recent = "";
    }
    // The incident's start is the streak's first failure; with a rate policy, the first failure
    // since the window was last clean.
    const consecutive = failWithin === policy.failAfter;
    if (!state.incident && (consecutive || countIn(state.recent ?? "", "F", failWithin) === 0))
      delete state.since;
  }
  return { state, transitions };
}
