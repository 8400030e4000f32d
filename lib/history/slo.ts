/**
 * Service level objectives from history: over the objective's window, the share of runs that passed
 * and what is left of the error budget; over the SRE workbook's windows, how fast the budget burns
 * (a burn rate of 1 spends exactly the budget over the window). The alerts are the workbook's
 * multi-window, multi-burn-rate ones: a page when both 1h and 5m burn faster than 14.4, or both 6h
 * and 30m faster than 6; a ticket when both 3d and 6h burn faster than 1; and a warning when less
 * than 10 % of the budget is left.
 */
import type { Slo } from "../checks/load.js";
import { formatDuration } from "../units.js";
import {
  type CheckDay,
  DAY_MS,
  dayOf,
  type History,
  latencyBucket,
  mergeHistograms,
  percentile,
  SLOT_MS,
} from "./model.js";

/** The burn-rate windows read, by name. */
export const BURN_WINDOWS = {
  "5m": 5 * 60_000,
  "30m": 30 * 60_000,
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "3d": 3 * DAY_MS,
} as const;
export type BurnWindow = keyof typeof BURN_WINDOWS;

export const ALERT_RULES = [
  { long: "1h", short: "5m", rate: 14.4, level: "page" },
  { long: "6h", short: "30m", rate: 6, level: "page" },
  { long: "3d", short: "6h", rate: 1, level: "ticket" },
] as const satisfies readonly { long: BurnWindow; short: BurnWindow; rate: number; level: string }[];

/** Less than this share of the budget left is worth a warning. */
export const LOW_BUDGET = 0.1;

export interface Objective {
  /** What is measured: passing runs, or passing runs within the latency threshold. */
  sli: "availability" | "latency";
  target: number;
  /** Good and all events over the window. */
  good: number;
  total: number;
  /** The share that passed over the window (undefined with no events). */
  actual?: number;
  /** What is left of the error budget: 1 untouched, 0 spent, below 0 overspent. */
  budgetRemaining: number;
  burnRates: Record<BurnWindow, number>;
  /** For latency: the percentile measured over the window (ms), within LATENCY_ERROR. */
  measuredMs?: number;
  thresholdMs?: number;
  quantile?: number;
}

export interface SloAlert {
  level: "page" | "ticket" | "budget";
  sli: Objective["sli"];
  text: string;
}

export interface SloReport {
  check: string;
  windowMs: number;
  from: string;
  to: string;
  objectives: Objective[];
  alerts: SloAlert[];
}

/** Good and total events in the slots of `[from, to)`, per SLI. */
function slotCounts(history: History, check: string, from: number, to: number) {
  const out = { availability: { good: 0, total: 0 }, latency: { good: 0, total: 0 } };
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    const slots = history.days[dayOf(day)]?.[check]?.slots;
    if (!slots) continue;
    for (const [slotText, [runs, down, slow]] of Object.entries(slots)) {
      const start = day + Number(slotText) * SLOT_MS;
      if (start + SLOT_MS <= from || start >= to) continue;
      out.availability.total += runs;
      out.availability.good += runs - down;
      out.latency.total += runs - down;
      out.latency.good += runs - down - slow;
    }
  }
  return out;
}

const rate = (good: number, total: number, target: number) =>
  total === 0 ? 0 : (total - good) / total / (1 - target);

/**
 * A group's history as one check's: per day, its members' counts and histograms added up, and
 * their slots added slot by slot.
 */
export function groupHistory(history: History, name: string, members: readonly string[]): History {
  const days: History["days"] = {};
  for (const [day, checks] of Object.entries(history.days)) {
    const merged: CheckDay = { runs: 0, up: 0, degraded: 0, down: 0, unknown: 0, downMs: 0, latency: {} };
    let any = false;
    for (const member of members) {
      const entry = checks[member];
      if (!entry) continue;
      any = true;
      for (const key of ["runs", "up", "degraded", "down", "unknown", "downMs"] as const)
        merged[key] += entry[key];
      mergeHistograms(merged.latency, entry.latency);
      for (const [slot, [runs, down, slow]] of Object.entries(entry.slots ?? {})) {
        merged.slots ??= {};
        const sum = merged.slots[slot] ?? [0, 0, 0];
        merged.slots[slot] = [sum[0] + runs, sum[1] + down, sum[2] + slow];
      }
    }
    if (any) days[day] = { [name]: merged };
  }
  return { days, incidents: [] };
}

