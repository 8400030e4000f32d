/**
 * The probe function: EventBridge Scheduler invokes it with `{ shard }`. A thin middy adapter: the
 * parts come from functions/probe/dependencies.ts, the run from lib/runtime/shard.ts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { sendTestNotifications, type TestOutcome } from "../../lib/alerting/test-notification.js";
import { parseFunctionConfig } from "../../lib/deploy/function-config.js";
import { HANDLER_RESERVE_MS } from "../../lib/runtime/budget.js";
import { REFRESH_EVERY_MS } from "../../lib/runtime/freshness.js";
import { monitorMetrics, silentLocationMetrics } from "../../lib/runtime/monitor-metrics.js";
import { type RefreshSummary, runRefresh } from "../../lib/runtime/refresh.js";
import { runShard, type ShardDependencies, type ShardSummary } from "../../lib/runtime/shard.js";
import { formatStages } from "../../lib/runtime/summary.js";
import { productionDependencies } from "./dependencies.js";

/**
 * A scheduled run of one shard, a scheduled refresh of the slow shards' latest samples, or (invoked
 * by hand) a test notification through every channel.
 */
export type ShardEvent =
  | { shard: string; notifyTest?: undefined; refresh?: undefined }
  | { refresh: true; shard?: undefined; notifyTest?: undefined }
  | { notifyTest: true; shard?: undefined; refresh?: undefined };

export interface TestNotificationReport {
  notifyTest: true;
  via: string;
  sent: TestOutcome[];
}

export const logger = new Logger({ serviceName: "watchpost" });

/** Builds the handler around dependencies made once per container (tests inject their own). */
export function createHandler(dependencies: () => ShardDependencies | Promise<ShardDependencies>) {
  let deps: Promise<ShardDependencies> | undefined;
  return middy<ShardEvent, ShardSummary | TestNotificationReport | RefreshSummary, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(async (event: ShardEvent, context: Context) => {
      deps ??= Promise.resolve()
        .then(dependencies)
        .catch((error) => {
          deps = undefined;
          throw error;
        });
      const ready = await deps;
      if (event.notifyTest) {
        const notifier = ready.alerter.notifier;
        const report: TestNotificationReport = {
          notifyTest: true,
          via: notifier.name,
          sent: await sendTestNotifications(
            notifier,
            ready.location,
            AbortSignal.timeout(Math.max(1_000, context.getRemainingTimeInMillis() - 1_000)),
          ),
        };
        logger.info("test notification", { report });
        return report;
      }
      if (event.refresh) {
        // Over well before the next refresh is due, however long the function's timeout.
        const deadline =
          Date.now() +
          Math.min(context.getRemainingTimeInMillis() - HANDLER_RESERVE_MS, REFRESH_EVERY_MS / 2);
        const summary = ready.records
          ? await runRefresh(
              {
                checks: ready.checks,
                records: ready.records,
                sinks: ready.refreshSinks ?? [],
                location: ready.location,
              },
              deadline,
              AbortSignal.timeout(Math.max(1_000, deadline - Date.now())),
            )
          : { shards: 0, results: 0, sinks: [], error: "no run records configured" };
        const failedStages = summary.sinks.filter((s) => !s.ok).length + (summary.error ? 1 : 0);
        // The same FailedStages metric as a run's, so the alarm hears of a refresh that could not send.
        const stages = Array.from({ length: failedStages }, () => ({
          stage: "sinks" as const,
          ok: false,
          durationMs: 0,
        }));
        (failedStages > 0 ? logger.warn : logger.info).call(logger, "refresh finished", {
          summary,
          ...(ready.namespace
            ? monitorMetrics(
                { counts: { up: 0, degraded: 0, down: 0, unknown: 0, skipped: 0 }, stages },
                ready.namespace,
              )
            : {}),
        });
        return summary;
      }
      const summary = await runShard(event.shard, ready, context.getRemainingTimeInMillis());
      const failed = summary.stages.filter((s) => !s.ok);
      (failed.length > 0 ? logger.warn : logger.info).call(logger, "shard finished", {
        summary,
        stages: formatStages(summary),
        ...(ready.namespace ? monitorMetrics(summary, ready.namespace) : {}),
      });
      // A location that has not reported: named in its own line, counted for its alarm.
      if (ready.namespace)
        for (const line of silentLocationMetrics(summary, ready.namespace))
          logger.warn("location silent", line);
      return summary;
    });
}

/** Lambda's entry point: configuration from the environment, parts made on the first invocation. */
export const handler = createHandler(() => productionDependencies(parseFunctionConfig(process.env), logger));
