/**
 * A run's time, in one place: one deadline and one abort signal for every stage, the share the probes
 * may take, and the budget each batch of results gets after them. A stage bounded by these never
 * outlives its run.
 */
import { setMaxListeners } from "node:events";
import { DeadlinePassed, describeError } from "../errors.js";
import { formatDuration } from "../units.js";

/** Kept back from Lambda's own timeout to log the summary and return. */
export const HANDLER_RESERVE_MS = 1_000;
/** How much earlier than they are cut the post-probe stages are told to finish. */
export const STAGE_GRACE_MS = 250;
/** Most of a run the post-probe stages may take, however far the deadline is. */
export const POST_PROBE_BUDGET_MS = 30_000;

/** Time kept back from the probes for sinks and alerting: a quarter of the run, 2 to 15 s. */
export function alertingReserve(totalMs: number): number {
  return Math.min(15_000, Math.max(2_000, totalMs / 4));
}

/** One batch's budget after the probes: the time it stands for, when it is told to end, when it is cut. */
export interface Bounds {
  /** Epoch ms of the run (or confirmation round) the batch's results are of. */
  startedAt: number;
  /** Stages are told to finish by then, a little early, so one that stops in time says which call hung. */
  told: number;
  /** Stages are cut then. */
  deadline: number;
}

export class RunClock {
  readonly startedAt = Date.now();
  /** Aborted when the run is stopped (Ctrl-C) and a little before its deadline. */
  readonly signal: AbortSignal;
  /** When probes must be over, leaving the rest of the run to the stages after them. */
  readonly probesDeadline: number;
  private readonly controller = new AbortController();
  private readonly hardStop: NodeJS.Timeout;
  private readonly stop: () => void;

  constructor(
    /** Epoch ms when the whole run must be over. */
    readonly deadline: number,
    private readonly stopSignal?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    // Every check in flight listens to it (64 by default): that is the design, not a leak.
    setMaxListeners(0, this.signal);
    this.stop = () => this.controller.abort(stopSignal?.reason ?? new Error("stopped"));
    if (stopSignal?.aborted) this.stop();
    stopSignal?.addEventListener("abort", this.stop, { once: true });
    // Every call in flight is aborted a little before the stages are cut, so each reports its own cause.
    this.hardStop = setTimeout(
      () => this.controller.abort(new DeadlinePassed()),
      Math.max(0, deadline - STAGE_GRACE_MS - this.startedAt),
    );
    this.probesDeadline = deadline - alertingReserve(deadline - this.startedAt);
  }

  /** Whether the run was stopped from outside (not merely out of time). */
  get stopped(): boolean {
    return this.stopSignal?.aborted === true;
  }

  /** The budget of a batch handed on now, whose results are of `startedAt`. */
  bounds(startedAt: number): Bounds {
    const deadline = Math.min(this.deadline, Date.now() + POST_PROBE_BUDGET_MS);
    return { startedAt, told: deadline - STAGE_GRACE_MS, deadline };
  }

  dispose(): void {
    clearTimeout(this.hardStop);
    this.stopSignal?.removeEventListener("abort", this.stop);
  }
}

export const TIMED_OUT = Symbol("timed out");

export type Settled<T> = { value: T } | { error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The promise's outcome, or TIMED_OUT at the deadline: a stage never outlives its run. */
export function bounded<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A call bounded by `deadline`: its value, what it threw, or TIMED_OUT. */
export function within<T>(promise: Promise<T>, deadline: number): Promise<Settled<T> | typeof TIMED_OUT> {
  return bounded(settle(promise), deadline);
}

const DID_NOT_FINISH = "did not finish before the run's deadline";
/** What a read cut at the deadline says. */
export const NO_ANSWER = "no answer before the run's deadline";

/** Why a bounded call gave no value, in one line: `cut` at the deadline, else what it threw. */
export function failure(outcome: { error: unknown } | typeof TIMED_OUT, cut = DID_NOT_FINISH): string {
  return outcome === TIMED_OUT ? cut : describeError(outcome.error);
}

/** Why a stage's own work (a sink's write, a decision, a delivery) gave nothing, `ms` into it if known. */
export function stageCut(outcome: { error: unknown } | typeof TIMED_OUT, ms?: number): string {
  if (outcome !== TIMED_OUT) return `failed unexpectedly: ${describeError(outcome.error)}`;
  return ms === undefined ? DID_NOT_FINISH : `${DID_NOT_FINISH} (${formatDuration(Math.round(ms))} in)`;
}
