/**
 * The decide stage: alerting's decisions, from the run's results and what it reads once, at its
 * start: the other locations' reports (a quorum) and the objectives' history, both written by earlier
 * runs. It decides the run's results first; then, side by side, the objectives' companions and the
 * confirmation rounds. A round re-probes its checks, hands their results to the sinks and decides
 * them at once, so its FIRING goes out without waiting for other rounds. Each decision goes down to
 * delivery and history as soon as it is written; nothing here throws.
 */
import type { Alerter } from "../../alerting/alerter.js";
import { type ConfirmationRound, confirmationRounds } from "../../alerting/confirmation.js";
import type { Decision } from "../../alerting/decide.js";
import { type AlertReport, emptyReport, mergeAlertReports } from "../../alerting/report.js";
import type { Transition } from "../../alerting/state-machine.js";
import type { CheckSpec } from "../../checks/load.js";
import { pause } from "../../deadline.js";
import { describeError } from "../../errors.js";
import type { CheckResult } from "../../result.js";
import { type Bounds, failure, NO_ANSWER, type RunClock, stageCut, TIMED_OUT, within } from "../budget.js";
import type { Feed } from "../feed.js";
import { type Objectives, objectiveResults, readObjectives } from "../objectives.js";
import type { QuorumSource, SilentLocation } from "../quorum.js";
import type { Prober } from "./probe.js";
import type { Batch, Decided, StageTrace } from "./stage.js";

export interface DecideStageInput {
  alerter: Alerter;
  /** The checks this location probes: confirmation rounds re-probe among them. */
  checks: readonly CheckSpec[];
  quorum: QuorumSource | undefined;
  objectives: Objectives | undefined;
  /** Re-probe checks that failed and decided nothing yet, within the run (lib/alerting/confirmation.ts). */
  confirm: boolean;
  probe: Prober;
  /** Told of each confirmation round's results as soon as they exist (printing, logging). */
  announce: (results: CheckResult[], elapsedMs: number) => void;
  /** Every name in the configuration: the run's decision resolves open checks not among them. */
  configured?: ReadonlySet<string>;
}

export interface DecideOutcome {
  /** Every decision's report as one; `pending`: what still awaited a confirmation at the end. */
  report: AlertReport;
  durationMs: number;
  silent: SilentLocation[] | undefined;
  /** Results of confirmation re-probes, in the order they finished. */
  confirmations: CheckResult[];
}

