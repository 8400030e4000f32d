/**
 * When a confirmation re-probe happens: a check that failed a run and decided nothing yet is probed
 * again `confirmAfter` later, inside the same run, and that counts as its next run. Shared by the run
 * pipeline and the alert-quality simulation, so the figures describe what runs.
 */
import type { CheckSpec } from "../checks/load.js";
import { runBudgetMs } from "../retry.js";

/** A confirmation sooner than this after a failure would mostly see the same blip again. */
export const MIN_CONFIRM_DELAY_MS = 5_000;

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
