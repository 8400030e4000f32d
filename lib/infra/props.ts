/** What a team gives the `Watchpost` construct. Every prop's default is in its doc comment. */
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { ChannelSpec } from "../alerting/notifiers/channel.js";
import type { Severity } from "../checks/schema.js";
import type { InstanceMode } from "../metrics/series.js";

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
  /**
   * The VPC's way out when it is a forward proxy: the function's probes, notifications and
   * remote-write go through it (`HTTPS_PROXY`/`HTTP_PROXY`), except to the hosts in `noProxy`
   * (`NO_PROXY`: names, `.domain`, addresses, CIDR ranges). An `http://` URL; no credentials here
   * (they would sit in the function's configuration): allow the function's security group at the
   * proxy instead, or give checks their own `proxy` with a `${secret:…}` password. Default: none.
   */
  readonly proxy?: { readonly url: string; readonly noProxy?: readonly string[] };
}

export interface WatchpostProps {
  /** The folder of check files (`*.yml`, `*.yaml`, searched recursively). */
  readonly checksDir: string;
  /** Notification subscriptions. Default: none (subscribe to the `topic` later). */
  readonly subscriptions?: WatchpostSubscription[];
  /**
   * Slack, PagerDuty, Microsoft Teams, Alertmanager and webhook channels the function sends to besides the topic,
   * routed by severity and labels (`loadChannels("channels.yml")`). Each target must be a
   * `${secret:ID}` or `${ssm:NAME}` reference, read when sending: no URL or key in the template.
   */
  readonly channels?: ChannelSpec[];
  /**
   * Environment variables of the deployed functions (probe and ping), which checks may read as
   * `${env:NAME}`: plain values in the template, so nothing secret (use `${secret:ID}`). Names
   * starting with `AWS_` or `LAMBDA_` are Lambda's. Default: none, and a check with `${env:…}` is
   * refused at synth.
   */
  readonly environment?: Record<string, string>;
  /** Default: no remote-write; CloudWatch metrics are always published. */
  readonly remoteWrite?: WatchpostRemoteWrite;
  /**
   * OTLP/HTTP metrics to a collector or backend (docs/metrics.md, "OpenTelemetry"). Header values
   * that are secrets are written as `${secret:ID}` or `${ssm:NAME}` references, read at run time.
   */
  readonly otlp?: WatchpostOtlp;
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
  /**
   * Stack outputs with fixed names, in whichever stack holds the construct: `TopicArn`,
   * `DashboardUrl`, `StateTable`, `ProbeFunction`, and `PingUrl` with `HeartbeatKeySecret`,
   * `StatusPageBucket`, `StatusPageUrl` when those exist (docs/deploying.md). Default true; give a
   * second Watchpost in the same stack `false`, as two outputs cannot share a name.
   */
  readonly outputs?: boolean;
}

/** The regions that probe together; see README, "Several locations". */
export interface WatchpostLocations {
  /** Every region that probes, this stack's among them. At least two. */
  readonly regions: string[];
  /** The region that keeps the alert state, decides and notifies. Default: the first region. */
  readonly home?: string;
  /**
   * The home's state table name, so the other regions can find it (the same in every stack).
   * Default: the stack's name without its region, then `-state` (`Watchpost-eu-west-1` and
   * `Watchpost-us-east-1` both use `Watchpost-state`); give it when the stacks' names differ otherwise.
   */
  readonly stateTableName?: string;
}

export const DEFAULT_MAX_CHECKS_PER_SHARD = 200;
export const DEFAULT_MEMORY_MB = 1024;

/** Where the deployed monitor sends OTLP metrics. */
export interface WatchpostOtlp {
  /** The metrics endpoint, whole: `https://collector.example.com:4318/v1/metrics`. */
  readonly endpoint: string;
  /** Headers (an API key, a tenant); secret values as `${secret:ID}` / `${ssm:NAME}` references. */
  readonly headers?: Record<string, string>;
  /** `service.name` of the exported resources. Default `watchpost`. */
  readonly serviceName?: string;
}
