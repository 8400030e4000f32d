/** One invocation of the probe function: run a shard's checks, publish, alert. */
import type { Alerter, AlertReport } from "../alerting/alerter.js";
import type { AwsClients } from "../aws/clients.js";
import type { CheckSpec } from "../checks/load.js";
import type { Resolvers } from "../checks/references.js";
import type { CompiledChecks } from "../deploy/compile.js";
import { runChecks } from "../engine.js";
import type { CheckResult } from "../result.js";
import { publish, type Sink, type SinkReport } from "../sinks/sink.js";

export interface ShardDependencies {
  checks: CompiledChecks;
  /** The sinks for a shard's run; the CloudWatch sink stamps its heartbeat with the shard's interval. */
  sinks: (shard: { id: string; intervalMs: number }) => Sink[];
  alerter: Alerter;
  resolvers: Resolvers;
  aws: AwsClients;
  /** The region the function runs in. */
  location: string;
  /** One structured log line per result. */
  logResult: (result: CheckResult) => void;
  concurrency?: number;
}

export interface ShardSummary {
  shard: string;
  checks: number;
  up: number;
  degraded: number;
  down: number;
  unknown: number;
  sinks: SinkReport[];
  alerts: AlertReport;
}

export class UnknownShardError extends Error {
  override name = "UnknownShardError";
}

/**
 * Probes get the time left minus a reserve for publishing and alerting (a quarter, at most 15 s),
 * so results always go out before Lambda's own timeout.
 */
export async function runShard(
  shard: string,
  deps: ShardDependencies,
  remainingMs: number,
): Promise<ShardSummary> {
  const specs: CheckSpec[] | undefined = deps.checks.shards[shard];
  if (!specs) {
    throw new UnknownShardError(
      `no shard "${shard}" in the deployed checks (known: ${Object.keys(deps.checks.shards).slice(0, 10).join(", ")})`,
    );
  }
  const startedAt = Date.now();
  const end = startedAt + remainingMs;
  const reserve = Math.min(15_000, remainingMs / 4);
  const results = await runChecks(specs, {
    deadline: end - reserve,
    resolvers: deps.resolvers,
    aws: deps.aws,
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
  });
  for (const result of results) deps.logResult(result);
  const sinks = await publish(
    results,
    deps.sinks({ id: shard, intervalMs: specs[0]?.intervalMs ?? 60_000 }),
    {
      deadline: end - 2_000,
      runStartedAt: startedAt,
      location: deps.location,
    },
  );
  const alerts = await deps.alerter.process(results, specs, new Date(startedAt));
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return {
    shard,
    checks: results.length,
    up: count("up"),
    degraded: count("degraded"),
    down: count("down"),
    unknown: count("unknown"),
    sinks,
    alerts,
  };
}
