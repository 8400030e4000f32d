/**
 * The alerting state machine, pure: (previous state, result, policy, now, in maintenance) →
 * (next state, transitions). FIRING after `failAfter` failed runs in a row, RESOLVED after
 * `recoverAfter` good ones, REMINDER every `renotifyEvery` in between. A maintenance window holds
 * transitions but never state: counters move as always, and what was held comes out on the first run
 * after the window if it still holds.
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
  /** When the transition was decided (ISO). */
  at: string;
  runbook?: string;
  labels: Record<string, string>;
  location: string;
  /** Stable for one transition of one incident, however often it is delivered. */
  dedupKey: string;
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
  outbox: OutboxEntry[];
  /** The latest transitions given up on, newest last (a few, for people and logs). */
  dead?: DeadLetter[];
}

export interface StepContext {
  now: Date;
  location: string;
  /** A maintenance window covers this run: hold transitions. */
  inMaintenance: boolean;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

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
  const state: AlertState = {
    ...prev,
    lastStatus: result.status,
    lastReason: result.reason,
    lastRunAt: now,
  };
  const transitions: Transition[] = [];
  const transition = (
    type: TransitionType,
    incident: Incident,
    failures: number,
    suffix = "",
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
    at: now,
    ...(policy.runbook ? { runbook: policy.runbook } : {}),
    labels: result.labels,
    location: context.location,
    dedupKey: `${result.name}/${incident.id}/${type}${suffix}`,
  });

  if (severity !== undefined) {
    state.failures = prev.failures + 1;
    state.successes = 0;
    state.since = prev.since ?? now;
    if (state.incident)
      state.incident = { ...state.incident, failures: Math.max(state.incident.failures, state.failures) };
    if (!state.incident && state.failures >= policy.failAfter && !context.inMaintenance) {
      state.incident = {
        id: state.since,
        severity,
        firedAt: now,
        lastNotifiedAt: now,
        reminders: 0,
        failures: state.failures,
      };
      transitions.push(transition("FIRING", state.incident, state.failures));
    } else if (
      state.incident &&
      policy.renotifyEveryMs !== undefined &&
      !context.inMaintenance &&
      context.now.getTime() - Date.parse(state.incident.lastNotifiedAt) >= policy.renotifyEveryMs
    ) {
      state.incident = { ...state.incident, lastNotifiedAt: now, reminders: state.incident.reminders + 1 };
      transitions.push(
        transition("REMINDER", state.incident, state.failures, `/${state.incident.reminders}`),
      );
    }
  } else {
    state.successes = prev.successes + 1;
    state.failures = 0;
    if (state.incident && state.successes >= policy.recoverAfter && !context.inMaintenance) {
      transitions.push(transition("RESOLVED", state.incident, state.incident.failures));
      delete state.incident;
    }
    if (!state.incident) delete state.since;
  }
  return { state, transitions };
}
