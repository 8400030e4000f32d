/**
 * The sinks stage: every batch of results to every sink. Each sink takes the batches in order on its
 * own, so one that hangs or fails never holds back another, nor alerting; each write is bounded by
 * its batch's budget, and a sink that cannot even be built is a failed sink, not a failed run.
 */
import type { Sink, SinkReport } from "../../sinks/sink.js";
import { bounded, failure, type Settled, settle, stageCut, TIMED_OUT, within } from "../budget.js";
import type { Feed } from "../feed.js";
import type { SinkSource } from "../sink-source.js";
import type { StageReport } from "../summary.js";
import type { Batch, StageTrace } from "./stage.js";

export interface BuildingSink {
  source: SinkSource;
  built: Promise<Settled<Sink>>;
}

/** Every sink starts being built at once, before the probes: a secret read overlaps them. */
export function buildSinks(sources: readonly SinkSource[]): BuildingSink[] {
  return sources.map((source) => ({ source, built: settle(source.get()) }));
}

export interface SinksStageInput {
  location: string;
  signal: AbortSignal;
  /** The shard this run is: its sinks write its heartbeat. */
  shard: { id: string; intervalMs: number } | undefined;
}

export async function sinksStage(
  sinks: readonly BuildingSink[],
  batches: Feed<Batch>,
  context: SinksStageInput,
  trace: StageTrace,
): Promise<{ reports: SinkReport[]; stage: StageReport }> {
  trace("sinks", "start");
  const perSink = await Promise.all(
    sinks.map(async (sink) => {
      const reports: SinkReport[] = [];
      for await (const batch of batches) reports.push(await write(sink, batch, context));
      return reports;
    }),
  );
  trace("sinks", "finish");
  const reports = perSink.map((written) => mergeSinkReports(written));
  const failed = reports.filter((r) => !r.ok);
  // Batches follow one another; the sinks of one batch write side by side.
  const batchCount = Math.max(0, ...perSink.map((written) => written.length));
  let durationMs = 0;
  for (let i = 0; i < batchCount; i++)
    durationMs += Math.max(0, ...perSink.map((written) => written[i]?.durationMs ?? 0));
  return {
    reports,
    stage: {
      stage: "sinks",
      ok: failed.length === 0,
      durationMs,
      ...(failed.length > 0 ? { error: failed.map((r) => `${r.sink}: ${r.error}`).join("; ") } : {}),
    },
  };
}

async function write(sink: BuildingSink, batch: Batch, context: SinksStageInput): Promise<SinkReport> {
  const started = performance.now();
  const name = sink.source.name;
  const built = await bounded(sink.built, batch.bounds.deadline);
  if (built === TIMED_OUT || "error" in built)
    return failedSink(
      name,
      started,
      built === TIMED_OUT
        ? "could not be built before the run's deadline"
        : `could not be built: ${failure(built)}`,
    );
  const report = await within(
    built.value.write(batch.results, {
      deadline: batch.bounds.told,
      runStartedAt: batch.bounds.startedAt,
      location: context.location,
      signal: context.signal,
      shard: context.shard,
    }),
    batch.bounds.deadline,
  );
  if (report === TIMED_OUT || "error" in report) return failedSink(name, started, stageCut(report));
  return report.value;
}

/** One sink's reports over a run's batches, as one. */
export function mergeSinkReports(reports: SinkReport[]): SinkReport {
  const total = (key: "samples" | "failedSamples" | "requests" | "retries" | "durationMs") =>
    reports.reduce((n, r) => n + r[key], 0);
  const errors = [...new Set(reports.flatMap((r) => (r.error ? [r.error] : [])))];
  return {
    sink: (reports[0] as SinkReport).sink,
    ok: reports.every((r) => r.ok),
    samples: total("samples"),
    failedSamples: total("failedSamples"),
    requests: total("requests"),
    retries: total("retries"),
    durationMs: total("durationMs"),
    ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
  };
}

export function failedSink(sink: string, started: number, error: string): SinkReport {
  return {
    sink,
    ok: false,
    samples: 0,
    failedSamples: 0,
    requests: 0,
    retries: 0,
    durationMs: performance.now() - started,
    error,
  };
}
