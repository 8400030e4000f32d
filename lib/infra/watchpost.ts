/**
 * The `Watchpost` construct: checks from a folder become scheduled probe functions, alert state,
 * notifications, metrics, alarms on the monitor itself and a dashboard. It holds no probe logic;
 * it wires lib/ together. Every prop's default is in its doc comment.
 */

import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Aws, Duration, RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { deployProblems } from "../alerting/channels/config.js";
import type { ChannelSpec } from "../alerting/notifiers/channel.js";
import { formatDiagnostic } from "../checks/diagnostics.js";
import { type CheckSpec, loadChecksSync, type SloGroup } from "../checks/load.js";
import type { Severity } from "../checks/schema.js";
import { PREBUILT_FUNCTION_DIR } from "../deploy/bundle.js";
import { checkMetricsOn } from "../deploy/check-metrics.js";
import {
  checkPermissions,
  compile,
  cutShards,
  functionTimeoutMs,
  references,
  type Shard,
  scheduleProblems,
} from "../deploy/compile.js";
import { FUNCTION_CONFIG_ENV, type FunctionConfig } from "../deploy/function-config.js";
import { HEARTBEAT_KEY_PREFIX } from "../heartbeat/store-dynamodb.js";
import { HISTORY_DAY_PREFIX, INCIDENTS_PREFIX } from "../history/store-dynamodb.js";
import type { InstanceMode } from "../metrics/series.js";
import { needsRefresh, REFRESH_EVERY_MS } from "../runtime/freshness.js";
import { LOCATION_SILENT, MONITOR_METRICS } from "../runtime/monitor-metrics.js";
import { checkLocations } from "../runtime/quorum.js";
import { formatDuration } from "../units.js";
import { functionBundling } from "./bundling.js";
import { WatchpostHeartbeats } from "./heartbeats.js";
import { grantReferences } from "./references.js";

/** Who receives notifications. Give exactly one endpoint; filters narrow what it receives. */
export interface WatchpostSubscription {
  readonly email?: string;
  /** An HTTPS endpoint (PagerDuty, Opsgenie, a webhook). */
  readonly url?: string;
  readonly queue?: sqs.IQueue;
  readonly function?: lambda.IFunction;
  /** Only these severities. Default: all. */
  readonly severities?: Severity[];
  /** Only checks whose label has one of these values, e.g. `{ team: ["payments"] }`. Default: all. */
  readonly labels?: Record<string, string[]>;
}

/** Prometheus remote-write from the probe function. */
export interface WatchpostRemoteWrite {
  /** The receiver's write URL. */
  readonly url: string;
  /**
   * A secret whose JSON holds `bearerToken`, or `username` and `password`, and optional `headers`.
   * Default: no credentials.
   */
  readonly credentials?: secretsmanager.ISecret;
  /** The complete ARN of such a secret made outside this app (the shipped app's context). */
  readonly credentialsSecretArn?: string;
  /** An Amazon Managed Service for Prometheus workspace ARN: requests are SigV4-signed, and
   * `aps:RemoteWrite` is granted on this workspace alone. Default: none. */
  readonly ampWorkspaceArn?: string;
  /** The `job` label of every series. Default `watchpost` (the shipped rules and dashboard select it). */
  readonly job?: string;
  /** What the `instance` label holds: the probed `target` (blackbox's usual relabelling), or the `check`'s name. Default `target`. */
  readonly instance?: InstanceMode;
}

/** Checks that target private endpoints run in a separate function placed in a VPC. */
export interface WatchpostPrivateNetwork {
  readonly vpc: ec2.IVpc;
  /** Default: the VPC's private subnets. */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Which checks: those with this label and value. Default `network: private`. */
  readonly label?: { name: string; value: string };
}

