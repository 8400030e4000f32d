/**
 * The run's clock aborts every call still in flight a little before its deadline. A call cut that
 * way must read the same as one cut by its own timeout: which comes first depends on the machine's
 * load, and what a user reads must not.
 */
import { describe, expect, it } from "vitest";
import { describeError, isAbort } from "../../../lib/errors.js";
import { RunClock, STAGE_GRACE_MS } from "../../../lib/runtime/budget.js";
import { unanswered } from "../../../lib/sinks/attempt.js";

async function cutByTheClock(): Promise<unknown> {
  const clock = new RunClock(Date.now() + STAGE_GRACE_MS + 20);
  try {
    await new Promise((resolve) => clock.signal.addEventListener("abort", resolve, { once: true }));
    return clock.signal.reason;
  } finally {
    clock.dispose();
  }
}

async function cutByItsTimeout(): Promise<unknown> {
  const signal = AbortSignal.timeout(10);
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  return signal.reason;
}

describe("a call cut at the run's deadline", () => {
  it("is an abort, described as no answer before the deadline, as one cut by its own timeout is", async () => {
    const [deadline, timeout] = await Promise.all([cutByTheClock(), cutByItsTimeout()]);
    expect(isAbort(deadline)).toBe(true);
    expect(describeError(deadline)).toBe("no answer before the run's deadline");
    expect(describeError(deadline)).toBe(describeError(timeout));
  });

  it("is named by a sink as the deadline, not as its own timeout", async () => {
    const reason = await cutByTheClock();
    expect(unanswered(reason, 10_000, "127.0.0.1:9")).toEqual({
      ok: false,
      retry: true,
      error: "no answer before the run's deadline from 127.0.0.1:9",
    });
  });

  it("is told apart from a stop from outside, which says what stopped it", async () => {
    const outside = new AbortController();
    const clock = new RunClock(Date.now() + 60_000, outside.signal);
    outside.abort(new Error("interrupted (SIGINT)"));
    expect(clock.stopped).toBe(true);
    expect(describeError(clock.signal.reason)).toBe("interrupted (SIGINT)");
    clock.dispose();
  });
});
