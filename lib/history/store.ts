/** Where history is kept: beside the state file (locally), in the state table (deployed). */
import type { Transition } from "../alerting/state-machine.js";
import type { History, LatestStep } from "./model.js";

/** One run's decided results, as history needs them. */
export interface HistoryEntry {
  name: string;
  status: "up" | "degraded" | "down" | "unknown" | "skipped";
  durationMs: number;
  startedAt: string;
  reason: string;
  intervalMs: number;
  /** The check's SLO latency threshold (ms): a run over it counts as slow. */
  slowMs?: number;
  /** A steps check's steps: the status page shows them. */
  steps?: LatestStep[];
}

export interface HistoryBatch {
  /** The shard the results are of (the deployed store keeps one item per shard and day). */
  shard: string;
  entries: HistoryEntry[];
  transitions: Transition[];
  now: number;
}

export interface HistoryStore {
  readonly name: string;
  record(batch: HistoryBatch, signal?: AbortSignal): Promise<void>;
  /** The days from `fromDay` to `toDay` (inclusive, `2026-11-22`) and the incidents. */
  read(
    range: { fromDay: string; toDay: string; shards?: readonly string[] },
    signal?: AbortSignal,
  ): Promise<History>;
}
