/**
 * When Watchpost tries something again, in one place: a check's attempts within its run (the engine,
 * the deploy-time budget and the alert-quality simulation), a sink's requests, a store's conditional
 * writes, unprocessed reads and lock waits, and which failures are worth another try at all.
 *
 * A check: any `down` attempt is tried again (a 503 from a load balancer mid-deploy is the commonest
 * flake, not only a reset connection), after a short jittered pause, up to `retries` times, and only
 * while another full attempt fits in the run's budget of two timeouts: a quick failure gets every
 * retry, a hang gets one. `unknown` (the check cannot be evaluated) and `degraded` (it answered,
 * slowly) are verdicts, not flakes, and are not retried.
 */
import { pause } from "./deadline.js";
import type { Status } from "./result.js";

/** Delays that double from `minMs` up to `maxMs`, each drawn within `jitter` times its ceiling. */
export interface Backoff {
  /** The first delay's ceiling. */
  minMs: number;
  /** The largest ceiling. */
  maxMs: number;
  /** The range a delay is drawn from, as fractions of its ceiling: [0, 1] is full jitter. */
  jitter: readonly [number, number];
}

/** A caller's overrides of a policy's backoff (tests: short delays, a fixed random source). */
export interface BackoffOptions extends Partial<Backoff> {
  /** A source of randomness in [0, 1). */
  random?: () => number;
}

/**
 * The pause before a check's retry: 0.5–1.5 s, not growing, so many checks retrying do not retry in
 * step and a retry still fits the run's budget.
 */
export const CHECK_PAUSE: Backoff = { minMs: 1_000, maxMs: 1_000, jitter: [0.5, 1.5] };
/** The range a check's pause is drawn from (the deploy-time budget counts the longest). */
export const RETRY_PAUSE_MS = {
  min: CHECK_PAUSE.minMs * CHECK_PAUSE.jitter[0],
  max: CHECK_PAUSE.maxMs * CHECK_PAUSE.jitter[1],
} as const;

/**
 * A sink's request (CloudWatch's PutMetricData, a remote-write body): 100 ms doubling to 5 s
 * (Prometheus' own max_backoff), full jitter, never past the run's deadline.
 */
export const SINK_BACKOFF: Backoff = { minMs: 100, maxMs: 5_000, jitter: [0, 1] };
/** CloudWatch's attempts per request, the first included. Remote-write tries until its deadline. */
export const CLOUDWATCH_ATTEMPTS = 4;
/** Less time than this left after a remote-write backoff, and a retry is not started. */
export const REMOTE_WRITE_MIN_ATTEMPT_MS = 100;

/** Conditional writes of one entry that lost to another writer before giving up (re-read each time). */
export const CONFLICT_ATTEMPTS = 5;
/** BatchGetItem asked again for the keys DynamoDB left unprocessed: 100 ms doubling, no jitter. */
export const UNPROCESSED_KEYS = { attempts: 5, backoff: { minMs: 100, maxMs: 800, jitter: [1, 1] } } as const;
/** Waiting for another process's lock on a shared file: polled from 2 ms up to every 100 ms, for 20 s. */
export const LOCK_WAIT = { maxMs: 20_000, backoff: { minMs: 2, maxMs: 100, jitter: [0.5, 1.5] } } as const;

/** The delay before retry number `retry` (0 for the first retry). */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.minMs * 2 ** retry);
  const [low, high] = backoff.jitter;
  return Math.max(1, Math.round(ceiling * low + random() * (ceiling * (high - low))));
}

/** One pause before a check's retry, drawn from `random` (a 0–1 source; seeded in the simulation). */
export function retryPauseMs(random: () => number = Math.random): number {
  return backoffDelay(0, CHECK_PAUSE, random);
}

export interface RetrySpec {
  timeoutMs: number;
  retries: number;
}

/** The longest one run of a check may take: at most two attempts' timeouts and one pause. */
export function runBudgetMs(spec: RetrySpec): number {
  return spec.retries === 0 ? spec.timeoutMs : 2 * spec.timeoutMs + RETRY_PAUSE_MS.max;
}

/**
 * Whether another attempt, started after `pauseMs`, would end inside the check's run budget
 * (`elapsedMs` of it gone) and, when the run has one, before its deadline (`deadlineInMs` away).
 */
