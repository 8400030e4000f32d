/**
 * What a deployment of given checks uses a month: invocations and compute, state and history reads
 * and writes, metrics, logs and samples, from the shards synth would cut and the measured cost of
 * one invocation (bench/deploy.ts). lib/cost/estimate.ts prices it.
 */
import type { CheckSpec } from "../checks/load.js";
import { cutShards } from "../deploy/compile.js";
import { DEFAULT_CONCURRENCY } from "../engine.js";
import { DAY_MS } from "../history/model.js";
import { needsRefresh, REFRESH_EVERY_MS, REFRESH_STOP_BEFORE_MS } from "../runtime/freshness.js";
import { historyItemBytes } from "./history-item.js";
import { cloudWatchMetrics, seriesPerRun } from "./published.js";

export interface CostOptions {
  maxChecksPerShard?: number;
  memoryMb?: number;
  /** A typical check's wall time against real targets (DNS, TCP, TLS, the answer). Default 300 ms. */
  latencyMs?: number;
  /** The invocation's own time besides probing (measured: about 80 ms). Default 100 ms. */
  overheadMs?: number;
  /** Per-check CloudWatch metrics (the construct's `checkMetrics`). Default true. */
  checkMetrics?: boolean;
  /** Remote-write to Amazon Managed Service for Prometheus. Default false. */
  amp?: boolean;
  /**
   * Locations (regions) probing every check; the first decides. Default 1. Each runs and pays for
   * its own invocations, logs and CloudWatch metrics (CloudWatch is regional); each writes its report
   * to the home's table every run, and the home reads the others' before deciding.
   */
  locations?: number;
  /** A logged result (one that is not up). Default 1,200 bytes. */
  logBytesPerResult?: number;
  /** The run's summary line, logged once per invocation. Default 1,500 bytes. */
  logBytesPerInvocation?: number;
  /** History kept in the state table (status page, SLOs). Default true. */
  history?: boolean;
  /** The status page, rewritten after each run of the shortest interval. Default true (with history). */
  statusPage?: boolean;
  /**
   * Share of check runs that change alert state (a failure, a recovery, a notification): only those
   * write state and log a line. Default 0.01.
   */
  changeRate?: number;
}

/** A month's use, in the units AWS bills. */
export interface Usage {
  /** Check runs at every location. */
  runsPerMonth: number;
  invocations: number;
  gbSeconds: number;
  /** Invocation seconds, for the average. */
  secondsWeighted: number;
  stateWrites: number;
  stateReads: number;
  historyWrites: number;
  historyReads: number;
  pagePuts: number;
  logGb: number;
  putRequests: number;
  customMetrics: number;
  /** Managed Prometheus samples, when `amp` is asked for. */
  ampSamples?: number;
}

const MONTH_MS = 30 * 86_400_000;

/** The requests a check sends each run: one, or a flow's steps. */
export function requestsPerRun(check: Pick<CheckSpec, "kind" | "config">): number {
  return check.kind === "steps" ? (check.config as unknown[]).length : 1;
}

