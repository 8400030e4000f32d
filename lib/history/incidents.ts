/** Incidents, from the alerting's transitions: a FIRING opens one, reminders count, a RESOLVED closes it. */
import type { Transition } from "../alerting/state-machine.js";
import type { History } from "./model.js";

export function addTransitions(history: History, transitions: readonly Transition[]): void {
  for (const t of transitions) {
    let incident = history.incidents.find((i) => i.check === t.check && i.id === t.since);
    if (!incident && t.type !== "FIRING") continue;
    if (!incident) {
      incident = {
        check: t.check,
        id: t.since,
        severity: t.severity,
        reason: t.reason,
        firedAt: t.at,
        notifications: 0,
      };
      history.incidents.push(incident);
    }
    incident.notifications++;
    if (t.type === "RESOLVED") incident.resolvedAt = t.at;
    else {
      incident.reason = t.reason;
      incident.severity = t.severity;
    }
  }
}
