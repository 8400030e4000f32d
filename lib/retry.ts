/**
 * How a check retries within one run, in one place for the engine, the deploy-time budget and the
 * alert-quality simulation. Any `down` attempt is tried again (a 503 from a load balancer mid-deploy
 * is the commonest flake, not only a reset connection), after a short jittered pause, up to
 * `retries` times, and only while another full attempt fits in the run's budget of two timeouts: a
 * quick failure gets every retry, a hang gets one. `unknown` (the check cannot be evaluated) and
 * `degraded` (it answered, slowly) are verdicts, not flakes, and are not retried.
 */
import type { Status } from "./result.js";

/** The pause before a retry: uniform in this range, so many checks retrying do not retry in step. */
export const RETRY_PAUSE_MS = { min: 500, max: 1_500 } as const;

export interface RetrySpec {
  timeoutMs: number;
  retries: number;
}

/** One pause, drawn from `random` (a 0–1 source; seeded in the simulation). */
export function retryPauseMs(random: () => number = Math.random): number {
  return Math.round(RETRY_PAUSE_MS.min + random() * (RETRY_PAUSE_MS.max - RETRY_PAUSE_MS.min));
}

/** The longest one run of a check may take: at most two attempts' timeouts and one pause. */
export function runBudgetMs(spec: RetrySpec): number {
  return spec.retries === 0 ? spec.timeoutMs : 2 * spec.timeoutMs + RETRY_PAUSE_MS.max;
}

/**
 * Whether to try again after an attempt that ended with `status`, `elapsedMs` into the run, when
 * `attempts` were made so far and the next would start after `pauseMs`.
 */
export function shouldRetry(
  status: Status,
  attempts: number,
  spec: RetrySpec,
  elapsedMs: number,
  pauseMs: number,
): boolean {
  return (
    status === "down" && attempts <= spec.retries && elapsedMs + pauseMs + spec.timeoutMs <= runBudgetMs(spec)
  );
}

/**
 * The reason a run reports when it took more than one attempt: what the first failure saw stays
 * visible when a retry passed, so a flaky target shows in the results instead of hiding.
 */
export function attemptsReason(
  final: { status: Status; reason: string },
  firstFailure: string | undefined,
  attempts: number,
  failed: number,
): string {
  if (attempts <= 1 || failed === 0) return final.reason;
  const tally = `${failed} of ${attempts} attempts failed`;
  if (final.status === "down") return `${final.reason} (${tally})`;
  if (final.status === "up") return `${firstFailure} (${tally})`;
  return `${final.reason} (${tally}: ${firstFailure})`;
}