export interface WatchpostProps {
  /** The folder of check files (`*.yml`, `*.yaml`, searched recursively). */
  readonly checksDir: string;
  /** Notification subscriptions. Default: none (subscribe to the `topic` later). */
  readonly subscriptions?: WatchpostSubscription[];
  /**
   * Slack, PagerDuty, Microsoft Teams and webhook channels the function sends to besides the topic,
   * routed by severity and labels (`loadChannels("channels.yml")`). Each target must be a
   * `${secret:ID}` or `${ssm:NAME}` reference, read when sending: no URL or key in the template.
   */
  readonly channels?: ChannelSpec[];
  /** Default: no remote-write; CloudWatch metrics are always published. */
  readonly remoteWrite?: WatchpostRemoteWrite;
  /** CloudWatch namespace of check metrics. Default `Watchpost`. */
  readonly namespace?: string;
  /** One-second CloudWatch metrics. Default false. */
  readonly highResolutionMetrics?: boolean;
  /** Per-phase HTTP durations in CloudWatch (five more custom metrics per HTTP check). Default false. */
  readonly phaseMetrics?: boolean;
  /**
   * Per-check metrics in CloudWatch (2 to 4 custom metrics per check, billed monthly; see
   * docs/cost.md). Off, only the monitor's heartbeat goes to CloudWatch. Default: on without
   * `remoteWrite`, off with it (the results are read in Prometheus then).
   */
  readonly checkMetrics?: boolean;
  /** Most checks one invocation runs. Default 200 (see bench/README.md). */
  readonly maxChecksPerShard?: number;
  /** Probe function memory in MB. Default 1024 (see bench/README.md). */
  readonly memorySize?: number;
  /** This many alerts of one type and severity in one run become one summary. Default 5. */
  readonly groupThreshold?: number;
  /**
   * Runs in a row a notification may fail before it is given up on (logged as a dead letter, counted
   * in the DeadLetters metric and alarm). A notification SNS refuses for good is given up at once.
   * Default 10.
   */
  readonly maxDeliveryAttempts?: number;
  /** Log retention of the probe functions. Default one month. */
  readonly logRetention?: logs.RetentionDays;
  /** VPC placement for private checks. Default: none (every check runs outside a VPC). */
  readonly privateNetwork?: WatchpostPrivateNetwork;
  /**
   * Probe from several AWS regions and alert only when a quorum of them agrees. Give every region's
   * stack the same `locations`; each runs the checks placed in its region and reports them to the
   * home region's state table, and the home decides and notifies. Default: this stack's region alone.
   */
  readonly locations?: WatchpostLocations;
  /**
   * The heartbeat ping endpoint's throttle (its HTTP API stage): requests per second and burst.
   * Default 10 and 20. The endpoint exists when some check is a heartbeat (in the home region).
   */
  readonly heartbeats?: { rateLimit?: number; burstLimit?: number };
  /**
   * History of decided results and incidents (status page, SLOs), kept in the state table this many
   * days. Default `{ retainDays: 400 }`; `false` keeps none (and no status page, no SLO alerts).
   */
  readonly history?: { retainDays?: number } | false;
  /**
   * The status page, written to a private bucket after each run of the shortest interval. `public:
   * true` puts CloudFront in front of it (an explicit choice: it is then readable by anyone with the
   * URL). Default: a private page grouped by the `team` label; `false` writes none.
   */
  readonly statusPage?: { groupBy?: string; title?: string; public?: boolean } | false;
}

/** The regions that probe together; see README, "Several locations". */
export interface WatchpostLocations {
  /** Every region that probes, this stack's among them. At least two. */
  readonly regions: string[];
  /** The region that keeps the alert state, decides and notifies. Default: the first region. */
  readonly home?: string;
  /**
   * The home's state table name, so the other regions can find it (the same in every stack).
   * Default `watchpost-state`.
   */
  readonly stateTableName?: string;
}

export const DEFAULT_MAX_CHECKS_PER_SHARD = 200;
export const DEFAULT_MEMORY_MB = 1024;

/**
 * The Amazon Managed Service for Prometheus workspace a remote-write URL names
 * (`https://aps-workspaces.REGION.amazonaws.com/workspaces/ws-…/api/v1/remote_write`), as an ARN in
 * the deploying account; undefined when the URL names none.
 */
