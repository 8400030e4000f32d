/**
 * An open incident as a FIRING transition again, for channels that keep alerts alive by being told
 * (Alertmanager): the same check, severity, start and dedupKey as the FIRING that opened it, with
 * the latest reason. Never stored, never in an outbox: it is re-sent by every run while it lasts.
 */
import type { CheckSpec } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import type { AlertState, Incident, Transition } from "./state-machine.js";

export function stillFiring(
  result: CheckResult,
  state: AlertState,
  incident: Incident,
  spec: CheckSpec,
  location: string,
  now: Date,
): Transition {
  // A healthy run of a check whose incident is not yet resolved keeps the last failing reason.
  const failing = result.status !== "up" && result.status !== "skipped";
  return {
    type: "FIRING",
    check: result.name,
    kind: result.kind,
    target: result.target,
    status: failing ? result.status : state.lastStatus,
    reason: failing ? result.reason : state.lastReason,
    severity: incident.severity,
    since: incident.id,
    failures: Math.max(state.failures, incident.failures),
    at: now.toISOString(),
    ...(spec.alert.runbook ? { runbook: spec.alert.runbook } : {}),
    labels: result.labels,
    location,
    ...(result.traceId ? { traceId: result.traceId } : {}),
    dedupKey: `${result.name}/${incident.id}/FIRING`,
    intervalMs: spec.intervalMs,
  };
}