export async function decideStage(
  input: DecideStageInput,
  first: Batch,
  clock: RunClock,
  out: { batches: Feed<Batch>; decisions: Feed<Decided> },
  trace: StageTrace,
): Promise<DecideOutcome> {
  trace("decide", "start");
  const { alerter, quorum, objectives } = input;
  const reports: AlertReport[] = [];
  const confirmations: CheckResult[] = [];
  // A confirmation round never hands delivery an entry an earlier decision already handed it.
  const handedEarlier = new Set<string>();
  let durationMs = 0;
  let silent: SilentLocation[] | undefined;
  const failed = (error: string) => reports.push(emptyReport(alerter.notifierName, [error]));
  /** A throw where none was expected: a line in the report, never past the stage. */
  const unexpected = (error: unknown): [] => {
    failed(`failed unexpectedly: ${describeError(error)}`);
    return [];
  };
  const locationReports = quorum ? within(quorum.reports(clock.signal), first.bounds.deadline) : undefined;
  const objectivesHistory = objectives
    ? within(readObjectives(objectives, Date.now(), clock.signal), first.bounds.deadline)
    : undefined;

  /** One decision on `results`, written and handed down. */
  const decideOn = async (
    kind: Decided["kind"],
    results: readonly CheckResult[],
    checks: readonly CheckSpec[],
    bounds: Bounds,
  ): Promise<Decided> => {
    const transitions: Transition[] = [];
    const started = performance.now();
    const outcome = await within(
      alerter.decide(results, checks, {
        now: new Date(bounds.startedAt),
        deadline: bounds.told,
        signal: clock.signal,
        onDecided: (decided) => transitions.push(...decided),
        handedEarlier,
        ...(kind === "run" && input.configured ? { configured: input.configured } : {}),
      }),
      bounds.deadline,
    );
    const ms = performance.now() - started;
    durationMs += ms;
    let decision: Decision | undefined;
    if (outcome === TIMED_OUT || "error" in outcome) failed(stageCut(outcome, ms));
    else {
      decision = outcome.value;
      reports.push(decision.report);
      for (const entry of decision.handed) handedEarlier.add(entry.transition.dedupKey);
    }
    const decided: Decided = { kind, results, checks, transitions, bounds, decision };
    out.decisions.push(decided);
    return decided;
  };

  /** This location's results, or with a quorum every location's verdicts on them, decided. */
  const decideResults = async (
    kind: "run" | "confirmation",
    own: CheckResult[],
    bounds: Bounds,
  ): Promise<Decided | undefined> => {
    if (!quorum || !locationReports) return decideOn(kind, own, input.checks, bounds);
    const reported = await locationReports;
    if (reported === TIMED_OUT || "error" in reported) {
      if (kind === "run")
        failed(`the other locations' reports could not be read: ${failure(reported, NO_ANSWER)}`);
      return undefined;
    }
    // The run decides every check of the shard; a confirmation round the checks it re-probed.
    const names = new Set(own.map((r) => r.name));
    const checks = kind === "run" ? quorum.checks : quorum.checks.filter((spec) => names.has(spec.name));
    const round = reported.value.join(own, checks, Date.now());
    if (kind === "run") silent = round.silent;
    return decideOn(kind, round.results, checks, bounds);
  };

  /** Each objective's companion, from its history as read and this run's decided results. */
  const decideObjectives = async (run: Decided): Promise<void> => {
    if (!objectives || !objectivesHistory) return;
    const history = await objectivesHistory;
    if (history === TIMED_OUT || "error" in history) {
      failed(`SLOs: ${objectives.history.name} could not be read: ${failure(history, NO_ANSWER)}`);
      return;
    }
    const companions = objectiveResults(objectives, history.value, run, Date.now());
    await decideOn("objectives", companions.results, companions.specs, run.bounds);
  };

  /** One round: its checks re-probed, their results to the sinks, decided; what still awaits one. */
  const confirmRound = async (round: ConfirmationRound): Promise<string[]> => {
    if (!(await pause(round.delayMs, clock.signal))) return [];
    const startedAt = Date.now();
    const results = await input.probe(round.checks);
    input.announce(results, Date.now() - startedAt);
    confirmations.push(...results);
    const bounds = clock.bounds(startedAt);
    out.batches.push({ results, bounds, confirmation: true });
    const decided = await decideResults("confirmation", results, bounds);
    return decided?.decision?.report.pending ?? [];
  };

  /** Rounds until nothing awaits a confirmation that fits in the run; what still awaits one. */
  const confirm = async (awaiting: string[]): Promise<string[]> => {
    while (awaiting.length > 0 && !clock.signal.aborted) {
      const names = new Set(awaiting);
      const rounds = confirmationRounds(
        input.checks.filter((spec) => names.has(spec.name)),
        Date.now(),
        clock.probesDeadline,
      );
      if (rounds.length === 0) break;
      // Rounds run side by side, each to its end: one that fails ends neither the others nor the stage.
      const next = await Promise.all(rounds.map((round) => confirmRound(round).catch(unexpected)));
      awaiting = next.flat();
    }
    return awaiting;
  };

  let pending: string[] = [];
  try {
    const run = await decideResults("run", first.results, first.bounds);
    pending = run?.decision?.report.pending ?? [];
    if (run) {
      const [, left] = await Promise.all([
        decideObjectives(run).catch(unexpected),
        input.confirm ? confirm(pending).catch(unexpected) : pending,
      ]);
      pending = left;
    }
  } catch (error) {
    unexpected(error);
  } finally {
    out.batches.close();
    out.decisions.close();
    trace("decide", "finish");
  }
  return {
    // What awaits confirmation is the checks' own say after the last round, not the objectives'.
    report: { ...mergeAlertReports([emptyReport(alerter.notifierName), ...reports]), pending },
    durationMs,
    silent,
    confirmations,
  };
}
