/**
 * One run, the same for `watchpost run` and the probe function: probes, then sinks and alerting side
 * by side, each stage with a budget cut from one deadline and one abort signal that reaches every
 * probe, sink, store and notifier call. A stage that fails, or cannot even be built, is a line in
 * the summary; nothing is thrown past the pipeline.
 */
import { setMaxListeners } from "node:events";
import { type Alerter, type AlertReport, emptyReport } from "../alerting/alerter.js";
import type { Transition } from "../alerting/state-machine.js";
import type { AwsClients } from "../aws/clients.js";
import type { CheckSpec, SloGroup } from "../checks/load.js";
import type { Resolvers } from "../checks/references.js";
import { pause } from "../deadline.js";
import { runChecks } from "../engine.js";
import { describeError } from "../errors.js";
import type { HeartbeatStore } from "../heartbeat/store.js";
import { dayOf } from "../history/model.js";
import { BURN_WINDOWS } from "../history/slo.js";
import { groupSloResult, groupSloSpec, sloResult, sloSpec } from "../history/slo-alerts.js";
import type { HistoryStore } from "../history/store.js";
import { type CheckResult, STATUSES, type Status } from "../result.js";
import type { Sink, SinkReport } from "../sinks/sink.js";
import { formatDuration } from "../units.js";
import { confirmationDelay } from "./confirm.js";
import type { QuorumRound, SilentLocation } from "./quorum.js";

/**
 * With several locations, the home location's part (lib/runtime/quorum.ts): before alerting, its
 * results are joined with the other locations' latest reports, and alerting decides on that.
 */
export interface QuorumSource {
  /** Every check of the shard, those this location does not probe itself included. */
  readonly checks: readonly CheckSpec[];
  gather(
    own: readonly CheckResult[],
    checks: readonly CheckSpec[],
    signal: AbortSignal,
  ): Promise<QuorumRound>;
}

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
  /** The home location's quorum over every location's reports; alerting decides on its results. */
  quorum?: QuorumSource;
  /** Where the probes run: the AWS region, or `local`. */
  location: string;
  /** The shard this run is (the deployed monitor, `--watch`): its sinks write its heartbeat. */
  shard?: { id: string; intervalMs: number };
  resolvers?: Resolvers;
  aws?: AwsClients;
  /** Where jobs' pings are recorded, for heartbeat checks. */
  heartbeats?: HeartbeatStore;
  /**
   * Where the decided results and incidents are kept (status page, SLOs): by whoever alerts, after
   * alerting decided, on the results it decided on (a quorum's, with several locations).
   */
  history?: HistoryStore;
  /** Objectives over groups of checks, evaluated (and alerted on) after this run's history. */
  sloGroups?: readonly SloGroup[];
  concurrency?: number;
  /**
   * Re-probe checks that failed and decided nothing yet, `alert.confirmAfter` later, in this run
   * (the probe function and `--watch`; a one-shot run stays quick). Needs an alerter.
   */
  confirm?: boolean;
  /**
   * Called as soon as a batch of results exists (printing, logging), before its sinks and alerting:
   * once for the run's checks, then once per confirmation round.
   */
  onResults?: (results: CheckResult[], elapsedMs: number, batch: { confirmation: boolean }) => void;
  /** Each result as it is ready, and each check's stage as it changes: for a live progress line. */
  onResult?: (result: CheckResult) => void;
  onStage?: (check: string, stage: string) => void;
}

export type Stage = "probes" | "sinks" | "alerting" | "history" | "status page";

export interface StageReport {
  stage: Stage;
  ok: boolean;
  durationMs: number;
  /** Why the stage failed or was cut, in one line. */
  error?: string;
}

