/**
 * One run, the same for `watchpost run` and the probe function: probes, then sinks and alerting side
 * by side, each stage with a budget cut from one deadline and one abort signal that reaches every
 * probe, sink, store and notifier call. A stage that fails, or cannot even be built, is a line in
 * the summary; nothing is thrown past the pipeline.
 */
import { setMaxListeners } from "node:events";
import type { Alerter, AlertReport } from "../alerting/alerter.js";
import type { AwsClients } from "../aws/clients.js";
import type { CheckSpec } from "../checks/load.js";
import type { Resolvers } from "../checks/references.js";
import { runChecks } from "../engine.js";
import { describeError } from "../errors.js";
import { type CheckResult, STATUSES, type Status } from "../result.js";
import type { Sink, SinkReport } from "../sinks/sink.js";
import { formatDuration } from "../units.js";

/** A sink made when a run first needs it, inside the run's isolation (reading a secret may fail). */
export interface SinkSource {
  /** Names the sink in the summary even when it could not be built. */
  readonly name: string;
  get(): Promise<Sink>;
}

/** A source that keeps the sink once built, and tries again on the next run when building failed. */
export function lazySink(name: string, build: () => Promise<Sink> | Sink): SinkSource {
  let sink: Promise<Sink> | undefined;
  return {
    name,
    get() {
      sink ??= Promise.resolve()
        .then(build)
        .catch((error) => {
          sink = undefined;
          throw error;
        });
      return sink;
    },
  };
}

export interface PipelineInput {
  checks: readonly CheckSpec[];
  /** Epoch ms when the whole run must be over, alerting included. */
  deadline: number;
  /** Stops the run early (Ctrl-C): probes are cut, sinks and alerting get what is left. */
  signal?: AbortSignal;
  sinks: readonly SinkSource[];
  alerter?: Alerter;
  /** Where the probes run: the AWS region, or `local`. */
  location: string;
  resolvers?: Resolvers;
  aws?: AwsClients;
  concurrency?: number;
  /** Called once, as soon as every result exists (printing, logging), before sinks and alerting. */
  onResults?: (results: CheckResult[], elapsedMs: number) => void;
}

export type Stage = "probes" | "sinks" | "alerting";

export interface StageReport {
  stage: Stage;
  ok: boolean;
  durationMs: number;
  /** Why the stage failed or was cut, in one line. */
  error?: string;
}

export interface RunSummary {
  results: CheckResult[];
  counts: Record<Status, number>;
  sinks: SinkReport[];
  alerts?: AlertReport;
  stages: StageReport[];
}

/** How much earlier than they are cut the post-probe stages are told to finish. */
const STAGE_GRACE_MS = 250;
/** Most of a run the post-probe stages may take, however far the deadline is. */
export const POST_PROBE_BUDGET_MS = 30_000;
/** Time kept back from the probes for sinks and alerting: a quarter of the run, 2 to 15 s. */
export function alertingReserve(totalMs: number): number {
  return Math.min(15_000, Math.max(2_000, totalMs / 4));
}

