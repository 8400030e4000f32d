/**
 * The `Watchpost` construct: checks from a folder become scheduled probe functions, alert state,
 * notifications, metrics, alarms on the monitor itself and a dashboard. It holds no probe logic; it
 * composes the parts beside it, one concern each, in the order they were always created.
 *
 * Each part builds into this construct's own scope, not into a construct of its own: one in between
 * would add a segment to every construct path, so every logical ID would change (CloudFormation would
 * replace the state table, its alert state and history lost). test/lib/infra/templates.test.ts pins
 * them.
 */
import { Stack } from "aws-cdk-lib";
import type * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { CheckSpec, SloGroup } from "../checks/load.js";
import { checkMetricsOn } from "../deploy/check-metrics.js";
import { compile, type Shard } from "../deploy/compile.js";
import { monitorDashboard } from "./dashboard.js";
import { deployLimitProblems } from "./deploy-limits.js";
import { deployableChecks, functionEnvironment } from "./deployable-checks.js";
import { WatchpostHeartbeats } from "./heartbeats.js";
import { monitorAlarms } from "./monitor-alarms.js";
import { acknowledgeFindings } from "./nag.js";
import { notifications } from "./notifications.js";
import { otlpTexts, refuseOtlpProblems } from "./otlp.js";
import { stackOutputs } from "./outputs.js";
import { placement, runsHere } from "./placement.js";
import { probeConfig } from "./probe-config.js";
import { probeFunction } from "./probe-function.js";
import { grantProbe } from "./probe-grants.js";
import { DEFAULT_MAX_CHECKS_PER_SHARD, type WatchpostProps } from "./props.js";
import { remoteWriteSecret } from "./remote-write.js";
import { Schedules } from "./schedules.js";
import { planShards } from "./shard-plan.js";
import { stateTable } from "./state.js";
import { type StatusPage, statusPage, statusPageSettings } from "./status-page.js";

export { WatchpostChecksError, WatchpostConfigError } from "./errors.js";
export {
  DEFAULT_MAX_CHECKS_PER_SHARD,
  DEFAULT_MEMORY_MB,
  type WatchpostLocations,
  type WatchpostPrivateNetwork,
  type WatchpostProps,
  type WatchpostRemoteWrite,
  type WatchpostSubscription,
} from "./props.js";
export { ampWorkspaceArn } from "./remote-write.js";

/** Days of history kept by default. */
const DEFAULT_HISTORY_DAYS = 400;

export class Watchpost extends Construct {
  /** Notifications, and the monitor's own alarms, go here. */
  readonly topic: sns.Topic;
  /** Alert state and run records: this stack's own, or the home region's with several locations. */
  readonly table: dynamodb.ITable;
  readonly deadLetterQueue: sqs.Queue;
  /** Encrypts the topic and the dead-letter queue. */
  readonly key: kms.Key;
  /** The probe function, and the one in the VPC when `privateNetwork` is given. */
  readonly functions: lambda.Function[] = [];
  readonly shards: Shard[];
  readonly dashboard: cloudwatch.Dashboard;
  readonly checks: CheckSpec[];
  /** Objectives over groups of checks (`slos:` in the check files). */
  readonly sloGroups: SloGroup[];
  /** The heartbeat ping endpoint, when some check is a heartbeat (in the home region only). */
  readonly heartbeats: WatchpostHeartbeats | undefined;
  /** The status page's bucket, and its CloudFront distribution when public (home region only). */
  readonly statusPage: StatusPage | undefined;