export interface RunSummary {
  results: CheckResult[];
  /** Results of confirmation re-probes, in the order they finished. */
  confirmations: CheckResult[];
  counts: Record<Status, number>;
  sinks: SinkReport[];
  alerts?: AlertReport;
  /** With a quorum: the expected locations that did not report in time. */
  silentLocations?: SilentLocation[];
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
    const probe = (checks: readonly CheckSpec[]) =>
      runChecks(checks, {
        deadline: probesDeadline,
        signal: controller.signal,
        ...(input.resolvers ? { resolvers: input.resolvers } : {}),
        ...(input.aws ? { aws: input.aws } : {}),
        ...(input.heartbeats ? { heartbeats: input.heartbeats } : {}),
        ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
        ...(input.onResult ? { onResult: input.onResult } : {}),
        ...(input.onStage ? { onStage: input.onStage } : {}),
      });
    const results = await probe(input.checks);
    const probesMs = performance.now() - started;
    const skipped = results.filter((r) => r.status === "skipped").length;
    const stages: StageReport[] = [
      {
        stage: "probes",
        ok: skipped === 0,
        durationMs: probesMs,
        ...(skipped > 0
          ? {
              error: `${skipped} check${skipped === 1 ? "" : "s"} skipped: ${input.signal?.aborted ? "the run was stopped" : "no time left in the run"}`,
            }
          : {}),
      },
    ];
    const announce = (batch: CheckResult[], elapsedMs: number, confirmation: boolean) => {
      try {
        input.onResults?.(batch, elapsedMs, { confirmation });
      } catch {
        // Printing or logging a result must never stop its delivery.
      }
    };
    announce(results, probesMs, false);

    const deliver = (batch: CheckResult[], batchStartedAt: number, confirmation: boolean) =>
      deliverBatch(batch, batchStartedAt, sinks, input, controller.signal, confirmation);
    const rounds = [await deliver(results, runStartedAt, false)];
    const confirmations: CheckResult[] = [];
    let pending = new Set(rounds[0]?.alerts?.report.pending ?? []);
    while (input.confirm && input.alerter && pending.size > 0 && !controller.signal.aborted) {
      const now = Date.now();
      const due = input.checks.flatMap((spec) => {
        const delay = pending.has(spec.name) ? confirmationDelay(spec, now, probesDeadline) : undefined;
        return delay === undefined ? [] : [{ spec, delay }];
      });
      if (due.length === 0) break;
      const byDelay = new Map<number, CheckSpec[]>();
      for (const { spec, delay } of due) byDelay.set(delay, [...(byDelay.get(delay) ?? []), spec]);
      const batches = await Promise.all(
        [...byDelay].map(async ([delay, specs]) => {
          if (!(await pause(delay, controller.signal))) return [];
          const roundStartedAt = Date.now();
          const confirmed = await probe(specs);
          announce(confirmed, Date.now() - roundStartedAt, true);
          confirmations.push(...confirmed);
          return [await deliver(confirmed, roundStartedAt, true)];
        }),
      );
      rounds.push(...batches.flat());
      pending = new Set(batches.flat().flatMap((round) => round.alerts?.report.pending ?? []));
    }

    const sinkReports = input.sinks.map((source) =>
      mergeSinkReports(rounds.map((round) => round.sinks.find((r) => r.sink === source.name) as SinkReport)),
    );
    const failedSinks = sinkReports.filter((r) => !r.ok);
    stages.push({
      stage: "sinks",
      ok: failedSinks.length === 0,
      durationMs: rounds.reduce(
        (sum, round) => sum + Math.max(0, ...round.sinks.map((r) => r.durationMs)),
        0,
      ),
      ...(failedSinks.length > 0
        ? { error: failedSinks.map((r) => `${r.sink}: ${r.error}`).join("; ") }
        : {}),
    });
    const alertRounds = rounds.flatMap((round) => (round.alerts ? [round.alerts] : []));
    const silent = rounds[0]?.silent;
    const alerts = alertRounds.length > 0 ? mergeAlerts(alertRounds) : undefined;
    if (alerts) stages.push(alerts.stage);
    const historyRounds = rounds.flatMap((round) => (round.history ? [round.history] : []));
    if (historyRounds.length > 0) {
      const failed = historyRounds.find((r) => !r.ok);
      stages.push({
        stage: "history",
        ok: failed === undefined,
        durationMs: historyRounds.reduce((n, r) => n + r.durationMs, 0),
        ...(failed?.error ? { error: failed.error } : {}),
      });
    }
    return {
      results,
      confirmations,
      counts: Object.fromEntries(
        STATUSES.map((s) => [s, results.filter((r) => r.status === s).length]),
      ) as Record<Status, number>,
      sinks: sinkReports,
      ...(alerts ? { alerts: alerts.report } : {}),
      ...(silent ? { silentLocations: silent } : {}),
      stages,
    };
  } finally {
    clearTimeout(hardStop);
    input.signal?.removeEventListener("abort", stop);
  }
}

