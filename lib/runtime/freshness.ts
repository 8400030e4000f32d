/**
 * Keeping slow checks visible between runs. Prometheus answers an instant query from samples of the
 * last five minutes (its lookback), so a check that runs hourly would be invisible most of the hour
 * and a rule on it would flap with nothing to see. The deployed monitor (and `watchpost run --watch`)
 * re-sends the latest samples of such checks, stamped at the time of sending, every two minutes,
 * until shortly before their next run: the run's own samples must be the newest, or the receiver
 * refuses them as out of order.
 */
import type { CheckResult } from "../result.js";
import { MemoryEntries } from "../store/memory-entries.js";
import { RunRecordStore } from "./run-records-store.js";

/** Prometheus' default lookback (`--query.lookback-delta`). */
export const LOOKBACK_MS = 5 * 60_000;
/** A schedule may fire this late (EventBridge: within a minute), and a run takes time to send. */
const SLACK_MS = 60_000;
/**
 * Checks this slow or slower (4 minutes) have their latest samples re-sent: a faster one's next
 * samples arrive inside the lookback even when its schedule fires late.
 */
export const REFRESH_FROM_INTERVAL_MS = LOOKBACK_MS - SLACK_MS;
/** How often latest samples are re-sent (2 minutes): twice within that, so one late send is covered. */
export const REFRESH_EVERY_MS = REFRESH_FROM_INTERVAL_MS / 2;
/**
 * Re-sending stops this long before a shard's next run is due, so the run's samples (stamped at its
 * start) are never older than a re-sent one: a run that started up to this late stays in order.
 */
export const REFRESH_STOP_BEFORE_MS = 90_000;

export function needsRefresh(intervalMs: number): boolean {
  return intervalMs >= REFRESH_FROM_INTERVAL_MS;
}

/**
 * A shard's latest run at one location, as kept for re-sending and, with several locations, as that
 * location's report for the quorum (lib/runtime/quorum.ts).
 */
export interface RunRecord {
  location: string;
  shard: string;
  intervalMs: number;
  /** When the run started (epoch ms): the heartbeat's value, and its samples' time. */
  at: number;
  /** The run's latest result per check (a confirmation re-probe's replaces the first). */
  results: CheckResult[];
}

/**
 * The results of `record` to re-send at `now`, aged to `now` (a backup's age grows), or none: not
 * yet a minute old (its own samples are fresh), or its next run is close or overdue.
 */
export function refreshable(record: RunRecord, now: number): CheckResult[] {
  if (now - record.at < 60_000) return [];
  if (now >= record.at + record.intervalMs - REFRESH_STOP_BEFORE_MS) return [];
  const elapsedSeconds = Math.floor((now - record.at) / 1000);
  return record.results.map((result) =>
    result.facts?.backup
      ? {
          ...result,
          facts: {
            ...result.facts,
            backup: { ...result.facts.backup, ageSeconds: result.facts.backup.ageSeconds + elapsedSeconds },
          },
        }
      : result,
  );
}

/**
 * Where run records live between invocations, by location and shard: the state table when deployed,
 * a file beside the state file for local locations, memory for --watch.
 */
export interface RunRecords {
  readonly name: string;
  put(record: RunRecord, signal?: AbortSignal): Promise<void>;
  /** The records of these shards at one location. */
  getMany(location: string, shards: readonly string[], signal?: AbortSignal): Promise<RunRecord[]>;
  /** One shard's records at these locations. */
  getAt(locations: readonly string[], shard: string, signal?: AbortSignal): Promise<RunRecord[]>;
}

export class MemoryRunRecords extends RunRecordStore {
  constructor() {
    super(new MemoryEntries<RunRecord>());
  }
}
