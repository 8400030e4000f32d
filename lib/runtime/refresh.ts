/**
 * One refresh: the latest results of every slow shard re-sent to the sinks, stamped now, with each
 * shard's heartbeat (lib/runtime/freshness.ts says why and when). The probe function runs it every
 * two minutes (`{ "refresh": true }`); `watchpost run --watch` between its runs.
 */
import type { CompiledChecks } from "../deploy/compile.js";
import { describeError } from "../errors.js";
import type { Sink, SinkReport } from "../sinks/sink.js";
import { needsRefresh, type RunRecords, refreshable } from "./freshness.js";
import type { SinkSource } from "./sink-source.js";
import { failedSink, mergeSinkReports } from "./stages/sinks.js";

export interface RefreshDependencies {
  checks: Pick<CompiledChecks, "shards">;
  records: RunRecords;
  /** The sinks results go to (the run record sink is not among them). */
  sinks: SinkSource[];
  location: string;
  /**
   * Write each shard's heartbeat with its samples. Default true; `--watch` says false (its records
   * are single checks, not shards: its heartbeat comes with its runs).
   */
  heartbeat?: boolean;
}

export interface RefreshSummary {
  /** Slow shards that had a record to re-send. */
  shards: number;
  /** Results re-sent. */
  results: number;
  sinks: SinkReport[];
  /** Why the records could not be read, when they could not. */
  error?: string;
}

export async function runRefresh(
  deps: RefreshDependencies,
  deadline: number,
  signal?: AbortSignal,
  now = Date.now(),
): Promise<RefreshSummary> {
  const slow = Object.entries(deps.checks.shards)
    .filter(([, specs]) => needsRefresh(specs[0]?.intervalMs ?? 0))
    .map(([id, specs]) => ({ id, names: new Set(specs.map((spec) => spec.name)) }));
  if (slow.length === 0) return { shards: 0, results: 0, sinks: [] };
  let records: Awaited<ReturnType<RunRecords["getMany"]>>;
  try {
    records = await deps.records.getMany(
      deps.location,
      slow.map((shard) => shard.id),
      signal,
    );
  } catch (error) {
    return { shards: 0, results: 0, sinks: [], error: `reading run records: ${describeError(error)}` };
  }
  const batches = records.flatMap((record) => {
    const names = slow.find((shard) => shard.id === record.shard)?.names;
    // Only checks still deployed in that shard: a removed check's series go stale, as they should.
    const results = refreshable(record, now).filter((result) => names?.has(result.name));
    return results.length > 0 ? [{ record, results }] : [];
  });
  const sinks = await Promise.all(
    deps.sinks.map(async (source): Promise<SinkReport> => {
      let sink: Sink;
      try {
        sink = await source.get();
      } catch (error) {
        return failedSink(source.name, performance.now(), `could not be built: ${describeError(error)}`);
      }
      const reports: SinkReport[] = [];
      // One write per shard: each carries its own heartbeat and stands alone if refused.
      for (const { record, results } of batches) {
        reports.push(
          await sink.write(results, {
            deadline,
            runStartedAt: now,
            refreshOf: record.at,
            location: deps.location,
            ...(deps.heartbeat === false
              ? {}
              : { shard: { id: record.shard, intervalMs: record.intervalMs } }),
            ...(signal ? { signal } : {}),
          }),
        );
      }
      return reports.length > 0
        ? mergeSinkReports(reports)
        : {
            sink: source.name,
            ok: true,
            samples: 0,
            failedSamples: 0,
            requests: 0,
            retries: 0,
            durationMs: 0,
          };
    }),
  );
  return {
    shards: batches.length,
    results: batches.reduce((n, batch) => n + batch.results.length, 0),
    sinks,
  };
}
