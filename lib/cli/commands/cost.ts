/** `watchpost cost`: what the checks cost a month when deployed. */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { estimateCost } from "../../cost/estimate.js";
import { formatEstimate } from "../../cost/format.js";
import { checkMetricsOn, checkMetricsReason } from "../../deploy/check-metrics.js";
import { command } from "../command.js";
import type { Io } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { checkMetricsOption, latencyOption, list, shared } from "../options.js";

export const costCommand = command({
  name: "cost",
  summary: "Estimate what the checks cost a month when deployed",
  usage: "watchpost cost [options]",
  options: {
    checks: shared.checks,
    json: shared.json,
    latency: shared.latency,
    "check-metrics": shared["check-metrics"],
    prometheus: shared.prometheus,
    amp: {
      type: "boolean",
      help: "Add Amazon Managed Service for Prometheus ingestion (implies --prometheus)",
    },
    locations: shared.locations,
  },
  examples: [
    "watchpost cost",
    "watchpost cost --amp",
    "watchpost cost --latency 500 --check-metrics off --json",
  ],
  exits: ["2: a problem in a check file"],
  run: ({ values }, io) =>
    cost(
      values.checks,
      {
        latency: values.latency,
        checkMetrics: checkMetricsOption(values["check-metrics"]),
        prometheus: values.prometheus || values.amp,
        amp: values.amp,
        locations: list(values.locations),
        json: values.json,
      },
      io,
    ),
});

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
