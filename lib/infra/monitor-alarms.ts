/** Alarms on the monitor itself, all to the topic: people hear when Watchpost cannot watch. */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { Shard } from "../deploy/compile.js";
import { LOCATION_SILENT, MONITOR_METRICS } from "../runtime/monitor-metrics.js";
import { formatDuration } from "../units.js";
import type { Placement } from "./placement.js";

export interface MonitorAlarmsInput {
  topic: sns.ITopic;
  /** Every function of the monitor, probe and ping; each alarmed under its construct id. */
  functions: lambda.Function[];
  deadLetterQueue: sqs.IQueue;
  shards: Shard[];
  namespace: string;
  placed: Placement | undefined;
}

export function monitorAlarms(scope: Construct, input: MonitorAlarmsInput): void {
  const { namespace } = input;
  const action = new SnsAction(input.topic);
  const alarm = (id: string, props: cloudwatch.AlarmProps) =>
    new cloudwatch.Alarm(scope, id, props).addAlarmAction(action);
  /** Fires on one five-minute period at or over `threshold`; no data is no trouble. */
  const atLeast = (id: string, alarmDescription: string, metric: cloudwatch.IMetric, threshold = 1) =>
    alarm(id, {
      alarmDescription,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  const period = Duration.minutes(5);
  for (const fn of input.functions) {
    const name = fn.node.id;
    atLeast(
      `${name}Errors`,
      `Watchpost: the ${name} function failed (a shard did not complete).`,
      fn.metricErrors({ period, statistic: "Sum" }),
    );
    atLeast(
      `${name}Throttles`,
      `Watchpost: the ${name} function was throttled (checks did not run).`,
      fn.metricThrottles({ period, statistic: "Sum" }),
    );
    atLeast(
      `${name}NearTimeout`,
      `Watchpost: the ${name} function ran for more than 80% of its timeout; shards may be too big.`,
      fn.metricDuration({ period, statistic: "Maximum" }),
      (fn.timeout?.toMilliseconds() ?? 60_000) * 0.8,
    );
  }
  const monitor = (metricName: string) =>
    new cloudwatch.Metric({ namespace, metricName, statistic: "Sum", period });
  atLeast(
    "SkippedChecksAlarm",
    "Watchpost: checks were skipped because a run had no time for them (the monitor is overloaded, not the targets down). See the shard's 'shard finished' log line.",
    monitor(MONITOR_METRICS.skipped),
  );
  atLeast(
    "NotificationsGivenUpAlarm",
    "Watchpost: notifications were given up on (refused by SNS, or failing too many runs in a row). Search the logs for 'notification given up on'.",
    monitor(MONITOR_METRICS.deadLetters),
  );
  atLeast(
    "FailedStagesAlarm",
    "Watchpost: a run's sink or alerting stage failed (a secret denied, a receiver down, the state table unreachable). See the shard's 'shard finished' log line.",
    monitor(MONITOR_METRICS.failedStages),
  );
  // The home hears from every other location each run; one alarm per location names the silent one.
  const placed = input.placed;
  if (placed && !placed.remote)
    for (const location of placed.regions.filter((region) => region !== placed.home))
      atLeast(
        `LocationSilent-${location}`,
        `Watchpost: the ${location} location has not reported its results to the home region (${placed.home}) in time; its checks are decided without it. See the 'location silent' log lines.`,
        new cloudwatch.Metric({
          namespace,
          metricName: LOCATION_SILENT,
          dimensionsMap: { Location: location },
          statistic: "Sum",
          period,
        }),
      );
  atLeast(
    "DeadLettersAlarm",
    "Watchpost: an invocation failed or a schedule could not invoke the function (see the dead-letter queue).",
    input.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
  );
  // No results for three intervals: the schedules, the function or the metrics path is broken.
  for (const intervalMs of [...new Set(input.shards.map((s) => s.intervalMs))]) {
    const interval = formatDuration(intervalMs);
    const period = Math.min(intervalMs, 3_600_000);
    const periods = Math.min(Math.ceil((3 * intervalMs) / period), Math.floor(86_400_000 / period));
    alarm(`Heartbeat-${interval}`, {
      alarmDescription: `Watchpost: no results from the ${interval} checks for ${formatDuration(periods * period)}.`,
      metric: new cloudwatch.Metric({
        namespace,
        metricName: "Results",
        dimensionsMap: { Interval: interval },
        statistic: "Sum",
        period: Duration.millis(period),
      }),
      threshold: 1,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
