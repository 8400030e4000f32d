/**
 * Confirmation re-probes (`alert.confirmAfter`), decided here and nowhere else: which checks await
 * one, when each is due, and how they go in rounds. A check that failed a run and decided nothing yet
 * is probed again `confirmAfter` later, inside the same run, and that counts as its next run. The run
 * pipeline's decide stage (lib/runtime/stages/decide.ts) and the alert-quality simulation both use
 * it, so the simulation's figures describe what runs.
 */
import type { CheckSpec } from "../checks/load.js";
import { runBudgetMs } from "../retry.js";
import type { AlertState } from "./state-machine.js";

/** A confirmation sooner than this after a failure would mostly see the same blip again. */
export const MIN_CONFIRM_DELAY_MS = 5_000;

/**
 * Whether the check's latest run failed and decided nothing yet: not firing (or failing worse than
 * its incident). A confirmation re-probe soon after decides it sooner than the next interval would.
 */
export function awaitingConfirmation(state: AlertState): boolean {
  return state.failures > 0 && (!state.incident || (state.escalating ?? 0) > 0);
}

/**
 * How long to wait before re-probing `spec` when it failed at `now`, so that the re-probe with all
 * its retries still ends by `probesDeadline`: the configured delay, shortened to fit but never below
 * 5 s (or the configured delay, if shorter). Undefined: no confirmation in this run (the next run
 * decides, as without confirmation).
 */
export function confirmationDelay(
  spec: Pick<CheckSpec, "timeoutMs" | "retries"> & { alert: Pick<CheckSpec["alert"], "confirmMs"> },
  now: number,
  probesDeadline: number,
): number | undefined {
  const wanted = spec.alert.confirmMs;
  if (wanted === undefined) return undefined;
  const delay = Math.min(wanted, probesDeadline - now - runBudgetMs(spec));
  return delay >= Math.min(wanted, MIN_CONFIRM_DELAY_MS) ? Math.max(0, delay) : undefined;
}

export interface ConfirmationRound {
  delayMs: number;
  checks: CheckSpec[];
}

/** The next rounds for the checks awaiting confirmation at `now`: one per delay, those that fit. */
export function confirmationRounds(
  awaiting: readonly CheckSpec[],
  now: number,
  probesDeadline: number,
): ConfirmationRound[] {
  const rounds = new Map<number, CheckSpec[]>();
  for (const spec of awaiting) {
    const delay = confirmationDelay(spec, now, probesDeadline);
    if (delay !== undefined) rounds.set(delay, [...(rounds.get(delay) ?? []), spec]);
  }
  return [...rounds].map(([delayMs, checks]) => ({ delayMs, checks }));
}