export function ampWorkspaceArn(url: string, region: string): string | undefined {
  const id = /\/workspaces\/(ws-[A-Za-z0-9-]+)\//.exec(url)?.[1];
  return id ? `arn:${Aws.PARTITION}:aps:${region}:${Aws.ACCOUNT_ID}:workspace/${id}` : undefined;
}

/** Where this stack probes from, among several locations. */
interface Placement {
  regions: string[];
  home: string;
  self: string;
  /** Not the home: state and decisions are the home region's. */
  remote: boolean;
  tableName: string;
}

/** Whether a check runs in this stack's region. */
function runsHere(check: CheckSpec, placed: Placement): boolean {
  return checkLocations(check, placed.regions, placed.home).includes(placed.self);
}

/** A check file problem found at synth time: the same messages as `watchpost validate`. */
export class WatchpostChecksError extends Error {
  override name = "WatchpostChecksError";
}

/** A construct setting that cannot work (locations that do not include this stack's region …). */
export class WatchpostConfigError extends Error {
  override name = "WatchpostConfigError";
}

/**
 * The repository (or installed package) root: where the function's source (a checkout) or its
 * prebuilt bundle (a published package) lives.
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  const here = (d: string) =>
    existsSync(path.join(d, "functions", "probe", "handler.ts")) ||
    existsSync(path.join(d, PREBUILT_FUNCTION_DIR, "index.mjs"));
  while (!here(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the probe function (source or prebuilt) above lib/infra");
    dir = parent;
  }
  return dir;
}

/** The prebuilt bundle and the compiled checks, side by side in a fresh folder: the function's asset. */
function withChecks(prebuilt: string, compiled: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "watchpost-asset-"));
  for (const file of readdirSync(prebuilt)) copyFileSync(path.join(prebuilt, file), path.join(dir, file));
  copyFileSync(compiled, path.join(dir, "checks.json"));
  return dir;
}

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
  readonly statusPage: { bucket: s3.Bucket; distribution?: cloudfront.Distribution } | undefined;
  /** The shard whose runs write the status page. */
  private readonly statusShard: string | undefined;
  /** Every shard this stack runs, public and private. */
  private readonly allShards: Shard[];
  /** The shard whose function coordinates group objectives and the status page (the home's only). */
  private readonly coordinatorShard: string | undefined;
  /** The remote-write credentials, given as a secret or imported from its ARN. */
  private readonly remoteWriteSecret: secretsmanager.ISecret | undefined;
  /** This stack's place among several locations; undefined with one. */
  private placed: Placement | undefined;
  /** Per-check CloudWatch metrics, as given or by the default (lib/deploy/check-metrics.ts). */
  private readonly checkMetrics: boolean;

  constructor(scope: Construct, id: string, props: WatchpostProps) {
    super(scope, id);
    const loaded = loadChecksSync(path.resolve(props.checksDir));
    const problems = [
      ...[...loaded.diagnostics, ...scheduleProblems(loaded.checks)].map(formatDiagnostic),
      ...deployProblems(props.channels ?? [], "channels"),
    ];
    if (problems.length > 0) {
      throw new WatchpostChecksError(
        `${problems.length} problem(s) in the check files:\n${problems.join("\n")}`,
      );
    }
    this.checks = loaded.checks;
    this.sloGroups = loaded.sloGroups ?? [];
    this.checkMetrics = checkMetricsOn(props.checkMetrics, props.remoteWrite !== undefined);
    const namespace = props.namespace ?? "Watchpost";
    const maxPerShard = props.maxChecksPerShard ?? DEFAULT_MAX_CHECKS_PER_SHARD;

    this.key = new kms.Key(this, "Key", {
      enableKeyRotation: true,
      description: "Watchpost: notifications topic and queues",
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const key = this.key;
    // CloudWatch alarms publish to the topic, so CloudWatch may use the key.
    key.grant(new iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");

    this.topic = new sns.Topic(this, "Topic", { masterKey: key, enforceSSL: true, displayName: "Watchpost" });
    for (const [index, subscription] of (props.subscriptions ?? []).entries())
      this.subscribe(index, subscription);

    const locations = this.placement(props.locations);
    this.placed = locations;
    this.table = locations?.remote
      ? dynamodb.Table.fromTableArn(
          this,
          "State",
          `arn:${Aws.PARTITION}:dynamodb:${locations.home}:${Aws.ACCOUNT_ID}:table/${locations.tableName}`,
        )
      : new dynamodb.Table(this, "State", {
          ...(locations ? { tableName: locations.tableName } : {}),
          partitionKey: { name: "check", type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          encryption: dynamodb.TableEncryption.AWS_MANAGED,
          timeToLiveAttribute: "expiresAt",
          removalPolicy: RemovalPolicy.DESTROY,
        });

    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const label = props.privateNetwork?.label ?? { name: "network", value: "private" };
    const isPrivate = (check: CheckSpec) =>
      props.privateNetwork !== undefined && check.labels[label.name] === label.value;
    const publicChecks = this.checks.filter((check) => !isPrivate(check));
    const privateChecks = this.checks.filter(isPrivate);
    this.shards = [];
    const remoteWrite = props.remoteWrite;
    this.remoteWriteSecret =
      remoteWrite?.credentials ??
      (remoteWrite?.credentialsSecretArn
        ? secretsmanager.Secret.fromSecretCompleteArn(
            this,
            "RemoteWriteSecret",
            remoteWrite.credentialsSecretArn,
          )
        : undefined);

    const group = new scheduler.ScheduleGroup(this, "Schedules");
    const groups = (
      [
        ["Probe", publicChecks, ""],
        ["PrivateProbe", privateChecks, "vpc-"],
      ] as const
    ).map(
      ([fnId, checks, prefix]) =>
        [
          fnId,
          checks,
          // Cut from every check, so a shard is the same at every location; a location other than
          // the home runs only the shards that hold checks placed there.
          cutShards(checks, maxPerShard, prefix).filter(
            (shard) => !locations?.remote || shard.checks.some((check) => runsHere(check, locations)),
          ),
        ] as const,
    );
    // The status page is the home's, written by the public function's fastest shard.
    const pageProps =
      props.history === false || props.statusPage === false ? undefined : (props.statusPage ?? {});
    // One function coordinates what spans shards (group objectives, the status page): the public
    // one when it runs anything, else the private one; its fastest shard's runs do it.
    const fastest = groups
      .find(([, , shards]) => shards.length > 0)?.[2]
      .reduce<Shard | undefined>(
        (best, shard) => (best === undefined || shard.intervalMs < best.intervalMs ? shard : best),
        undefined,
      );
    this.coordinatorShard = locations?.remote ? undefined : fastest?.id;
    this.statusShard = pageProps ? this.coordinatorShard : undefined;
    this.allShards = groups.flatMap(([, , shards]) => shards);
    this.statusPage = this.statusShard && pageProps ? this.statusPageBucket(pageProps) : undefined;
    for (const [fnId, checks, shards] of groups) {
      if (checks.length === 0 || shards.length === 0) continue;
      this.shards.push(...shards);
      const fn = this.probeFunction(
        fnId,
        checks,
        shards,
        props,
        namespace,
        fnId === "PrivateProbe" ? props.privateNetwork : undefined,
      );
      this.functions.push(fn);
      for (const shard of shards) {
        new scheduler.Schedule(this, `Run-${shard.id}`, {
          scheduleGroup: group,
          description: `Watchpost: ${shard.checks.length} checks every ${formatDuration(shard.intervalMs)}`,
          schedule: scheduler.ScheduleExpression.rate(Duration.minutes(shard.intervalMs / 60_000)),
          timeWindow: scheduler.TimeWindow.off(),
          target: new LambdaInvoke(fn, {
            input: scheduler.ScheduleTargetInput.fromObject({ shard: shard.id }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 0,
          }),
        });
      }
      // Slow checks' latest samples, re-sent between their runs so they never go stale in
      // Prometheus (lib/runtime/freshness.ts).
      if (shards.some((shard) => needsRefresh(shard.intervalMs))) {
        new scheduler.Schedule(this, `${fnId}Refresh`, {
          scheduleGroup: group,
          description: "Watchpost: re-send the latest samples of checks slower than Prometheus' lookback",
          schedule: scheduler.ScheduleExpression.rate(Duration.millis(REFRESH_EVERY_MS)),
          timeWindow: scheduler.TimeWindow.off(),
          target: new LambdaInvoke(fn, {
            input: scheduler.ScheduleTargetInput.fromObject({ refresh: true }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 0,
          }),
        });
      }
    }

    // Pings are recorded where the heartbeats are evaluated: the home's table.
    const heartbeatChecks = this.checks.filter((check) => check.kind === "heartbeat");
    this.heartbeats =
      heartbeatChecks.length > 0 && !locations?.remote
        ? new WatchpostHeartbeats(this, "Heartbeats", {
            checks: heartbeatChecks,
            table: this.table,
            root: packageRoot(),
            ...(props.logRetention ? { logRetention: props.logRetention } : {}),
            ...(props.heartbeats ? { throttle: props.heartbeats } : {}),
          })
        : undefined;
    if (this.heartbeats) this.functions.push(this.heartbeats.function);

    this.watchTheWatcher(namespace);
    this.dashboard = this.buildDashboard(namespace);
  }

  /** A private bucket for the status page; CloudFront in front of it only when asked. */
  private statusPageBucket(page: { public?: boolean }): {
    bucket: s3.Bucket;
    distribution?: cloudfront.Distribution;
  } {
    const bucket = new s3.Bucket(this, "StatusPage", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (!page.public) return { bucket };
    const distribution = new cloudfront.Distribution(this, "StatusPageCdn", {
      comment: "Watchpost status page",
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      },
    });
    return { bucket, distribution };
  }

  /** This stack's part among several locations, checked; undefined with one location. */
  private placement(given: WatchpostLocations | undefined): Placement | undefined {
    if (!given) return undefined;
    const regions = given.regions;
    if (regions.length < 2 || new Set(regions).size !== regions.length)
      throw new WatchpostConfigError(
        `locations.regions: expected at least two different regions, found [${regions.join(", ")}]`,
      );
    const home = given.home ?? (regions[0] as string);
    if (!regions.includes(home))
      throw new WatchpostConfigError(`locations.home: expected one of ${regions.join(", ")}, found ${home}`);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region))
      throw new WatchpostConfigError(
        "locations: this stack has no region of its own; give it env: { region } (one stack per location)",
      );
    if (!regions.includes(region))
      throw new WatchpostConfigError(
        `locations: this stack's region ${region} is not one of ${regions.join(", ")}`,
      );
    const misplaced = this.checks.flatMap((check) => {
      const unknown = (check.locations ?? []).filter((l) => !regions.includes(l));
      return unknown.length > 0
        ? [
            `${check.source.file}:${check.source.line}: check ${check.name} runs at ${unknown.join(", ")}, not among the locations ${regions.join(", ")}`,
          ]
        : [];
    });
    if (misplaced.length > 0)
      throw new WatchpostChecksError(
        `${misplaced.length} problem(s) in the check files:\n${misplaced.join("\n")}`,
      );
    return {
      regions,
      home,
      self: region,
      remote: region !== home,
      tableName: given.stateTableName ?? "watchpost-state",
    };
  }

  private subscribe(index: number, s: WatchpostSubscription): void {
    const endpoints = [s.email, s.url, s.queue, s.function].filter((e) => e !== undefined);
    if (endpoints.length !== 1)
      throw new Error(`subscriptions[${index}]: give exactly one of email, url, queue or function`);
    const filter: Record<string, sns.SubscriptionFilter> = {};
    if (s.severities) filter.severity = sns.SubscriptionFilter.stringFilter({ allowlist: s.severities });
    for (const [name, values] of Object.entries(s.labels ?? {}))
      filter[name] = sns.SubscriptionFilter.stringFilter({ allowlist: values });
    if (Object.keys(filter).length > 5)
      throw new Error(`subscriptions[${index}]: SNS filter policies take at most 5 keys`);
    const options = Object.keys(filter).length > 0 ? { filterPolicy: filter } : {};
    if (s.email) this.topic.addSubscription(new subscriptions.EmailSubscription(s.email, options));
    if (s.url) this.topic.addSubscription(new subscriptions.UrlSubscription(s.url, options));
    if (s.queue) this.topic.addSubscription(new subscriptions.SqsSubscription(s.queue, options));
    if (s.function) this.topic.addSubscription(new subscriptions.LambdaSubscription(s.function, options));
  }

  private probeFunction(
    id: string,
    checks: CheckSpec[],
    shards: Shard[],
    props: WatchpostProps,
    namespace: string,
    network: WatchpostPrivateNetwork | undefined,
  ): lambda.Function {
    const root = packageRoot();
    const compiled = path.join(mkdtempSync(path.join(tmpdir(), "watchpost-")), "checks.json");
    // The coordinating function alone evaluates group objectives and writes the status page, and
    // is told every shard's checks (the private function's too) to read their history.
    const coordinates =
      this.coordinatorShard !== undefined && shards.some((shard) => shard.id === this.coordinatorShard);
    const others = this.allShards.filter((shard) => !shards.includes(shard));
    writeFileSync(
      compiled,
      JSON.stringify(
        compile(
          shards,
          props.checksDir,
          coordinates ? this.sloGroups : [],
          coordinates && others.length > 0 ? this.allShards : [],
        ),
      ),
    );
    // Long enough for the slowest shard's waves of checks, each timing out on every attempt, plus
    // the reserves for sinks and alerting; cutShards keeps that inside each shard's interval.
    const timeout = Duration.seconds(Math.ceil(functionTimeoutMs(shards) / 1000));
    const remoteWrite = props.remoteWrite;
    const secret = this.remoteWriteSecret;
    const config: FunctionConfig = {
      stateTable: this.table.tableName,
      topicArn: this.topic.topicArn,
      namespace,
      groupThreshold: props.groupThreshold ?? 5,
      highResolution: props.highResolutionMetrics ?? false,
      phases: props.phaseMetrics ?? false,
      checkMetrics: this.checkMetrics,
      maxDeliveryAttempts: props.maxDeliveryAttempts ?? 10,
      ...(props.channels?.length ? { channels: props.channels } : {}),
      ...(this.placed
        ? { locations: { all: this.placed.regions, home: this.placed.home, stateRegion: this.placed.home } }
        : {}),
      ...(props.history === false || this.placed?.remote
        ? {}
        : { history: { retainDays: props.history?.retainDays ?? 400 } }),
      ...(this.statusPage && this.statusShard && shards.some((shard) => shard.id === this.statusShard)
        ? {
            statusPage: {
              bucket: this.statusPage.bucket.bucketName,
              shard: this.statusShard,
              groupBy: (props.statusPage ? props.statusPage.groupBy : undefined) ?? "team",
              title: (props.statusPage ? props.statusPage.title : undefined) ?? "Status",
            },
          }
        : {}),
      ...(remoteWrite
        ? {
            remoteWrite: {
              url: remoteWrite.url,
              ...(secret ? { secretArn: secret.secretArn } : {}),
              ...(remoteWrite.ampWorkspaceArn
                ? { sigv4Region: remoteWrite.ampWorkspaceArn.split(":")[3] as string }
                : {}),
              ...(remoteWrite.job !== undefined ? { job: remoteWrite.job } : {}),
              ...(remoteWrite.instance !== undefined ? { instance: remoteWrite.instance } : {}),
            },
          }
        : {}),
    };
    const environment: Record<string, string> = {
      [FUNCTION_CONFIG_ENV]: Stack.of(this).toJsonString(config),
      NODE_OPTIONS: "--enable-source-maps",
    };
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole: it may write its own log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Watchpost probe function",
    });
    logGroup.grantWrite(role);
    if (network)
      role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSLambdaVPCAccessExecutionRole"),
      );
    const common = {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout,
      environment,
      description: `Watchpost probes: ${checks.length} checks in ${shards.length} shards`,
      logGroup,
      retryAttempts: 0,
      onFailure: new SqsDestination(this.deadLetterQueue),
      ...(network
        ? {
            vpc: network.vpc,
            vpcSubnets: network.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            ...(network.securityGroups ? { securityGroups: network.securityGroups } : {}),
          }
        : {}),
    };
    const prebuilt = path.join(root, PREBUILT_FUNCTION_DIR);
    // A published package carries the bundle, built with the same options (lib/deploy/bundle.ts):
    // the team's app needs neither esbuild nor Docker. A checkout bundles from source.
    const fn = existsSync(path.join(prebuilt, "index.mjs"))
      ? new lambda.Function(this, id, {
          ...common,
          handler: "index.handler",
          code: lambda.Code.fromAsset(withChecks(prebuilt, compiled)),
        })
      : new NodejsFunction(this, id, {
          ...common,
          entry: path.join(root, "functions", "probe", "handler.ts"),
          handler: "handler",
          projectRoot: root,
          depsLockFilePath: path.join(root, "package-lock.json"),
          bundling: functionBundling({
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_input: string, output: string) => [`cp "${compiled}" "${output}/checks.json"`],
          }),
        });
    // A region is granted what the checks it runs ask for, not every check of the deployment.
    const placed = this.placed;
    this.grant(fn, placed ? checks.filter((check) => runsHere(check, placed)) : checks, namespace, props);
    return fn;
  }

  /** Exactly what the function needs: its table, its topic, its namespace, the checks' own needs. */
  private grant(fn: lambda.Function, checks: CheckSpec[], namespace: string, props: WatchpostProps): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:BatchGetItem", "dynamodb:PutItem"],
        resources: [this.table.tableArn],
      }),
    );
    // Item by item, consistently: a heartbeat's pings, and the history it adds each run to.
    const items = [
      ...(checks.some((check) => check.kind === "heartbeat") ? [`${HEARTBEAT_KEY_PREFIX}*`] : []),
      // History is the home's: the region that decides keeps it.
      ...(props.history === false || this.placed?.remote
        ? []
        : [`${HISTORY_DAY_PREFIX}*`, `${INCIDENTS_PREFIX}*`]),
    ];
    if (items.length > 0)
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["dynamodb:GetItem"],
          resources: [this.table.tableArn],
          conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": items } },
        }),
      );
    if (this.statusPage)
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["s3:PutObject"],
          resources: ["index.html", "status.json"].map(
            (key) => this.statusPage?.bucket.arnForObjects(key) as string,
          ),
        }),
      );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["sns:Publish"], resources: [this.topic.topicArn] }),
    );
    // The topic is encrypted: publishing needs a data key from its key.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [this.key.keyArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["cloudwatch:PutMetricData"],
        resources: ["*"],
        conditions: { StringEquals: { "cloudwatch:namespace": namespace } },
      }),
    );
    const stack = Stack.of(this);
    grantReferences(
      fn.role as iam.IRole,
      references(
        checks,
        (props.channels ?? []).map((c) => c.target),
      ),
    );
    const scope = { partition: stack.partition, region: stack.region, account: stack.account };
    for (const permission of checkPermissions(checks, scope)) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: permission.actions, resources: permission.resources }),
      );
    }
    const remoteWrite = props.remoteWrite;
    this.remoteWriteSecret?.grantRead(fn);
    if (remoteWrite?.ampWorkspaceArn) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ["aps:RemoteWrite"], resources: [remoteWrite.ampWorkspaceArn] }),
      );
    }
  }

  /** Alarms on the monitor itself, all to the topic: people hear when Watchpost cannot watch. */
  private watchTheWatcher(namespace: string): void {
    const action = new SnsAction(this.topic);
    const alarm = (id: string, props: cloudwatch.AlarmProps) =>
      new cloudwatch.Alarm(this, id, props).addAlarmAction(action);
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
    for (const fn of this.functions) {
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
    const placed = this.placed;
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
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
    );
    // No results for three intervals: the schedules, the function or the metrics path is broken.
    for (const intervalMs of [...new Set(this.shards.map((s) => s.intervalMs))]) {
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

  /** With per-check metrics, their graphs; the monitor's own always. */
  private buildDashboard(namespace: string): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, "Dashboard", { defaultInterval: Duration.hours(6) });
    const intervals = [...new Set(this.shards.map((s) => formatDuration(s.intervalMs)))];
    /** The heartbeat of one interval's runs, here or in another region. */
    const results = (interval: string, region?: string) =>
      new cloudwatch.Metric({
        namespace,
        metricName: "Results",
        dimensionsMap: { Interval: interval },
        statistic: "Sum",
        ...(region ? { region, label: `${region} ${interval}` } : {}),
      });
    const insights = (label: string, query: string) =>
      new cloudwatch.MathExpression({
        expression: query,
        label,
        period: Duration.minutes(5),
        usingMetrics: {},
      });
    if (this.checkMetrics)
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: "Success by check (the 25 worst)",
          width: 12,
          left: [
            insights(
              "success",
              `SELECT AVG(Success) FROM SCHEMA("${namespace}", Check, Kind) GROUP BY Check ORDER BY AVG() ASC LIMIT 25`,
            ),
          ],
          leftYAxis: { min: 0, max: 1 },
        }),
        new cloudwatch.GraphWidget({
          title: "Latency by check, ms (the 25 slowest)",
          width: 12,
          left: [
            insights(
              "duration",
              `SELECT MAX(Duration) FROM SCHEMA("${namespace}", Check, Kind) GROUP BY Check ORDER BY MAX() DESC LIMIT 25`,
            ),
          ],
        }),
      );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Monitor: invocations, errors, throttles",
        width: 8,
        left: this.functions.flatMap((fn) => [
          fn.metricInvocations(),
          fn.metricErrors(),
          fn.metricThrottles(),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: "Monitor: duration (max), ms",
        width: 8,
        left: this.functions.map((fn) => fn.metricDuration({ statistic: "Maximum" })),
      }),
      new cloudwatch.GraphWidget({
        title: "Monitor: results per interval, dead letters",
        width: 8,
        left: intervals.map((interval) => results(interval)),
        right: [this.deadLetterQueue.metricApproximateNumberOfMessagesVisible()],
      }),
    );
    const heartbeats = this.heartbeats;
    if (heartbeats)
      dashboard.addWidgets(
        // Per check only with per-check metrics (HeartbeatAge is one); the API's own metrics always.
        ...(this.checkMetrics
          ? [
              new cloudwatch.GraphWidget({
                title: "Heartbeats: seconds since the last ping",
                width: 12,
                left: [
                  insights(
                    "age",
                    `SELECT MAX(HeartbeatAge) FROM SCHEMA("${namespace}", Check, Kind) WHERE Kind = 'heartbeat' GROUP BY Check ORDER BY MAX() DESC LIMIT 25`,
                  ),
                ],
              }),
            ]
          : []),
        new cloudwatch.GraphWidget({
          title: "Heartbeats: pings received, refused (4xx), failed (5xx)",
          width: 12,
          left: [
            heartbeats.api.metricCount({ statistic: "Sum" }),
            heartbeats.api.metricClientError({ statistic: "Sum" }),
            heartbeats.api.metricServerError({ statistic: "Sum" }),
          ],
        }),
      );
    // The home's view of every location: results each region's function sent (CloudWatch is
    // regional; a dashboard may graph another region's metrics), and which went silent.
    const placed = this.placed;
    if (placed && !placed.remote) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: "Locations: results sent, by region",
          width: 12,
          left: placed.regions.flatMap((region) => intervals.map((interval) => results(interval, region))),
        }),
        new cloudwatch.GraphWidget({
          title: "Locations: runs without a report, by region",
          width: 12,
          left: placed.regions
            .filter((region) => region !== placed.home)
            .map(
              (location) =>
                new cloudwatch.Metric({
                  namespace,
                  metricName: LOCATION_SILENT,
                  dimensionsMap: { Location: location },
                  statistic: "Sum",
                  label: location,
                }),
            ),
        }),
      );
    }
    return dashboard;
  }
}
