/**
 * The probe function: EventBridge Scheduler invokes it with `{ shard }`. A thin middy adapter: the
 * parts come from functions/probe/dependencies.ts, the run from lib/runtime/shard.ts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { parseFunctionConfig } from "../../lib/deploy/function-config.js";
import { monitorMetrics } from "../../lib/runtime/monitor-metrics.js";
import { formatStages } from "../../lib/runtime/pipeline.js";
import { runShard, type ShardDependencies, type ShardSummary } from "../../lib/runtime/shard.js";
import { productionDependencies } from "./dependencies.js";

export interface ShardEvent {
  shard: string;
}

export const logger = new Logger({ serviceName: "watchpost" });

/** Builds the handler around dependencies made once per container (tests inject their own). */
export function createHandler(dependencies: () => ShardDependencies | Promise<ShardDependencies>) {
  let deps: Promise<ShardDependencies> | undefined;
  return middy<ShardEvent, ShardSummary, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(async (event: ShardEvent, context: Context) => {
      deps ??= Promise.resolve()
        .then(dependencies)
        .catch((error) => {
          deps = undefined;
          throw error;
        });
      const ready = await deps;
      const summary = await runShard(event.shard, ready, context.getRemainingTimeInMillis());
      const failed = summary.stages.filter((s) => !s.ok);
      (failed.length > 0 ? logger.warn : logger.info).call(logger, "shard finished", {
        summary,
        stages: formatStages(summary),
        ...(ready.namespace ? monitorMetrics(summary, ready.namespace) : {}),
      });
      return summary;
    });
}

/** Lambda's entry point: configuration from the environment, parts made on the first invocation. */
export const handler = createHandler(() => productionDependencies(parseFunctionConfig(process.env), logger));
