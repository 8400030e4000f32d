import type { Condition } from "../../result.js";
import { formatDuration } from "../../units.js";

/** How long the whole observation may take, ms: slower than `fail` is down, than `degraded` degraded. */
export interface LatencyExpect {
  degraded?: number;
  fail?: number;
}

/** The `fail` limit's condition, then the `degraded` one's; none when no limit is set. */
export function latencyConditions(elapsedMs: number, latency: LatencyExpect | undefined): Condition[] {
  const conditions: Condition[] = [];
  const took = Math.round(elapsedMs);
  if (latency?.fail !== undefined) {
    conditions.push({
      ok: elapsedMs <= latency.fail,
      effect: "fail",
      text: `took ${took}ms, expected at most ${formatDuration(latency.fail)}`,
      timing: { tookMs: took, limitMs: latency.fail },
    });
  }
  if (latency?.degraded !== undefined) {
    conditions.push({
      ok: elapsedMs <= latency.degraded,
      effect: "degrade",
      text: `took ${took}ms, expected at most ${formatDuration(latency.degraded)} to be up`,
      timing: { tookMs: took, limitMs: latency.degraded },
    });
  }
  return conditions;
}
