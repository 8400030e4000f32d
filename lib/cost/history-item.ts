/**
 * The size of a shard's day of history, which prices its reads and writes: measured by encoding
 * one, not estimated.
 */
import { gzipSync } from "node:zlib";
import type { CheckSpec } from "../checks/load.js";
import { encodeDayJson } from "../history/encoding.js";
import {
  type CheckDay,
  DAY_MS,
  type Latest,
  latencyBucket,
  SLOT_MS,
  SLOTS_PER_DAY,
} from "../history/model.js";

const itemSizes = new Map<string, number>();

/**
 * The gzipped bytes of a shard's day of history, all runs up, latencies spread over a few buckets:
 * measured once per shard size and interval (shards alike in both differ only in their names).
 */
export function historyItemBytes(checks: readonly CheckSpec[], intervalMs: number): number {
  const key = `${checks.length}/${intervalMs}`;
  let bytes = itemSizes.get(key);
  if (bytes === undefined) {
    bytes = measureItemBytes(checks, intervalMs);
    itemSizes.set(key, bytes);
  }
  return bytes;
}

function measureItemBytes(checks: readonly CheckSpec[], intervalMs: number): number {
  const runs = Math.max(1, Math.round(DAY_MS / intervalMs));
  const perSlot = Math.max(1, Math.round(SLOT_MS / intervalMs));
  const slotsUsed = Math.min(SLOTS_PER_DAY, runs);
  const spread = [80, 90, 100, 100, 110, 120, 150, 250];
  const day: Record<string, CheckDay> = {};
  const latest: Record<string, Latest> = {};
  checks.forEach((check, i) => {
    const latency: Record<string, number> = {};
    for (let r = 0; r < Math.min(runs, spread.length); r++) {
      const bucket = String(latencyBucket((spread[(r + i) % spread.length] as number) * (1 + (i % 7) / 10)));
      latency[bucket] = (latency[bucket] ?? 0) + Math.ceil(runs / spread.length);
    }
    const slots: Record<string, [number, number, number]> = {};
    for (let slot = 0; slot < slotsUsed; slot++)
      slots[String(Math.floor((slot * SLOTS_PER_DAY) / slotsUsed))] = [perSlot, 0, 0];
    day[check.name] = { runs, up: runs, degraded: 0, down: 0, unknown: 0, downMs: 0, latency, slots };
    latest[check.name] = { status: "up", reason: "200 OK", at: "2030-01-01T23:59:00.000Z" };
  });
  return gzipSync(encodeDayJson({ checks: day, latest })).length;
}
