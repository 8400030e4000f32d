/**
 * History: per check and UTC day, what its runs found (runs, failures, time down), how long they
 * took (a log-bucketed histogram: p50/p95/p99 within 2.5 %), and for the last few days the runs and
 * failures of each five-minute slot, from which SLO burn rates over 5 minutes to 3 days are read.
 * The same model is kept beside the state file (locally) and in the state table (deployed).
 */
import type { CheckResult, Status } from "../result.js";

/** Latency buckets grow by this factor: a percentile read from them is within half of it (2.5 %). */
export const LATENCY_GROWTH = 1.05;
/** The error of a latency percentile read from the histogram, as a fraction. */
export const LATENCY_ERROR = (LATENCY_GROWTH - 1) / 2;
export const SLOT_MS = 5 * 60_000;
export const SLOTS_PER_DAY = 288;
export const DAY_MS = 86_400_000;
/** Five-minute slots are kept this many days back (the longest burn-rate window is 3 days). */
export const SLOT_DAYS = 4;
/** Days of history kept by default. */
export const RETAIN_DAYS = 400;

export interface CheckDay {
  /** Runs that found something: up, degraded, down or unknown (skipped runs are the monitor's, not counted). */
  runs: number;
  up: number;
  degraded: number;
  down: number;
  unknown: number;
  /** Time down: each down run counts its interval. */
  downMs: number;
  /** Latency histogram of up and degraded runs: bucket index → runs. */
  latency: Record<string, number>;
  /** Per five-minute slot of the day (recent days only): [runs, down, slow] (slow: over the SLO's latency). */
  slots?: Record<string, [number, number, number]>;
}

export interface Incident {
  check: string;
  /** The streak's start (ISO): the incident's identity. */
  id: string;
  severity: string;
  /** Why it fired, and the latest reason while open. */
  reason: string;
  firedAt: string;
  resolvedAt?: string;
  /** Notifications sent for it: the FIRING, reminders, escalations, the RESOLVED. */
  notifications: number;
}

/** A check's latest decided result, for the status page's "now". */
export interface Latest {
  status: "up" | "degraded" | "down" | "unknown";
  reason: string;
  at: string;
  /** A steps check's steps in that result. */
  steps?: LatestStep[];
}

/** What the status page shows of one step of a flow. */
export interface LatestStep {
  name: string;
  status: Status;
  reason: string;
}

export interface History {
  /** `2026-11-22` → check → its day. */
  days: Record<string, Record<string, CheckDay>>;
  incidents: Incident[];
  /** Each check's latest decided result. */
  latest?: Record<string, Latest>;
}

export const emptyHistory = (): History => ({ days: {}, incidents: [] });

/** `2026-11-22`, the UTC day of an instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function slotOf(ms: number): number {
  return Math.floor((ms % DAY_MS) / SLOT_MS);
}

export function latencyBucket(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(LATENCY_GROWTH));
}

/** The middle of a bucket (geometrically), in ms: within LATENCY_ERROR of any value in it. */
export function bucketValue(index: number): number {
  if (index <= 0) return 1;
  return LATENCY_GROWTH ** (index - 0.5);
}

/** A percentile (0 to 1) of a histogram, in ms, or undefined when it is empty. */
export function percentile(histogram: Record<string, number>, q: number): number | undefined {
  const entries = Object.entries(histogram)
    .map(([k, n]) => [Number(k), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [index, n] of entries) {
    seen += n;
    if (seen >= rank) return bucketValue(index);
  }
  return bucketValue((entries.at(-1) as readonly [number, number])[0]);
}

export function mergeHistograms(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

const emptyDay = (): CheckDay => ({
  runs: 0,
  up: 0,
  degraded: 0,
  down: 0,
  unknown: 0,
  downMs: 0,
  latency: {},
});

/** One decided result, into its check's day. `slowMs`: the check's SLO latency threshold, if any. */
export function addResult(
  history: History,
  result: Pick<CheckResult, "name" | "status" | "durationMs" | "startedAt"> & {
    reason?: string;
    steps?: readonly LatestStep[];
  },
  intervalMs: number,
  slowMs?: number,
): void {
  if (result.status === "skipped") return;
  const at = Date.parse(result.startedAt);
  history.latest ??= {};
  if ((history.latest[result.name]?.at ?? "") <= result.startedAt)
    history.latest[result.name] = {
      status: result.status,
      reason: result.reason ?? "",
      at: result.startedAt,
      ...(result.steps
        ? { steps: result.steps.map(({ name, status, reason }) => ({ name, status, reason })) }
        : {}),
    };
  const day = dayOf(at);
  history.days[day] ??= {};
  const checks = history.days[day];
  checks[result.name] ??= emptyDay();
  const entry = checks[result.name] as CheckDay;
  entry.runs++;
  entry[result.status]++;
  if (result.status === "down") entry.downMs += intervalMs;
  const answered = result.status === "up" || result.status === "degraded";
  if (answered) {
    const bucket = String(latencyBucket(result.durationMs));
    entry.latency[bucket] = (entry.latency[bucket] ?? 0) + 1;
  }
  const slot = String(slotOf(at));
  entry.slots ??= {};
  entry.slots[slot] ??= [0, 0, 0];
  const counts = entry.slots[slot];
  // Unknown runs say nothing of the target: counted neither good nor bad for an SLO.
  if (result.status !== "unknown") counts[0]++;
  if (result.status === "down") counts[1]++;
  if (slowMs !== undefined && answered && result.durationMs > slowMs) counts[2]++;
}

/** Drops days older than `retainDays` and the slots of days older than SLOT_DAYS. */
export function compact(history: History, now: number, retainDays = RETAIN_DAYS): void {
  const oldest = dayOf(now - retainDays * DAY_MS);
  const slotsFrom = dayOf(now - SLOT_DAYS * DAY_MS);
  for (const day of Object.keys(history.days)) {
    if (day < oldest) delete history.days[day];
    else if (day < slotsFrom) for (const entry of Object.values(history.days[day] ?? {})) delete entry.slots;
  }
  history.incidents = history.incidents.filter((i) => (i.resolvedAt ?? "9") >= oldest);
  if (history.latest)
    for (const [check, latest] of Object.entries(history.latest))
      if (latest.at < oldest) delete history.latest[check];
}