export function anotherAttemptFits(
  spec: RetrySpec,
  elapsedMs: number,
  pauseMs: number,
  deadlineInMs = Number.POSITIVE_INFINITY,
): boolean {
  return (
    elapsedMs + pauseMs + spec.timeoutMs <= runBudgetMs(spec) && pauseMs + spec.timeoutMs <= deadlineInMs
  );
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
  deadlineInMs = Number.POSITIVE_INFINITY,
): boolean {
  return (
    status === "down" &&
    attempts <= spec.retries &&
    anotherAttemptFits(spec, elapsedMs, pauseMs, deadlineInMs)
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

/** An HTTP answer worth sending again within the run: the receiver's fault or its rate limit. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * A notification a channel refused for good: 400 says the payload itself is wrong, and sending it
 * again in later runs cannot mend it. Anything else (a 403 while a secret is rotated, a 404 while a
 * webhook is re-created, a 5xx) is tried again by the outbox in the next runs.
 */
export function refusedForGood(status: number): boolean {
  return status === 400;
}

/** AWS errors that mean "slow down", whatever the service calls them. */
const THROTTLED = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);

/** An AWS SDK error worth another request: throttling, a server fault, or one the SDK marks retryable. */
export function retryableAwsError(
  error: Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown },
) {
  const status = error.$metadata?.httpStatusCode;
  return (
    THROTTLED.has(error.name) || error.$retryable !== undefined || (status !== undefined && status >= 500)
  );
}

/** SNS errors of a whole request that no later run can mend: the request itself is malformed. */
const SNS_REFUSED = new Set([
  "InvalidParameter",
  "InvalidParameterException",
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "ValidationError",
  "ValidationException",
  "BatchRequestTooLong",
  "BatchEntryIdsNotDistinct",
  "EmptyBatchRequest",
  "TooManyEntriesInBatchRequest",
]);

export function snsRefusedForGood(error: Error): boolean {
  return SNS_REFUSED.has(error.name);
}

/** One attempt's outcome, as the loop below needs it. */
export type Attempt = { ok: true } | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

export interface RetryBounds {
  /** Attempts at most, the first included. */
  attempts: number;
  backoff: Backoff;
  /** A caller's overrides of `backoff`. */
  tuning?: BackoffOptions;
  /** Epoch ms: no retry starts that could not get this much time (`minAttemptMs`) before it. */
  deadline: number;
  minAttemptMs?: number;
  signal?: AbortSignal;
}

/**
 * Makes attempts until one succeeds, one fails for good, the attempts are spent or the deadline is
 * near, pausing by the backoff (or the `retryAfterMs` an answer asked for) in between. The error
 * says how it ended: `(not retried)`, `gave up after N attempts`, `gave up at the deadline`.
 */
export async function retrying(
  attempt: () => Promise<Attempt>,
  bounds: RetryBounds,
): Promise<{ ok: true; attempts: number } | { ok: false; attempts: number; error: string }> {
  const backoff: Backoff = {
    minMs: bounds.tuning?.minMs ?? bounds.backoff.minMs,
    maxMs: bounds.tuning?.maxMs ?? bounds.backoff.maxMs,
    jitter: bounds.tuning?.jitter ?? bounds.backoff.jitter,
  };
  let last = "no time left before the run's deadline";
  for (let made = 0; ; ) {
    if (bounds.signal?.aborted || Date.now() >= bounds.deadline)
      return { ok: false, attempts: made, error: made === 0 ? last : atDeadline(last, made) };
    const outcome = await attempt();
    made++;
    if (outcome.ok) return { ok: true, attempts: made };
    last = outcome.error;
    if (!outcome.retry) return { ok: false, attempts: made, error: `${outcome.error} (not retried)` };
    if (made >= bounds.attempts)
      return {
        ok: false,
        attempts: made,
        error: `${outcome.error}; gave up after ${made} attempt${made === 1 ? "" : "s"}`,
      };
    const delay = outcome.retryAfterMs ?? backoffDelay(made - 1, backoff, bounds.tuning?.random);
    // A retry that could not get an answer before the deadline would only be cut off mid-request.
    if (
      Date.now() + delay + (bounds.minAttemptMs ?? 0) >= bounds.deadline ||
      !(await pause(delay, bounds.signal))
    )
      return { ok: false, attempts: made, error: atDeadline(outcome.error, made) };
  }
}

function atDeadline(error: string, attempts: number): string {
  return `${error}; gave up at the deadline after ${attempts} attempt(s)`;
}
