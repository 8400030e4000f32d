/**
 * SLO alerts through Watchpost's own alerting: each check with an objective has a companion,
 * `NAME/slo`, whose result is its error budget's state: `down` while a page-level burn rate holds,
 * `degraded` (alerted as a warning) for a slow burn or a budget under 10 %, `up` otherwise. Its
 * FIRING and RESOLVED go through the same state machine, outbox, channels and maintenance windows.
 */
import type { CheckSpec, SloGroup } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import type { History } from "./model.js";
import { groupHistory, type SloReport, sloReport } from "./slo.js";

export const SLO_SUFFIX = "/slo";

/** The companion spec alerting keeps state under: alert on the first verdict, recover on the first. */
export function sloSpec(spec: CheckSpec): CheckSpec {
  return {
    ...spec,
    name: `${spec.name}${SLO_SUFFIX}`,
    retries: 0,
    alert: {
      failAfter: 1,
      failWithin: 1,
      recoverAfter: 1,
      recoverWithin: 1,
      notifyDegraded: true,
      maintenance: spec.alert.maintenance,
      ...(spec.alert.runbook ? { runbook: spec.alert.runbook } : {}),
      ...(spec.alert.renotifyEveryMs ? { renotifyEveryMs: spec.alert.renotifyEveryMs } : {}),
    },
    dependsOn: [],
    dependents: [],
  };
}

/** A group's companion: the severity is critical, the labels the group's. */
export function groupSloSpec(group: SloGroup, template: CheckSpec): CheckSpec {
  const spec = sloSpec({ ...template, name: group.name, labels: group.labels, severity: "critical" });
  return { ...spec, alert: { ...spec.alert, maintenance: [] }, slo: group.slo };
}

export function groupSloResult(group: SloGroup, history: History, now: number): CheckResult {
  return resultOf(
    { name: group.name, severity: "critical", labels: group.labels },
    sloReport(group.name, group.slo, groupHistory(history, group.name, group.members), now),
    now,
    `error budget of ${group.members.length} checks labelled ${Object.entries(group.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
}

export function sloResult(spec: CheckSpec, history: History, now: number): CheckResult | undefined {
  if (!spec.slo) return undefined;
  return resultOf(spec, sloReport(spec.name, spec.slo, history, now), now, `error budget of ${spec.name}`);
}

function resultOf(
  spec: Pick<CheckSpec, "name" | "severity" | "labels">,
  report: SloReport,
  now: number,
  target: string,
): CheckResult {
  const pages = report.alerts.filter((a) => a.level === "page");
  const warnings = report.alerts.filter((a) => a.level !== "page");
  const status = pages.length > 0 ? "down" : warnings.length > 0 ? "degraded" : "up";
  const budget = report.objectives
    .map((o) => `${o.sli} budget ${Math.round(Math.max(0, o.budgetRemaining) * 1000) / 10}% left`)
    .join(", ");
  return {
    name: `${spec.name}${SLO_SUFFIX}`,
    kind: "slo",
    target,
    status,
    reason: [...pages, ...warnings].map((a) => a.text).join("; ") || budget,
    attempts: 1,
    startedAt: new Date(now).toISOString(),
    durationMs: 0,
    severity: status === "down" ? spec.severity : "warning",
    labels: spec.labels,
    conditions: [],
  };
}
