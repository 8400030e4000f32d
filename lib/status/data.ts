/**
 * What the status page shows, as data (also written as status.json): every check grouped by a label,
 * its status now, each of the last 90 days' uptime (null for a day without data: grey, not green),
 * latency p50/p95 by day, its SLO budgets, and open and recent incidents.
 */
import type { CheckSpec } from "../checks/load.js";
import { DAY_MS, dayOf, type History, type Incident, type LatestStep, percentile } from "../history/model.js";
import { sloReport } from "../history/slo.js";
import { UNTIMED_KINDS } from "../probes/kinds.js";

export const STATUS_DAYS = 90;

export interface StatusDay {
  day: string;
  /** Passing share of the runs that could tell (up, degraded, down); null without any. */
  uptime: number | null;
  runs: number;
  down: number;
  downMs: number;
  p50Ms?: number;
  p95Ms?: number;
}

export interface StatusCheck {
  name: string;
  kind: string;
  status: "up" | "degraded" | "down" | "unknown" | "no data";
  reason: string;
  /** When the latest result was taken. */
  at?: string;
  /** Over the 90 days: passing runs ÷ runs that could tell; null without any. */
  uptime: number | null;
  days: StatusDay[];
  /** A steps check's steps in its latest result. */
  steps?: LatestStep[];
  slo?: { sli: string; target: number; actual?: number; budgetRemaining: number; windowMs: number }[];
}

export interface StatusData {
  title: string;
  generatedAt: string;
  groupBy: string;
  groups: { name: string; checks: StatusCheck[] }[];
  incidents: { open: Incident[]; recent: Incident[] };
}

export function statusData(
  checks: readonly CheckSpec[],
  history: History,
  options: { now: number; groupBy: string; title: string },
): StatusData {
  const { now } = options;
  const dayKeys = Array.from({ length: STATUS_DAYS }, (_, i) => dayOf(now - (STATUS_DAYS - 1 - i) * DAY_MS));
  const groups = new Map<string, StatusCheck[]>();
  for (const spec of checks) {
    const timed = !UNTIMED_KINDS.includes(spec.kind);
    const days = dayKeys.map((day): StatusDay => {
      const entry = history.days[day]?.[spec.name];
      const told = entry ? entry.up + entry.degraded + entry.down : 0;
      const p50 = entry && timed ? percentile(entry.latency, 0.5) : undefined;
      const p95 = entry && timed ? percentile(entry.latency, 0.95) : undefined;
      return {
        day,
        uptime: entry && told > 0 ? (entry.up + entry.degraded) / told : null,
        runs: entry?.runs ?? 0,
        down: entry?.down ?? 0,
        downMs: entry?.downMs ?? 0,
        ...(p50 !== undefined ? { p50Ms: Math.round(p50) } : {}),
        ...(p95 !== undefined ? { p95Ms: Math.round(p95) } : {}),
      };
    });
    let good = 0;
    let told = 0;
    for (const day of dayKeys) {
      const entry = history.days[day]?.[spec.name];
      if (!entry) continue;
      good += entry.up + entry.degraded;
      told += entry.up + entry.degraded + entry.down;
    }
    const latest = history.latest?.[spec.name];
    const check: StatusCheck = {
      name: spec.name,
      kind: spec.kind,
      status: latest?.status ?? "no data",
      reason: latest?.reason ?? "no run recorded yet",
      ...(latest ? { at: latest.at } : {}),
      uptime: told > 0 ? good / told : null,
      days,
      ...(latest?.steps ? { steps: latest.steps } : {}),
      ...(spec.slo
        ? {
            slo: sloReport(spec.name, spec.slo, history, now).objectives.map((o) => ({
              sli: o.sli,
              target: o.target,
              ...(o.actual !== undefined ? { actual: o.actual } : {}),
              budgetRemaining: o.budgetRemaining,
              windowMs: spec.slo?.windowMs ?? 0,
            })),
          }
        : {}),
    };
    const group = spec.labels[options.groupBy] ?? "other";
    groups.set(group, [...(groups.get(group) ?? []), check]);
  }
  const names = new Set(checks.map((c) => c.name));
  const since = dayKeys[0] as string;
  const incidents = history.incidents.filter((i) => names.has(i.check));
  return {
    title: options.title,
    generatedAt: new Date(now).toISOString(),
    groupBy: options.groupBy,
    groups: [...groups]
      .sort(([a], [b]) => (a === "other" ? 1 : b === "other" ? -1 : a.localeCompare(b)))
      .map(([name, list]) => ({ name, checks: list.sort((a, b) => a.name.localeCompare(b.name)) })),
    incidents: {
      open: incidents.filter((i) => !i.resolvedAt).sort((a, b) => b.firedAt.localeCompare(a.firedAt)),
      recent: incidents
        .filter((i) => i.resolvedAt && i.resolvedAt.slice(0, 10) >= since)
        .sort((a, b) => b.firedAt.localeCompare(a.firedAt)),
    },
  };
}

/** A share as people read it, never rounded up: 99.999 % is 99.99 %, not 100 %. */
export function formatUptime(share: number | null): string {
  if (share === null) return "no data";
  return `${(Math.floor(share * 10_000 + 1e-9) / 100).toFixed(2)}%`;
}
