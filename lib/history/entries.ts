/** What history keeps of a run's decided results: one entry each, with the latency its objectives call slow. */
import type { CheckSpec, SloGroup } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import type { HistoryEntry } from "./store.js";

export function historyEntries(
  results: readonly CheckResult[],
  checks: readonly CheckSpec[],
  groups: readonly SloGroup[],
): HistoryEntry[] {
  const specs = new Map(checks.map((spec) => [spec.name, spec]));
  return results.flatMap((result) => {
    const spec = specs.get(result.name);
    if (!spec) return [];
    // Slow against the check's own latency objective, else its first group's.
    const slowMs =
      spec.slo?.latency?.thresholdMs ??
      groups.find((g) => g.slo.latency && g.members.includes(spec.name))?.slo.latency?.thresholdMs;
    return [
      {
        name: result.name,
        status: result.status,
        durationMs: result.durationMs,
        startedAt: result.startedAt,
        reason: result.reason,
        intervalMs: spec.intervalMs,
        ...(slowMs !== undefined ? { slowMs } : {}),
        ...(result.steps
          ? { steps: result.steps.map(({ name, status, reason }) => ({ name, status, reason })) }
          : {}),
      },
    ];
  });
}