  constructor(scope: Construct, id: string, props: WatchpostProps) {
    super(scope, id);
    const environment = functionEnvironment(props.environment);
    ({ checks: this.checks, sloGroups: this.sloGroups } = deployableChecks(
      props.checksDir,
      props.channels ?? [],
      Object.keys(environment),
    ));
    refuseOtlpProblems(props.otlp);
    const checkMetrics = checkMetricsOn(props.checkMetrics, props.remoteWrite !== undefined);
    const namespace = props.namespace ?? "Watchpost";

    ({ key: this.key, topic: this.topic } = notifications(this, props.subscriptions ?? []));
    const placed = placement(props.locations, Stack.of(this), this.checks);
    this.table = stateTable(this, placed);
    const schedules = new Schedules(this, this.key);
    this.deadLetterQueue = schedules.deadLetterQueue;
    const secret = remoteWriteSecret(this, props.remoteWrite);

    const plan = planShards(
      this.checks,
      props.maxChecksPerShard ?? DEFAULT_MAX_CHECKS_PER_SHARD,
      props.privateNetwork,
      placed,
    );
    this.shards = plan.shards;
    // History is the home's: the region that decides keeps it.
    const historyDays =
      props.history === false || placed?.remote
        ? undefined
        : (props.history?.retainDays ?? DEFAULT_HISTORY_DAYS);
    // The status page is the home's, written by the coordinating shard's runs.
    const page = statusPageSettings(props);
    const pageShard = page ? plan.coordinator : undefined;
    this.statusPage = page && pageShard ? statusPage(this, page) : undefined;
    const pageConfig =
      this.statusPage && page && pageShard
        ? {
            bucket: this.statusPage.bucket.bucketName,
            shard: pageShard,
            groupBy: page.groupBy,
            title: page.title,
          }
        : undefined;

    for (const probe of plan.functions) {
      const runs = (shard: string | undefined) => probe.shards.some((each) => each.id === shard);
      // The coordinating function alone evaluates group objectives and writes the status page, and
      // is told every shard's checks (the private function's too) to read their history.
      const coordinates = runs(plan.coordinator);
      const others = plan.shards.length > probe.shards.length;
      const fn = probeFunction(this, {
        plan: probe,
        compiled: compile(
          probe.shards,
          props.checksDir,
          coordinates ? this.sloGroups : [],
          coordinates && others ? plan.shards : [],
        ),
        config: probeConfig({
          props,
          table: this.table,
          topic: this.topic,
          namespace,
          checkMetrics,
          placed,
          historyDays,
          statusPage: pageConfig && runs(pageConfig.shard) ? pageConfig : undefined,
          remoteWriteSecret: secret,
        }),
        deadLetterQueue: this.deadLetterQueue,
        environment,
        memorySize: props.memorySize,
        logRetention: props.logRetention,
      });
      grantProbe(fn, {
        table: this.table,
        topic: this.topic,
        key: this.key,
        namespace,
        // A region is granted what the checks it runs ask for, not every check of the deployment.
        checks: placed ? probe.checks.filter((check) => runsHere(check, placed)) : probe.checks,
        channels: props.channels ?? [],
        ...(props.otlp ? { otlpTexts: otlpTexts(props.otlp) } : {}),
        decides: !placed?.remote,
        keepsHistory: historyDays !== undefined,
        // The function whose runs write the page, alone.
        statusBucket: pageConfig && runs(pageConfig.shard) ? this.statusPage?.bucket : undefined,
        remoteWriteSecret: secret,
        ampWorkspaceArn: props.remoteWrite?.ampWorkspaceArn,
      });
      this.functions.push(fn);
      schedules.invoke(probe.id, fn, probe.shards);
    }

    // Pings are recorded where the heartbeats are evaluated: the home's table.
    const heartbeatChecks = this.checks.filter((check) => check.kind === "heartbeat");
    this.heartbeats =
      heartbeatChecks.length > 0 && !placed?.remote
        ? new WatchpostHeartbeats(this, "Heartbeats", {
            checks: heartbeatChecks,
            table: this.table,
            environment,
            ...(props.logRetention ? { logRetention: props.logRetention } : {}),
            ...(props.heartbeats ? { throttle: props.heartbeats } : {}),
          })
        : undefined;
    if (this.heartbeats) this.functions.push(this.heartbeats.function);

    // What CloudFormation, Lambda and IAM would refuse only at deploy, refused at synth.
    this.node.addValidation({
      validate: () =>
        deployLimitProblems(this, { functions: this.functions, tableName: placed?.tableName, namespace }),
    });

    const monitor = { functions: this.functions, deadLetterQueue: this.deadLetterQueue, shards: this.shards };
    monitorAlarms(this, { ...monitor, topic: this.topic, namespace, placed });
    this.dashboard = monitorDashboard(this, {
      ...monitor,
      namespace,
      checkMetrics,
      pingApi: this.heartbeats?.api,
      placed,
    });
    // In any stack: the findings it accepts are acknowledged, the outputs it documents are there.
    acknowledgeFindings(this);
    if (props.outputs ?? true) stackOutputs(this);
  }
}