interface Round {
  sinks: SinkReport[];
  alerts?: { report: AlertReport; stage: StageReport };
  silent?: SilentLocation[];
  history?: StageReport;
}

/** One batch of results to every sink and to alerting, side by side, each bounded by the run. */
async function deliverBatch(
  results: CheckResult[],
  batchStartedAt: number,
  sinks: { source: SinkSource; built: Promise<Settled<Sink>> }[],
  input: PipelineInput,
  signal: AbortSignal,
  confirmation: boolean,
): Promise<Round> {
  const stageDeadline = Math.min(input.deadline, Date.now() + POST_PROBE_BUDGET_MS);
  // Stages are told a deadline a little before the one they are cut at, so a stage that stops in
  // time reports its own reason (which call hung) rather than being cut without one.
  const toldDeadline = stageDeadline - STAGE_GRACE_MS;
  const context = {
    deadline: toldDeadline,
    runStartedAt: batchStartedAt,
    location: input.location,
    signal,
    ...(input.shard ? { shard: input.shard } : {}),
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
          return failedSink(source.name, sinkStarted, `failed unexpectedly: ${describeError(report.error)}`);
        return report.value;
      }),
    ),
    input.alerter
      ? decideAndAlert(input, input.alerter, results, confirmation, {
          batchStartedAt,
          told: toldDeadline,
          deadline: stageDeadline,
          signal,
        }).then(
          async (
            alerted,
          ): Promise<Awaited<ReturnType<typeof decideAndAlert>> & { history?: StageReport }> => {
            if (!input.history || !alerted.decided) return alerted;
            const history = await recordHistory(
              input.history,
              // A confirmation re-probe is the same interval's run again: its incidents count, its result not twice.
              confirmation ? { ...alerted.decided, results: [] } : alerted.decided,
              input,
              stageDeadline,
              signal,
            );
            const withSlo = alerted.decided.checks.filter((spec) => spec.slo);
            const groups = input.sloGroups ?? [];
            if (confirmation || !history.ok || withSlo.length + groups.length === 0 || !input.alerter)
              return { ...alerted, history };
            const slo = await alertOnSlos(
              input.history,
              input.alerter,
              withSlo,
              groups,
              input.checks,
              input.shard?.id,
              {
                batchStartedAt,
                told: toldDeadline,
                deadline: stageDeadline,
                signal,
              },
            );
            // What awaits confirmation, and what is held, is the checks' own say, not the objectives'.
            const merged = mergeAlerts([alerted.alerts, slo]);
            const { pending, held } = alerted.alerts.report;
            return {
              ...alerted,
              history,
              alerts: { ...merged, report: { ...merged.report, pending, held } },
            };
          },
        )
      : undefined,
  ]);
  return {
    sinks: sinkReports,
    ...(alerts ? { alerts: alerts.alerts } : {}),
    ...(alerts?.silent ? { silent: alerts.silent } : {}),
    ...(alerts?.history ? { history: alerts.history } : {}),
  };
}