export function sloReport(check: string, slo: Slo, history: History, now: number): SloReport {
  const from = now - slo.windowMs;
  const days: CheckDay[] = [];
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day <= now; day += DAY_MS) {
    const entry = history.days[dayOf(day)]?.[check];
    if (entry) days.push(entry);
  }
  // Each window's counts once, for both objectives. Rounded out to whole five-minute slots: the
  // slot `now` is in and the one `now - ms` is in count whole.
  const windows = Object.entries(BURN_WINDOWS).map(
    ([name, ms]) => [name, slotCounts(history, check, now - ms, now + 1)] as const,
  );
  const burns = (sli: "availability" | "latency", target: number) =>
    Object.fromEntries(
      windows.map(([name, counts]) => [name, round(rate(counts[sli].good, counts[sli].total, target))]),
    ) as Record<BurnWindow, number>;
  const objectives: Objective[] = [];
  if (slo.availability !== undefined) {
    const total = days.reduce((n, d) => n + d.up + d.degraded + d.down, 0);
    const good = days.reduce((n, d) => n + d.up + d.degraded, 0);
    objectives.push({
      sli: "availability",
      target: slo.availability,
      good,
      total,
      ...(total > 0 ? { actual: good / total } : {}),
      budgetRemaining: round(1 - rate(good, total, slo.availability)),
      burnRates: burns("availability", slo.availability),
    });
  }
  if (slo.latency !== undefined) {
    const { quantile, thresholdMs } = slo.latency;
    const histogram: Record<string, number> = {};
    for (const day of days) mergeHistograms(histogram, day.latency);
    const limit = latencyBucket(thresholdMs);
    let total = 0;
    let good = 0;
    for (const [bucket, n] of Object.entries(histogram)) {
      total += n;
      if (Number(bucket) <= limit) good += n;
    }
    const measured = percentile(histogram, quantile);
    objectives.push({
      sli: "latency",
      target: quantile,
      good,
      total,
      ...(total > 0 ? { actual: good / total } : {}),
      budgetRemaining: round(1 - rate(good, total, quantile)),
      burnRates: burns("latency", quantile),
      ...(measured !== undefined ? { measuredMs: Math.round(measured * 10) / 10 } : {}),
      thresholdMs,
      quantile,
    });
  }
  return {
    check,
    windowMs: slo.windowMs,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    objectives,
    alerts: objectives.flatMap((o) => alertsOf(o, slo.windowMs)),
  };
}

function alertsOf(o: Objective, windowMs: number): SloAlert[] {
  const what =
    o.sli === "availability"
      ? `availability ${percent(o.target)}`
      : `latency p${Math.round((o.quantile ?? 0) * 100)} ≤ ${formatDuration(o.thresholdMs ?? 0)}`;
  const out: SloAlert[] = [];
  const rule = ALERT_RULES.find((r) => o.burnRates[r.long] > r.rate && o.burnRates[r.short] > r.rate);
  if (rule) {
    const left =
      o.burnRates[rule.long] > 0 ? (windowMs * Math.max(0, o.budgetRemaining)) / o.burnRates[rule.long] : 0;
    out.push({
      level: rule.level,
      sli: o.sli,
      text: `${what}: the error budget burns ${o.burnRates[rule.long]}× over ${rule.long} and ${o.burnRates[rule.short]}× over ${rule.short} (alert above ${rule.rate}×); at this rate what is left lasts ${formatSpanShort(left)}`,
    });
  }
  if (o.total > 0 && o.budgetRemaining < LOW_BUDGET)
    out.push({
      level: "budget",
      sli: o.sli,
      text: `${what}: ${o.budgetRemaining <= 0 ? "the error budget is spent" : `${percent(Math.max(0, o.budgetRemaining))} of the error budget is left`} (${percent(o.actual ?? 0)} over ${formatDuration(windowMs)})`,
    });
  return out;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(3))}%`;
}

function formatSpanShort(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)}d`;
  if (ms >= 2 * 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.max(0, Math.floor(ms / 60_000))}m`;
}
