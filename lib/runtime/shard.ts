/** One invocation of the probe function: run a shard's checks through the run pipeline. */
import type { Alerter } from "../alerting/alerter.js";
import { configuredNames } from "../alerting/closing.js";
import type { AwsClients } from "../aws/clients.js";
import type { CheckSpec } from "../checks/load.js";
import type { Resolvers } from "../checks/references.js";
import type { CompiledChecks } from "../deploy/compile.js";
import type { HeartbeatStore } from "../heartbeat/store.js";
import type { HistoryStore } from "../history/store.js";
import type { CheckResult } from "../result.js";
import { HANDLER_RESERVE_MS } from "./budget.js";
import { needsRefresh, type RunRecords } from "./freshness.js";
import { lazySink, runPipeline, type SinkSource } from "./pipeline.js";
import { checkLocations, quorumSource } from "./quorum.js";
import { RunRecordSink } from "./run-record-sink.js";
import type { StatusPagePublisher } from "./stages/derived.js";
import type { RunSummary } from "./summary.js";

export interface ShardDependencies {
  checks: CompiledChecks;
  /** The sinks for a shard's run; the CloudWatch sink stamps its heartbeat with the shard's interval. */
  sinks: (shard: { id: string; intervalMs: number }) => SinkSource[];
  alerter: Alerter;
  resolvers: Resolvers;
  aws: AwsClients;
  /** Where jobs' pings are recorded (the state table), for heartbeat checks. */
  heartbeats?: HeartbeatStore;
  /** Where the home keeps decided results and incidents (status page, SLOs). */
  history?: HistoryStore;
  /** The status page, written by each run of `shard` (the shortest interval's), last. */
  statusPage?: StatusPagePublisher & { shard: string };
  /** The region the function runs in. */
  location: string;
  /** One structured log line per result (a confirmation re-probe's too). */
  logResult: (result: CheckResult, batch: { confirmation: boolean }) => void;
  concurrency?: number;
  /** CloudWatch namespace of the monitor's own metrics (skipped checks, dead letters). */
  namespace?: string;
  /** Where slow shards' latest results are kept for re-sending between runs. */
  records?: RunRecords;
  /** The sinks a refresh re-sends to (no per-run heartbeat of their own). */
  refreshSinks?: SinkSource[];
  /**
   * Several locations: this one runs the shard's checks placed here and reports them (a run record
   * each run); the home also decides every check of the shard on the quorum. Needs `records`.
   */
  locations?: { all: string[]; home: string };
}

export interface ShardSummary extends Omit<RunSummary, "results" | "confirmations"> {
  shard: string;
  checks: number;
  /** Confirmation re-probes made in this run. */
  confirmations: number;
}

export class UnknownShardError extends Error {
  override name = "UnknownShardError";
}

/** The shard with the shortest interval (the first such, by id): where cross-shard work runs. */
export function fastestShard(checks: CompiledChecks): string | undefined {
  let best: { id: string; intervalMs: number } | undefined;
  for (const [id, specs] of Object.entries(checks.shards).sort(([a], [b]) => a.localeCompare(b))) {
    const intervalMs = specs[0]?.intervalMs ?? Number.POSITIVE_INFINITY;
    if (!best || intervalMs < best.intervalMs) best = { id, intervalMs };
  }
  return best?.id;
}

/**
 * The run's deadline is min(time left − reserve, start + interval): a run never outlives Lambda, and
 * two runs of one shard never overlap.
 */
export async function runShard(
  shard: string,
  deps: ShardDependencies,
  remainingMs: number,
): Promise<ShardSummary> {
  const all: CheckSpec[] | undefined = deps.checks.shards[shard];
  if (!all) {
    throw new UnknownShardError(
      `no shard "${shard}" in the deployed checks (known: ${Object.keys(deps.checks.shards).slice(0, 10).join(", ")})`,
    );
  }
  const now = Date.now();
  const intervalMs = all[0]?.intervalMs ?? 60_000;
  const records = deps.records;
  const locations = deps.locations;
  const specs = locations
    ? all.filter((spec) => checkLocations(spec, locations.all, locations.home).includes(deps.location))
    : all;
  const home = !locations || locations.home === deps.location;
  // One per run (it keeps the run's latest results across confirmation rounds); nothing to build.
  // With several locations it is also this location's report to the home.
  const recordSink =
    records && (needsRefresh(intervalMs) || locations)
      ? new RunRecordSink(records, { id: shard, intervalMs }, locations ? "location report" : "run record")
      : undefined;
  const quorum =
    locations && home && records
      ? quorumSource({ records, shard, home: deps.location, locations: locations.all, checks: all })
      : undefined;
  const { results, confirmations, ...summary } = await runPipeline({
    checks: specs,
    deadline: Math.min(now + remainingMs - HANDLER_RESERVE_MS, now + intervalMs),
    sinks: [
      ...deps.sinks({ id: shard, intervalMs }),
      ...(recordSink ? [lazySink(recordSink.name, () => recordSink)] : []),
    ],
    shard: { id: shard, intervalMs },
    // Only the home decides and notifies; the other locations report.
    ...(home ? { alerter: deps.alerter } : {}),
    ...(home && deps.history ? { history: deps.history } : {}),
    // Group objectives span shards: the fastest shard's runs evaluate them, once.
    ...(home && deps.history && deps.checks.sloGroups?.length && shard === fastestShard(deps.checks)
      ? { sloGroups: deps.checks.sloGroups }
      : {}),
    ...(quorum ? { quorum } : {}),
    ...(home
      ? { configured: configuredNames(Object.values(deps.checks.shards).flat(), deps.checks.sloGroups) }
      : {}),
    ...(home && deps.statusPage?.shard === shard ? { statusPage: deps.statusPage } : {}),
    location: deps.location,
    resolvers: deps.resolvers,
    aws: deps.aws,
    ...(deps.heartbeats ? { heartbeats: deps.heartbeats } : {}),
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
    confirm: true,
    onResults: (all, _elapsedMs, batch) => {
      for (const result of all) deps.logResult(result, batch);
    },
  });
  return { shard, checks: results.length, confirmations: confirmations.length, ...summary };
}
