/**
 * The derived stage, last: what is made from everything the run recorded. The status page is
 * rewritten from history once this run's history stage is over, within the run's deadline; its
 * failure is a line in the summary like any stage's.
 */
import { withTimeout } from "../../deadline.js";
import { failure, TIMED_OUT, within } from "../budget.js";
import type { StageReport } from "../summary.js";
import type { StageTrace } from "./stage.js";

/** Writes the status page (the probe function: to its bucket). */
export interface StatusPagePublisher {
  publish(signal: AbortSignal): Promise<unknown>;
}

export async function derivedStage(
  page: StatusPagePublisher,
  deadline: number,
  stopSignal: AbortSignal | undefined,
  trace: StageTrace,
): Promise<StageReport> {
  trace("derived", "start");
  const started = performance.now();
  const left = deadline - Date.now();
  const outcome =
    left <= 0
      ? { error: new Error("no time left in the run") }
      : await within(page.publish(withTimeout(left, stopSignal)), deadline);
  trace("derived", "finish");
  const durationMs = performance.now() - started;
  return outcome !== TIMED_OUT && "value" in outcome
    ? { stage: "status page", ok: true, durationMs }
    : { stage: "status page", ok: false, durationMs, error: failure(outcome) };
}
