/**
 * What invokes the probe functions: a schedule per shard in one schedule group, a refresh schedule
 * for slow checks' samples, and the dead-letter queue of every invocation that failed (a schedule's
 * that could not invoke, or the function's own run).
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Shard } from "../deploy/compile.js";
import { needsRefresh, REFRESH_EVERY_MS } from "../runtime/freshness.js";
import { formatDuration } from "../units.js";

export class Schedules {
  readonly deadLetterQueue: sqs.Queue;
  private readonly group: scheduler.IScheduleGroup;

  constructor(
    private readonly scope: Construct,
    key: kms.IKey,
  ) {
    this.deadLetterQueue = new sqs.Queue(scope, "DeadLetters", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The group is deleted with the stack (CDK retains schedule groups by default) and named by
    // CloudFormation (CDK's L2 fixes a name): a retained group with a fixed name would make the next
    // deploy of the same stack fail, the group existing already. The L1 keeps the L2's construct
    // path, so the logical ID stays.
    const group = new scheduler.CfnScheduleGroup(new Construct(scope, "Schedules"), "Resource", {});
    group.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.group = scheduler.ScheduleGroup.fromScheduleGroupName(scope, "ScheduleGroup", group.ref);
  }

  /** Runs each shard on `fn` at its interval; `fnId` names the function's refresh schedule. */
  invoke(fnId: string, fn: lambda.IFunction, shards: Shard[]): void {
    for (const shard of shards)
      this.schedule(
        `Run-${shard.id}`,
        `Watchpost: ${shard.checks.length} checks every ${formatDuration(shard.intervalMs)}`,
        scheduler.ScheduleExpression.rate(Duration.minutes(shard.intervalMs / 60_000)),
        fn,
        { shard: shard.id },
      );
    // Slow checks' latest samples, re-sent between their runs so they never go stale in
    // Prometheus (lib/runtime/freshness.ts).
    if (shards.some((shard) => needsRefresh(shard.intervalMs)))
      this.schedule(
        `${fnId}Refresh`,
        "Watchpost: re-send the latest samples of checks slower than Prometheus' lookback",
        scheduler.ScheduleExpression.rate(Duration.millis(REFRESH_EVERY_MS)),
        fn,
        { refresh: true },
      );
  }

  private schedule(
    id: string,
    description: string,
    schedule: scheduler.ScheduleExpression,
    fn: lambda.IFunction,
    input: Record<string, unknown>,
  ): void {
    new scheduler.Schedule(this.scope, id, {
      scheduleGroup: this.group,
      description,
      schedule,
      timeWindow: scheduler.TimeWindow.off(),
      target: new LambdaInvoke(fn, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 0,
      }),
    });
  }
}
