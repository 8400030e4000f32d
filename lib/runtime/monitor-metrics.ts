/**
 * The monitor's own health as CloudWatch metrics, written as one Embedded Metric Format log line per
 * run: no API call that could hang or be throttled, and alarms in the construct watch them.
 */
import type { RunSummary } from "./summary.js";

/** Metric names the construct's alarms watch; one list for both. */
export const MONITOR_METRICS = {
  /** Checks the run had no time for: the monitor's fault, never the target's. */
  skipped: "SkippedChecks",
  /** Notifications given up on (refused for good, or failed too many runs in a row). */
  deadLetters: "DeadLetters",
  /** Sink and alerting stages that failed or were cut (skipped checks have their own metric). */
  failedStages: "FailedStages",
} as const;

/** With several locations: the home's count of a location's missing reports, by `Location`. */
export const LOCATION_SILENT = "LocationSilent";

/**
 * One EMF object per location that did not report to the home in time (each its own log line: EMF
 * gives a dimension one value per line). The construct alarms on each location's.
 */
export function silentLocationMetrics(
  summary: Pick<RunSummary, "silentLocations">,
  namespace: string,
  now = Date.now(),
): Record<string, unknown>[] {
  return (summary.silentLocations ?? []).map((silent) => ({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["Location"]],
          Metrics: [{ Name: LOCATION_SILENT, Unit: "Count" }],
        },
      ],
    },
    Location: silent.location,
    [LOCATION_SILENT]: 1,
    ...(silent.lastReportAt !== undefined
      ? { lastReportAt: new Date(silent.lastReportAt).toISOString() }
      : {}),
  }));
}

/** The EMF object for one run; log it as a top-level JSON line. */
export function monitorMetrics(
  summary: Pick<RunSummary, "counts" | "alerts" | "stages">,
  namespace: string,
  now = Date.now(),
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: Object.values(MONITOR_METRICS).map((Name) => ({ Name, Unit: "Count" })),
        },
      ],
    },
    [MONITOR_METRICS.skipped]: summary.counts.skipped,
    [MONITOR_METRICS.deadLetters]: summary.alerts?.dead ?? 0,
    [MONITOR_METRICS.failedStages]: summary.stages.filter((s) => s.stage !== "probes" && !s.ok).length,
  };
}
