/** `watchpost cost`: what the checks cost a month when deployed. */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { estimateCost, formatEstimate } from "../../cost.js";
import { parseDuration } from "../../units.js";
import { type Io, UsageError } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";

export interface CostOptions {
  latency: string;
  checkMetrics: boolean;
  amp: boolean;
}

export async function cost(target: string, options: CostOptions, io: Io): Promise<number> {
  const latencyMs = parseDuration(options.latency);
  if (latencyMs === undefined)
    throw new UsageError(`--latency expects a duration such as 300ms, found "${options.latency}"`);
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  io.stdout.write(
    `${formatEstimate(estimateCost(loaded.checks, { latencyMs, checkMetrics: options.checkMetrics, amp: options.amp }))}\n`,
  );
  return 0;
}
