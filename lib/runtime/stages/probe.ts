/**
 * The probe stage: the engine over the run's checks, inside the probes' share of the run. A check
 * the run had no time for is `skipped` (the monitor's fault): the stage says how many, and why.
 */
import type { CheckSpec } from "../../checks/load.js";
import { type RunOptions, runChecks } from "../../engine.js";
import type { CheckResult } from "../../result.js";
import type { RunClock } from "../budget.js";
import type { StageReport } from "../summary.js";
import type { StageTrace } from "./stage.js";

/** Probes checks with the run's probe budget and signal: the run's checks, or a confirmation round's. */
export type Prober = (checks: readonly CheckSpec[]) => Promise<CheckResult[]>;

export function prober(options: Omit<RunOptions, "deadline" | "signal">, clock: RunClock): Prober {
  return (checks) => runChecks(checks, { ...options, deadline: clock.probesDeadline, signal: clock.signal });
}

export async function probeStage(
  checks: readonly CheckSpec[],
  probe: Prober,
  clock: RunClock,
  trace: StageTrace,
): Promise<{ results: CheckResult[]; stage: StageReport }> {
  trace("probe", "start");
  const started = performance.now();
  const results = await probe(checks);
  const durationMs = performance.now() - started;
  trace("probe", "finish");
  const skipped = results.filter((r) => r.status === "skipped").length;
  return {
    results,
    stage: {
      stage: "probes",
      ok: skipped === 0,
      durationMs,
      ...(skipped > 0
        ? {
            error: `${skipped} check${skipped === 1 ? "" : "s"} skipped: ${clock.stopped ? "the run was stopped" : "no time left in the run"}`,
          }
        : {}),
    },
  };
}
