/**
 * One run, the same for `watchpost run` and the probe function, as a straight line of stages
 * (docs/architecture.md):
 *
 *   probe ─► { sinks ∥ decide ─► { deliver ∥ history } } ─► derived
 *
 * Each stage takes what the stages before it produced and never calls back into one of them. Every
 * stage has a budget cut from one deadline and one abort signal that reaches every probe, sink, store
 * and notifier call. A stage that fails, or cannot even be built, is a line in the summary; nothing
 * is thrown past the pipeline.
 */
import type { Alerter } from "../alerting/alerter.js";
import { type AlertReport, mergeAlertReports } from "../alerting/report.js";
import type { AwsClients } from "../aws/clients.js";
import type { CheckSpec, SloGroup } from "../checks/load.js";
import type { Resolvers } from "../checks/references.js";
import type { HeartbeatStore } from "../heartbeat/store.js";
import type { HistoryStore } from "../history/store.js";
import { type CheckResult, STATUSES, type Status } from "../result.js";
import { RunClock } from "./budget.js";
import { Feed } from "./feed.js";
import type { Objectives } from "./objectives.js";
import type { QuorumSource } from "./quorum.js";
import type { SinkSource } from "./sink-source.js";
import { decideStage } from "./stages/decide.js";
import { deliverStage } from "./stages/deliver.js";
import { derivedStage, type StatusPagePublisher } from "./stages/derived.js";
import { historyStage } from "./stages/history.js";
import { prober, probeStage } from "./stages/probe.js";
import { buildSinks, sinksStage } from "./stages/sinks.js";
import type { Batch, Decided, StageTrace } from "./stages/stage.js";
import type { RunSummary, StageReport } from "./summary.js";

// Callers build the pipeline's sinks with these.
export { lazySink, type SinkSource } from "./sink-source.js";

export interface PipelineInput {
  checks: readonly CheckSpec[];
  /** Epoch ms when the whole run must be over, alerting included. */
  deadline: number;
  /** Stops the run early (Ctrl-C): probes are cut, sinks and alerting get what is left. */
  signal?: AbortSignal;
  sinks: readonly SinkSource[];
  alerter?: Alerter;
  /**
   * Every name alerting keeps state under in the whole configuration (lib/alerting/closing.ts): an
   * open incident of a check not among them is resolved. Without it, none is.
   */
  configured?: ReadonlySet<string>;
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
  /** Objectives over groups of checks, evaluated (and alerted on) with this run's decisions. */
  sloGroups?: readonly SloGroup[];
  /** The status page, rewritten from history once the run's history is written. */
  statusPage?: StatusPagePublisher;
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
  /** Told as each stage of the run starts and finishes. */
  trace?: StageTrace;
}

export async function runPipeline(input: PipelineInput): Promise<RunSummary> {
  const clock = new RunClock(input.deadline, input.signal);
  const trace: StageTrace = input.trace ?? (() => {});
  try {
    // Built from the start, so reading a sink's secret overlaps the probes.
    const sinks = buildSinks(input.sinks);
    // The engine's options (resolvers, clients, concurrency, progress callbacks) are the run's own.
    const probe = prober(input, clock);
    const probed = await probeStage(input.checks, probe, clock, trace);
    const announce = (batch: CheckResult[], elapsedMs: number, confirmation: boolean) => {
      try {
        input.onResults?.(batch, elapsedMs, { confirmation });
      } catch {
        // Printing or logging a result must never stop its delivery.
      }
    };
    announce(probed.results, probed.stage.durationMs, false);

    const batches = new Feed<Batch>();
    const decisions = new Feed<Decided>();
    const first: Batch = {
      results: probed.results,
      bounds: clock.bounds(clock.startedAt),
      confirmation: false,
    };
    batches.push(first);
    const alerter = input.alerter;
    const objectives = objectivesOf(input);
    if (!alerter) {
      batches.close();
      decisions.close();
    }
    const [sunk, decided, delivered, recorded] = await Promise.all([
      sinksStage(
        sinks,
        batches,
        { location: input.location, signal: clock.signal, shard: input.shard },
        trace,
      ),
      alerter &&
        decideStage(
          {
            alerter,
            checks: input.checks,
            quorum: input.quorum,
            objectives,
            confirm: input.confirm === true,
            probe,
            announce: (results, elapsedMs) => announce(results, elapsedMs, true),
            ...(input.configured ? { configured: input.configured } : {}),
          },
          first,
          clock,
          { batches, decisions },
          trace,
        ),
      alerter && deliverStage(alerter, decisions, clock.signal, trace),
      alerter &&
        input.history &&
        historyStage(
          input.history,
          decisions,
          {
            groups: input.sloGroups ?? [],
            signal: clock.signal,
            shard: input.shard?.id,
          },
          trace,
        ),
    ]);
    const stages: StageReport[] = [probed.stage, sunk.stage];
    let alerts: AlertReport | undefined;
    if (decided && delivered) {
      alerts = mergeAlertReports([decided.report, delivered.report]);
      const ok = alerts.errors.length === 0 && alerts.dead === 0;
      stages.push({
        stage: "alerting",
        ok,
        durationMs: decided.durationMs + delivered.durationMs,
        ...(ok ? {} : { error: alerts.errors[0] ?? `${alerts.dead} notification(s) given up on` }),
      });
    }
    if (recorded) stages.push(recorded);
    if (input.statusPage)
      stages.push(await derivedStage(input.statusPage, input.deadline, input.signal, trace));
    return {
      results: probed.results,
      confirmations: decided?.confirmations ?? [],
      counts: Object.fromEntries(
        STATUSES.map((s) => [s, probed.results.filter((r) => r.status === s).length]),
      ) as Record<Status, number>,
      sinks: sunk.reports,
      ...(alerts ? { alerts } : {}),
      ...(decided?.silent ? { silentLocations: decided.silent } : {}),
      stages,
    };
  } finally {
    clock.dispose();
  }
}

/** The objectives the run's decisions carry, with the history they are read from; none without history. */
function objectivesOf(input: PipelineInput): Objectives | undefined {
  const decided = input.quorum?.checks ?? input.checks;
  const checks = decided.filter((spec) => spec.slo);
  const groups = input.sloGroups ?? [];
  const template = input.checks[0];
  if (!input.history || !template || checks.length + groups.length === 0) return undefined;
  return { history: input.history, checks, groups, template, shard: input.shard?.id };
}
