import { describe, expect, it } from "vitest";
import {
  type Attempt,
  backoffDelay,
  CHECK_PAUSE,
  LOCK_WAIT,
  RETRY_PAUSE_MS,
  refusedForGood,
  retryableAwsError,
  retryableStatus,
  retrying,
  retryPauseMs,
  runBudgetMs,
  SINK_BACKOFF,
  shouldRetry,
  snsRefusedForGood,
  UNPROCESSED_KEYS,
} from "../../lib/retry.js";

/** Attempts that answer `outcomes` in turn (the last one again when they run out). */
function scripted(...outcomes: Attempt[]): { attempt: () => Promise<Attempt>; made: () => number } {
  let made = 0;
  return {
    attempt: async () => outcomes[Math.min(made++, outcomes.length - 1)] as Attempt,
    made: () => made,
  };
}

const failed = (error: string, retry = true): Attempt => ({ ok: false, retry, error });
const quick = { backoff: { minMs: 1, maxMs: 2, jitter: [0, 1] } as const };

describe("backoff", () => {
  it("doubles each delay's ceiling up to the largest, drawn within the jitter range", () => {
    expect([0, 1, 2, 3, 10].map((retry) => backoffDelay(retry, SINK_BACKOFF, () => 0.999_999))).toEqual([
      100, 200, 400, 800, 5_000,
    ]);
    expect(backoffDelay(3, SINK_BACKOFF, () => 0)).toBe(1);
    expect(
      [1, 2, 3, 4].map((retry) => backoffDelay(retry - 1, UNPROCESSED_KEYS.backoff, Math.random)),
    ).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(0, LOCK_WAIT.backoff, () => 0)).toBe(1);
    expect(backoffDelay(9, LOCK_WAIT.backoff, () => 0.999_999)).toBe(150);
  });

  it("pauses a check's retry 0.5–1.5 s, never growing, the range its run budget counts", () => {
    expect(RETRY_PAUSE_MS).toEqual({ min: 500, max: 1_500 });
    expect(retryPauseMs(() => 0)).toBe(500);
    expect(retryPauseMs(() => 0.5)).toBe(1_000);
    expect(backoffDelay(4, CHECK_PAUSE, () => 0.999_999)).toBe(1_500);
    expect(runBudgetMs({ timeoutMs: 10_000, retries: 3 })).toBe(21_500);
    expect(runBudgetMs({ timeoutMs: 10_000, retries: 0 })).toBe(10_000);
  });

  it("retries a check's down attempt only while another fits its budget and the run's deadline", () => {
    const spec = { timeoutMs: 1_000, retries: 2 };
    expect(shouldRetry("down", 1, spec, 100, 500)).toBe(true);
    expect(shouldRetry("unknown", 1, spec, 100, 500)).toBe(false);
    expect(shouldRetry("down", 3, spec, 100, 500)).toBe(false);
    expect(shouldRetry("down", 1, spec, 2_000, 500)).toBe(true);
    expect(shouldRetry("down", 1, spec, 2_001, 500)).toBe(false);
    expect(shouldRetry("down", 1, spec, 100, 500, 1_500)).toBe(true);
    expect(shouldRetry("down", 1, spec, 100, 500, 1_499)).toBe(false);
  });
});

describe("what is worth another try", () => {
  it("sends an HTTP body again for a server fault or a rate limit, and gives a notification up on 400 only", () => {
    expect([500, 503, 429, 400, 404, 413].map(retryableStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect([400, 403, 404, 500].map(refusedForGood)).toEqual([true, false, false, false]);
  });

  it("retries AWS throttling, server faults and what the SDK marks retryable, not a denial", () => {
    const error = (name: string, status?: number, extra = {}) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
    expect(retryableAwsError(error("ThrottlingException", 400))).toBe(true);
    expect(retryableAwsError(error("InternalFailure", 500))).toBe(true);
    expect(retryableAwsError(error("Weird", 400, { $retryable: {} }))).toBe(true);
    expect(retryableAwsError(error("AccessDenied", 403))).toBe(false);
    expect(snsRefusedForGood(error("InvalidParameterValue", 400))).toBe(true);
    expect(snsRefusedForGood(error("ThrottlingException", 400))).toBe(false);
  });
});

describe("retrying", () => {
  it("stops at the first success, counting the attempts it took", async () => {
    const { attempt } = scripted(failed("503"), failed("503"), { ok: true });
    expect(await retrying(attempt, { attempts: 5, ...quick, deadline: Date.now() + 5_000 })).toEqual({
      ok: true,
      attempts: 3,
    });
  });

  it("says how it ended: refused, out of attempts, or at the deadline", async () => {
    const deadline = () => Date.now() + 5_000;
    const refused = scripted(failed("403", false));
    expect(await retrying(refused.attempt, { attempts: 5, ...quick, deadline: deadline() })).toEqual({
      ok: false,
      attempts: 1,
      error: "403 (not retried)",
    });
    const spent = scripted(failed("503"));
    expect(await retrying(spent.attempt, { attempts: 3, ...quick, deadline: deadline() })).toEqual({
      ok: false,
      attempts: 3,
      error: "503; gave up after 3 attempts",
    });
    // The receiver asks for a minute; the run has five seconds: no retry is started.
    const later = scripted({ ok: false, retry: true, error: "429", retryAfterMs: 60_000 });
    expect(await retrying(later.attempt, { attempts: 5, ...quick, deadline: deadline() })).toEqual({
      ok: false,
      attempts: 1,
      error: "429; gave up at the deadline after 1 attempt(s)",
    });
    const none = scripted({ ok: true });
    expect(await retrying(none.attempt, { attempts: 5, ...quick, deadline: Date.now() - 1 })).toEqual({
      ok: false,
      attempts: 0,
      error: "no time left before the run's deadline",
    });
    expect(none.made()).toBe(0);
  });

  it("ends a pause as soon as the run is stopped", async () => {
    const controller = new AbortController();
    const { attempt, made } = scripted(failed("503"));
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const outcome = await retrying(attempt, {
      attempts: Number.POSITIVE_INFINITY,
      backoff: { minMs: 60_000, maxMs: 60_000, jitter: [1, 1] },
      deadline: Date.now() + 600_000,
      signal: controller.signal,
    });
    expect(outcome).toEqual({
      ok: false,
      attempts: 1,
      error: "503; gave up at the deadline after 1 attempt(s)",
    });
    expect(made()).toBe(1);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("takes a caller's backoff overrides over the policy's", async () => {
    const { attempt } = scripted(failed("503"), { ok: true });
    const started = performance.now();
    await retrying(attempt, {
      attempts: 2,
      backoff: { minMs: 60_000, maxMs: 60_000, jitter: [1, 1] },
      tuning: { minMs: 1, maxMs: 1 },
      deadline: Date.now() + 600_000,
    });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
