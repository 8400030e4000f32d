/**
 * What the stages of a run hand each other (docs/architecture.md): probe → { sinks ∥ decide →
 * { deliver ∥ history } } → derived. Each takes what the stages before it produced and never calls
 * back into one of them.
 */
import type { Decision } from "../../alerting/decide.js";
import type { Transition } from "../../alerting/state-machine.js";
import type { CheckSpec } from "../../checks/load.js";
import type { CheckResult } from "../../result.js";
import type { Bounds } from "../budget.js";
import type { Feed } from "../feed.js";

export type PipelineStage = "probe" | "sinks" | "decide" | "deliver" | "history" | "derived";

/** Told as each stage of a run starts and finishes: the run's shape as it happens, for whoever watches it. */
export type StageTrace = (stage: PipelineStage, phase: "start" | "finish") => void;

/** Results handed down from probing: the run's, then each confirmation round's. */
export interface Batch {
  results: CheckResult[];
  bounds: Bounds;
  confirmation: boolean;
}

/** What deciding hands delivery and history, one per decision. */
export interface Decided {
  /** The run's decision, a confirmation round's, or the one on the objectives' companions. */
  kind: "run" | "confirmation" | "objectives";
  /** What was decided on (with a quorum, every location's verdicts joined) and the checks they are of. */
  results: readonly CheckResult[];
  checks: readonly CheckSpec[];
  /** The transitions written, those of a decision cut at the deadline included. */
  transitions: readonly Transition[];
  /** What to deliver; none when deciding failed or was cut. */
  decision: Decision | undefined;
  bounds: Bounds;
}

/**
 * `handle` on each item of `feed` in order, traced as `stage` from the first item to the feed's end:
 * a stage with nothing to do is not entered.
 */
export async function consume<T>(
  feed: Feed<T>,
  stage: PipelineStage,
  trace: StageTrace,
  handle: (item: T) => Promise<void>,
): Promise<void> {
  let entered = false;
  for await (const item of feed) {
    if (!entered) trace(stage, "start");
    entered = true;
    await handle(item);
  }
  if (entered) trace(stage, "finish");
}
