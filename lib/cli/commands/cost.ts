/** `watchpost cost`: what the checks cost a month when deployed. */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { estimateCost, formatEstimate } from "../../cost.js";
import { checkMetricsOn, checkMetricsReason } from "../../deploy/check-metrics.js";
import { parseDuration } from "../../units.js";
import { type Io, UsageError } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";

export interface CostOptions {
  latency: string;
  /** Asked for, or undefined: as a deployment decides (lib/deploy/check-metrics.ts). */
  checkMetrics: boolean | undefined;
  /** The deployment remote-writes to Prometheus. */
  prometheus: boolean;
  amp: boolean;
  /** `--locations`: the deployment's locations; none or one is a single location. */
  locations: string[];
  json: boolean;
}

/** `--latency`: a duration, or a bare number of milliseconds (`500`). */
export function latencyOption(text: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(
      `--latency expects a duration such as 300ms or 1.5s (or milliseconds: 500), found "${text}"`,
    );
  return ms;
}

export async function cost(target: string, options: CostOptions, io: Io): Promise<number> {
  const latencyMs = latencyOption(options.latency);
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  const estimate = estimateCost(loaded.checks, {
    latencyMs,
    checkMetrics: checkMetricsOn(options.checkMetrics, options.prometheus),
    amp: options.amp,
    locations: Math.max(1, options.locations.length),
  });
  const why = `per-check CloudWatch metrics: ${checkMetricsReason(options.checkMetrics, options.prometheus)}`;
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ ...estimate, checkMetricsReason: why }, null, 2)}\n`
      : `${formatEstimate(estimate)}\n${why}\n`,
  );
  return 0;
}