export async function runPipeline(input: PipelineInput): Promise<RunSummary> {
  const runStartedAt = Date.now();
  const started = performance.now();
  const controller = new AbortController();
  // Every check in flight listens to it (64 by default): that is the design, not a leak.
  setMaxListeners(0, controller.signal);
  const stop = () => controller.abort(input.signal?.reason ?? new Error("stopped"));
  if (input.signal?.aborted) stop();
  input.signal?.addEventListener("abort", stop, { once: true });
  // Every call in flight is aborted a little before the stages are cut, so each reports its own cause.
  const hardStop = setTimeout(
    () => controller.abort(new Error("the run's deadline passed")),
    Math.max(0, input.deadline - STAGE_GRACE_MS - runStartedAt),
  );
  try {
    const sinks = input.sinks.map((source) => ({ source, built: settle(source.get()) }));
    const probesDeadline = input.deadline - alertingReserve(input.deadline - runStartedAt);
    const results = await runChecks(input.checks, {
      deadline: probesDeadline,
      signal: controller.signal,
      ...(input.resolvers ? { resolvers: input.resolvers } : {}),
      ...(input.aws ? { aws: input.aws } : {}),
      ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
    });
    const probesMs = performance.now() - started;
    const skipped = results.filter((r) => r.status === "skipped").length;
    const stages: StageReport[] = [
      {
        stage: "probes",
        ok: skipped === 0,
        durationMs: probesMs,
        ...(skipped > 0
          ? { error: `${skipped} check${skipped === 1 ? "" : "s"} skipped: no time left in the run` }
          : {}),
      },
    ];
    try {
      input.onResults?.(results, probesMs);
    } catch {
      // Printing or logging a result must never stop its delivery.
    }

    const stageDeadline = Math.min(input.deadline, Date.now() + POST_PROBE_BUDGET_MS);
    // Stages are told a deadline a little before the one they are cut at, so a stage that stops in
    // time reports its own reason (which call hung) rather than being cut without one.
    const toldDeadline = stageDeadline - STAGE_GRACE_MS;
    const context = {
      deadline: toldDeadline,
      runStartedAt,
      location: input.location,
      signal: controller.signal,
    };
    const [sinkReports, alerts] = await Promise.all([
      Promise.all(
        sinks.map(async ({ source, built }) => {
          const sinkStarted = performance.now();
          const sink = await bounded(built, stageDeadline);
          if (sink === TIMED_OUT || "error" in sink)
            return failedSink(
              source.name,
              sinkStarted,
              sink === TIMED_OUT
                ? "could not be built before the run's deadline"
                : `could not be built: ${describeError(sink.error)}`,
            );
          const report = await bounded(settle(sink.value.write(results, context)), stageDeadline);
          if (report === TIMED_OUT)
            return failedSink(source.name, sinkStarted, "did not finish before the run's deadline");
          if ("error" in report)
            return failedSink(
              source.name,
              sinkStarted,
              `failed unexpectedly: ${describeError(report.error)}`,
            );
          return report.value;
        }),
      ),
      input.alerter
        ? alert(
            input.alerter,
            results,
            input.checks,
            runStartedAt,
            toldDeadline,
            stageDeadline,
            controller.signal,
          )
        : undefined,
    ]);
    const failedSinks = sinkReports.filter((r) => !r.ok);
    stages.push({
      stage: "sinks",
      ok: failedSinks.length === 0,
      durationMs: Math.max(0, ...sinkReports.map((r) => r.durationMs)),
      ...(failedSinks.length > 0
        ? { error: failedSinks.map((r) => `${r.sink}: ${r.error}`).join("; ") }
        : {}),
    });
    if (alerts) stages.push(alerts.stage);
    return {
      results,
      counts: Object.fromEntries(
        STATUSES.map((s) => [s, results.filter((r) => r.status === s).length]),
      ) as Record<Status, number>,
      sinks: sinkReports,
      ...(alerts ? { alerts: alerts.report } : {}),
      stages,
    };
  } finally {
    clearTimeout(hardStop);
    input.signal?.removeEventListener("abort", stop);
  }
}

async function alert(
  alerter: Alerter,
  results: CheckResult[],
  checks: readonly CheckSpec[],
  runStartedAt: number,
  told: number,
  deadline: number,
  signal: AbortSignal,
): Promise<{ report: AlertReport; stage: StageReport }> {
  const started = performance.now();
  const outcome = await bounded(
    settle(alerter.process(results, checks, { now: new Date(runStartedAt), deadline: told, signal })),
    deadline,
  );
  const durationMs = performance.now() - started;
  if (outcome === TIMED_OUT || "error" in outcome) {
    const error =
      outcome === TIMED_OUT
        ? `did not finish before the run's deadline (${formatDuration(Math.round(durationMs))} in)`
        : `failed unexpectedly: ${describeError(outcome.error)}`;
    return {
      report: {
        notifier: alerter.notifierName,
        decided: 0,
        delivered: 0,
        failed: 0,
        dead: 0,
        conflicts: 0,
        errors: [error],
        subjects: [],
      },
      stage: { stage: "alerting", ok: false, durationMs, error },
    };
  }
  const report = outcome.value;
  const ok = report.errors.length === 0 && report.dead === 0;
  return {
    report,
    stage: {
      stage: "alerting",
      ok,
      durationMs,
      ...(ok ? {} : { error: report.errors[0] ?? `${report.dead} notification(s) given up on` }),
    },
  };
}

const TIMED_OUT = Symbol("timed out");

type Settled<T> = { value: T } | { error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The promise's outcome, or TIMED_OUT at the deadline: a stage never outlives its run. */
function bounded<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function failedSink(sink: string, started: number, error: string): SinkReport {
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

/** The summary in a few lines for people: one per stage, what failed and why. */
export function formatStages(summary: Pick<RunSummary, "stages">): string[] {
  return summary.stages.map(
    (s) => `${s.stage}: ${s.ok ? "ok" : `FAILED: ${s.error}`} (${Math.round(s.durationMs)}ms)`,
  );
}