/** Each objective's error budget, read from history, as its companion's result through alerting. */
async function alertOnSlos(
  history: HistoryStore,
  alerter: Alerter,
  specs: readonly CheckSpec[],
  groups: readonly SloGroup[],
  all: readonly CheckSpec[],
  shard: string | undefined,
  bounds: { batchStartedAt: number; told: number; deadline: number; signal: AbortSignal },
): Promise<{ report: AlertReport; stage: StageReport }> {
  const now = Date.now();
  const longest = Math.max(
    ...specs.map((spec) => spec.slo?.windowMs ?? 0),
    ...groups.map((group) => group.slo.windowMs),
    BURN_WINDOWS["3d"],
  );
  const read = await bounded(
    settle(
      history.read(
        // A group's members may be in any shard: then every shard's days are read.
        {
          fromDay: dayOf(now - longest),
          toDay: dayOf(now),
          ...(shard && groups.length === 0 ? { shards: [shard] } : {}),
        },
        bounds.signal,
      ),
    ),
    bounds.deadline,
  );
  if (read === TIMED_OUT || "error" in read) {
    const error = `SLOs: ${history.name} could not be read: ${read === TIMED_OUT ? "no answer before the run's deadline" : describeError(read.error)}`;
    return {
      report: emptyReport(alerter.notifierName, [error]),
      stage: { stage: "alerting", ok: false, durationMs: 0, error },
    };
  }
  const template = all[0] as CheckSpec;
  const companions = [...specs.map(sloSpec), ...groups.map((group) => groupSloSpec(group, template))];
  const results = [
    ...specs.flatMap((spec) => sloResult(spec, read.value, now) ?? []),
    ...groups.map((group) => groupSloResult(group, read.value, now)),
  ];
  return alert(
    alerter,
    results,
    companions,
    bounds.batchStartedAt,
    bounds.told,
    bounds.deadline,
    bounds.signal,
  );
}

/** The results alerting decided on and what it decided, into history; bounded like every stage. */
async function recordHistory(
  history: HistoryStore,
  decided: { results: readonly CheckResult[]; checks: readonly CheckSpec[]; transitions: Transition[] },
  input: PipelineInput,
  deadline: number,
  signal: AbortSignal,
): Promise<StageReport> {
  const started = performance.now();
  const specs = new Map(decided.checks.map((spec) => [spec.name, spec]));
  const entries = decided.results.flatMap((result) => {
    const spec = specs.get(result.name);
    if (!spec) return [];
    // Slow against the check's own latency objective, else its first group's.
    const slowMs =
      spec.slo?.latency?.thresholdMs ??
      input.sloGroups?.find((g) => g.slo.latency && g.members.includes(spec.name))?.slo.latency?.thresholdMs;
    return [
      {
        name: result.name,
        status: result.status,
        durationMs: result.durationMs,
        startedAt: result.startedAt,
        reason: result.reason,
        intervalMs: spec.intervalMs,
        ...(slowMs !== undefined ? { slowMs } : {}),
      },
    ];
  });
  const outcome = await bounded(
    settle(
      history.record(
        { shard: input.shard?.id ?? "local", entries, transitions: decided.transitions, now: Date.now() },
        signal,
      ),
    ),
    deadline,
  );
  const durationMs = performance.now() - started;
  if (outcome === TIMED_OUT || "error" in outcome)
    return {
      stage: "history",
      ok: false,
      durationMs,
      error: `${history.name}: ${outcome === TIMED_OUT ? "did not finish before the run's deadline" : describeError(outcome.error)}`,
    };
  return { stage: "history", ok: true, durationMs };
}

/**
 * Alerting on this location's results, or, with a quorum, on every location's: the first batch
 * decides every check of the shard, a confirmation round the checks it re-probed.
 */