export function monthlyUsage(checks: readonly CheckSpec[], options: CostOptions = {}): Usage {
  const perShard = options.maxChecksPerShard ?? 200;
  const memoryGb = (options.memoryMb ?? 1024) / 1024;
  const latency = options.latencyMs ?? 300;
  const overhead = options.overheadMs ?? 100;
  const shards = cutShards(checks, perShard);
  const runs = (intervalMs: number) => MONTH_MS / intervalMs;
  let invocations = 0;
  let gbSeconds = 0;
  let putRequests = 0;
  let secondsWeighted = 0;
  for (const shard of shards) {
    const count = runs(shard.intervalMs);
    // A flow's steps run one after another: its time is its requests', and it holds its slot as long.
    const requests = shard.checks.map(requestsPerRun);
    const total = requests.reduce((n, r) => n + r, 0);
    const waves = Math.max(...requests, Math.ceil(total / DEFAULT_CONCURRENCY));
    const seconds = (overhead + waves * latency) / 1000;
    invocations += count;
    gbSeconds += count * seconds * memoryGb;
    secondsWeighted += count * seconds;
    const datums =
      1 + (options.checkMetrics === false ? 0 : shard.checks.reduce((n, c) => n + cloudWatchMetrics(c), 0));
    putRequests += count * Math.ceil(datums / 1_000);
  }
  // Slow shards: a record written each run, and their latest samples re-sent every two minutes by
  // one more schedule (lib/runtime/freshness.ts). About 200 bytes of gzipped result per check.
  const slow = shards.filter((shard) => needsRefresh(shard.intervalMs));
  let recordWrites = 0;
  let recordReads = 0;
  let refreshSamples = 0;
  if (slow.length > 0) {
    const refreshes = MONTH_MS / REFRESH_EVERY_MS;
    invocations += refreshes;
    gbSeconds += refreshes * (overhead / 1000) * memoryGb;
    secondsWeighted += refreshes * (overhead / 1000);
    for (const shard of slow) {
      const units = Math.ceil((shard.checks.length * 200) / 1024);
      recordWrites += runs(shard.intervalMs) * units;
      recordReads += refreshes * Math.ceil(units / 4);
      const resends = Math.max(
        0,
        Math.floor((shard.intervalMs - REFRESH_STOP_BEFORE_MS - 60_000) / REFRESH_EVERY_MS),
      );
      refreshSamples +=
        runs(shard.intervalMs) * resends * (2 + shard.checks.reduce((n, c) => n + seriesPerRun(c), 0));
      if (options.checkMetrics !== false) putRequests += runs(shard.intervalMs) * resends;
    }
  }
  // Every location runs what one location runs; the home alone reads and writes alert state.
  const places = Math.max(1, options.locations ?? 1);
  invocations *= places;
  gbSeconds *= places;
  secondsWeighted *= places;
  putRequests *= places;
  recordWrites *= places;
  recordReads *= places;
  refreshSamples *= places;
  if (places > 1)
    for (const shard of shards) {
      const units = Math.ceil((shard.checks.length * 200) / 1024);
      // Each location's report, every run; the home reads the others' before deciding.
      recordWrites += runs(shard.intervalMs) * places * units;
      recordReads += runs(shard.intervalMs) * (places - 1) * Math.ceil(units / 4);
    }
  // History: each run of a shard rewrites its day's item (read first, consistently); a shard with
  // SLOs reads its window's days each run; the status page reads every shard's days (finished ones
  // once per container) and writes two objects after each run of the fastest shard. Item sizes
  // from the encoding itself.
  let historyWrites = 0;
  let historyReads = 0;
  let pagePuts = 0;
  if (options.history !== false) {
    const itemBytes = new Map(
      shards.map((shard) => [shard.id, historyItemBytes(shard.checks, shard.intervalMs)]),
    );
    for (const shard of shards) {
      const bytes = itemBytes.get(shard.id) as number;
      const count = runs(shard.intervalMs);
      historyWrites += count * Math.ceil(bytes / 1024);
      historyReads += count * Math.ceil(bytes / 4096);
      const sloDays = Math.max(
        0,
        ...shard.checks.map((c) => (c.slo ? Math.ceil(c.slo.windowMs / DAY_MS) + 1 : 0)),
      );
      historyReads += count * sloDays * Math.ceil(bytes / 4096) * 0.5;
    }
    const fastest = shards.reduce<(typeof shards)[number] | undefined>(
      (best, shard) => (!best || shard.intervalMs < best.intervalMs ? shard : best),
      undefined,
    );
    if (fastest && options.statusPage !== false) {
      const pages = runs(fastest.intervalMs);
      const all = [...itemBytes.values()].reduce((n, bytes) => n + Math.ceil(bytes / 4096) * 0.5, 0);
      // Today and yesterday each time; the finished days once per container (assumed: one an hour).
      historyReads += pages * 2 * all + (MONTH_MS / 3_600_000) * 89 * all;
      pagePuts = pages * 2;
    }
  }
  const decisions = checks.reduce((n, c) => n + runs(c.intervalMs), 0);
  const runsPerMonth = decisions * places;
  const changing = decisions * (options.changeRate ?? 0.01);
  const intervals = new Set(checks.map((c) => c.intervalMs)).size;
  const metrics =
    places *
    (intervals + (options.checkMetrics === false ? 0 : checks.reduce((n, c) => n + cloudWatchMetrics(c), 0)));
  const logGb =
    (changing * places * (options.logBytesPerResult ?? 1_200) +
      invocations * (options.logBytesPerInvocation ?? 1_500)) /
    1e9;
  return {
    runsPerMonth,
    invocations,
    gbSeconds,
    secondsWeighted,
    stateWrites: changing + recordWrites,
    stateReads: decisions + recordReads,
    historyWrites,
    historyReads,
    pagePuts,
    logGb,
    putRequests,
    customMetrics: metrics,
    ...(options.amp
      ? {
          ampSamples:
            places *
              (checks.reduce((n, c) => n + runs(c.intervalMs) * seriesPerRun(c), 0) +
                shards.reduce((n, shard) => n + runs(shard.intervalMs) * 2, 0)) +
            refreshSamples,
        }
      : {}),
  };
}
