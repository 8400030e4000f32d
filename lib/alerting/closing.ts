/**
 * What alerting owes the checks a run did not judge. A check whose state is open (an incident, or
 * notifications not yet delivered) may leave the configuration (renamed, removed) or stop producing
 * verdicts (skipped): its pending notifications are still delivered, and a check that left the
 * configuration gets its open incident resolved, so no page stays open until its state ages out.
 * The store keeps the names of open checks (lib/alerting/stores/store.ts, `openChecks`): a run
 * finds them without reading every state.
 */
import type { CheckSpec, SloGroup } from "../checks/load.js";
import { SLO_SUFFIX } from "../history/slo-alerts.js";
import type { AlertState, Transition } from "./state-machine.js";

export const REMOVED_REASON = "check removed from the configuration";

/** Every name alerting keeps state under for this configuration: its checks and their SLO companions. */
export function configuredNames(checks: readonly CheckSpec[], groups: readonly SloGroup[] = []): Set<string> {
  const names = new Set<string>();
  for (const check of checks) {
    names.add(check.name);
    if (check.slo) names.add(`${check.name}${SLO_SUFFIX}`);
  }
  for (const group of groups) names.add(`${group.name}${SLO_SUFFIX}`);
  return names;
}

/** Whether the state owes anything: an open incident, or a notification not yet delivered. */
export function isOpen(state: AlertState | undefined): boolean {
  return state !== undefined && (state.incident !== undefined || state.outbox.length > 0);
}

/** The state of a check that left the configuration: its incident resolved, with the RESOLVED it owes. */
export function resolveRemoved(
  state: AlertState,
  now: Date,
  location: string,
): { state: AlertState; transitions: Transition[] } {
  const { incident, ...rest } = state;
  if (!incident) return { state, transitions: [] };
  const about = incident.about;
  const resolved: Transition = {
    type: "RESOLVED",
    check: state.check,
    kind: about?.kind ?? "unknown",
    target: about?.target ?? "",
    status: "skipped",
    reason: REMOVED_REASON,
    severity: incident.severity,
    since: incident.id,
    failures: incident.failures,
    at: now.toISOString(),
    ...(about?.runbook ? { runbook: about.runbook } : {}),
    labels: about?.labels ?? {},
    location,
    dedupKey: `${state.check}/${incident.id}/RESOLVED`,
  };
  const { since: _, escalating: __, ...closed } = rest;
  return {
    state: { ...closed, failures: 0, recent: "", lastReason: REMOVED_REASON, lastRunAt: now.toISOString() },
    transitions: [resolved],
  };
}