async function decideAndAlert(
  input: PipelineInput,
  alerter: Alerter,
  results: CheckResult[],
  confirmation: boolean,
  bounds: { batchStartedAt: number; told: number; deadline: number; signal: AbortSignal },
): Promise<{
  alerts: { report: AlertReport; stage: StageReport };
  silent?: SilentLocation[];
  /** What alerting decided on, and the transitions it decided. */
  decided?: { results: readonly CheckResult[]; checks: readonly CheckSpec[]; transitions: Transition[] };
}> {
  const { batchStartedAt, told, deadline, signal } = bounds;
  const transitions: Transition[] = [];
  const onDecided = (decided: Transition[]) => transitions.push(...decided);
  if (!input.quorum)
    return {
      alerts: await alert(alerter, results, input.checks, batchStartedAt, told, deadline, signal, onDecided),
      decided: { results, checks: input.checks, transitions },
    };
  const names = new Set(results.map((r) => r.name));
  const checks = confirmation
    ? input.quorum.checks.filter((spec) => names.has(spec.name))
    : input.quorum.checks;
  const gathered = await bounded(settle(input.quorum.gather(results, checks, signal)), deadline);
  if (gathered === TIMED_OUT || "error" in gathered) {
    const error = `the other locations' reports could not be read: ${gathered === TIMED_OUT ? "no answer before the run's deadline" : describeError(gathered.error)}`;
    return {
      alerts: {
        report: emptyReport(alerter.notifierName, [error]),
        stage: { stage: "alerting", ok: false, durationMs: 0, error },
      },
    };
  }
  const round = gathered.value;
  return {
    alerts: await alert(alerter, round.results, checks, batchStartedAt, told, deadline, signal, onDecided),
    silent: round.silent,
    decided: { results: round.results, checks, transitions },
  };
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

/** Alerting over a run's batches, as one report and one stage; what is pending is the last say. */
function mergeAlerts(rounds: { report: AlertReport; stage: StageReport }[]): {
  report: AlertReport;
  stage: StageReport;
} {
  const reports = rounds.map((r) => r.report);
  const last = reports.at(-1) as AlertReport;
  const sum = (key: "decided" | "delivered" | "failed" | "dead" | "conflicts") =>
    reports.reduce((n, r) => n + r[key], 0);
  const report: AlertReport = {
    notifier: last.notifier,
    decided: sum("decided"),
    delivered: sum("delivered"),
    failed: sum("failed"),
    dead: sum("dead"),
    conflicts: sum("conflicts"),
    errors: reports.flatMap((r) => r.errors),
    subjects: reports.flatMap((r) => r.subjects),
    pending: last.pending,
    held: last.held,
  };
  const failed = rounds.find((r) => !r.stage.ok);
  return {
    report,
    stage: {
      stage: "alerting",
      ok: failed === undefined,
      durationMs: rounds.reduce((n, r) => n + r.stage.durationMs, 0),
      ...(failed?.stage.error ? { error: failed.stage.error } : {}),
    },
  };
}

async function alert(
  alerter: Alerter,
  results: CheckResult[],
  checks: readonly CheckSpec[],
  runStartedAt: number,
  told: number,
  deadline: number,
  signal: AbortSignal,
  onDecided?: (transitions: Transition[]) => void,
): Promise<{ report: AlertReport; stage: StageReport }> {
  const started = performance.now();
  const outcome = await bounded(
    settle(
      alerter.process(results, checks, {
        now: new Date(runStartedAt),
        deadline: told,
        signal,
        ...(onDecided ? { onDecided } : {}),
      }),
    ),
    deadline,
  );
  const durationMs = performance.now() - started;
  if (outcome === TIMED_OUT || "error" in outcome) {
    const error =
      outcome === TIMED_OUT
        ? `did not finish before the run's deadline (${formatDuration(Math.round(durationMs))} in)`
        : `failed unexpectedly: ${describeError(outcome.error)}`;
    return {
      report: emptyReport(alerter.notifierName, [error]),
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

/** The summary in a few lines for people: one per stage, what failed and why. */
export function formatStages(summary: Pick<RunSummary, "stages">): string[] {
  return summary.stages.map(
    (s) => `${s.stage}: ${s.ok ? "ok" : `FAILED: ${s.error}`} (${Math.round(s.durationMs)}ms)`,
  );
}
