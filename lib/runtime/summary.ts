/** What a run reports: its results, each sink's and alerting's outcome, and one line per stage. */
import type { AlertReport } from "../alerting/report.js";
import type { CheckResult, Status } from "../result.js";
import type { SinkReport } from "../sinks/sink.js";
import type { SilentLocation } from "./quorum.js";

/**
 * The summary's lines, in the words people read in logs: `alerting` is deciding and delivering
 * together, `status page` the derived stage.
 */
export type Stage = "probes" | "sinks" | "alerting" | "history" | "status page";

export interface StageReport {
  stage: Stage;
  ok: boolean;
  durationMs: number;
  /** Why the stage failed or was cut, in one line. */
  error?: string;
}

export interface RunSummary {
  results: CheckResult[];
  /** Results of confirmation re-probes, in the order they finished. */
  confirmations: CheckResult[];
  counts: Record<Status, number>;
  sinks: SinkReport[];
  alerts?: AlertReport;
  /** With a quorum: the expected locations that did not report in time. */
  silentLocations?: SilentLocation[];
  stages: StageReport[];
}

/** The summary in a few lines for people: one per stage, what failed and why. */
export function formatStages(summary: Pick<RunSummary, "stages">): string[] {
  return summary.stages.map(
    (s) => `${s.stage}: ${s.ok ? "ok" : `FAILED: ${s.error}`} (${Math.round(s.durationMs)}ms)`,
  );
}
