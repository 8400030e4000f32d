/**
 * Exactly what a probe function may do: its table (and the items it reads one by one), its topic and
 * key, its metrics namespace, the status page's objects, remote-write, and what its checks ask for.
 */
import { Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import { type ChannelSpec, channelTexts } from "../alerting/notifiers/channel.js";
import type { CheckSpec } from "../checks/load.js";
import { checkPermissions, references } from "../deploy/compile.js";
import { HEARTBEAT_KEY_PREFIX } from "../heartbeat/store-dynamodb.js";
import { HISTORY_DAY_PREFIX, INCIDENTS_PREFIX } from "../history/store-dynamodb.js";
import { RUN_RECORD_PREFIX } from "../runtime/run-records-dynamodb.js";
import { grantReferences } from "./references.js";
import { STATUS_PAGE_OBJECTS } from "./status-page.js";

export interface ProbeGrants {
  table: dynamodb.ITable;
  topic: sns.ITopic;
  key: kms.IKey;
  namespace: string;
  /** The checks the function runs in this region: a region is granted what they ask for, no more. */
  checks: CheckSpec[];
  channels: ChannelSpec[];
  /** Texts of the OTLP settings that may hold references (endpoint, header values). */
  otlpTexts?: string[];
  /** Whether the function decides and keeps alert state (one location, or the home of several). */
  decides: boolean;
  /** Whether the function keeps history (the home region's, unless turned off). */
  keepsHistory: boolean;
  statusBucket: s3.IBucket | undefined;
  remoteWriteSecret: secretsmanager.ISecret | undefined;
  ampWorkspaceArn: string | undefined;
}

export function grantProbe(fn: lambda.Function, grants: ProbeGrants): void {
  const allow = (statement: iam.PolicyStatementProps) =>
    fn.addToRolePolicy(new iam.PolicyStatement(statement));
  allow({ actions: ["dynamodb:BatchGetItem"], resources: [grants.table.tableArn] });
  // Writes by key, so a probe function can never overwrite a heartbeat's pings (the ping
  // function's): alert state, whose key is the check's name (which cannot start with `#`), where
  // this function decides; and its own kinds of items by their prefixes.
  if (grants.decides)
    allow({
      actions: ["dynamodb:PutItem"],
      resources: [grants.table.tableArn],
      conditions: { "ForAllValues:StringNotLike": { "dynamodb:LeadingKeys": ["#*"] } },
    });
  allow({
    actions: ["dynamodb:PutItem"],
    resources: [grants.table.tableArn],
    conditions: {
      "ForAllValues:StringLike": {
        "dynamodb:LeadingKeys": [
          `${RUN_RECORD_PREFIX}*`,
          ...(grants.keepsHistory ? [`${HISTORY_DAY_PREFIX}*`, `${INCIDENTS_PREFIX}*`] : []),
        ],
      },
    },
  });
  // Item by item, consistently: a heartbeat's pings, and the history it adds each run to.
  const items = [
    ...(grants.checks.some((check) => check.kind === "heartbeat") ? [`${HEARTBEAT_KEY_PREFIX}*`] : []),
    ...(grants.keepsHistory ? [`${HISTORY_DAY_PREFIX}*`, `${INCIDENTS_PREFIX}*`] : []),
  ];
  if (items.length > 0)
    allow({
      actions: ["dynamodb:GetItem"],
      resources: [grants.table.tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": items } },
    });
  const bucket = grants.statusBucket;
  if (bucket)
    allow({
      actions: ["s3:PutObject"],
      resources: STATUS_PAGE_OBJECTS.map((key) => bucket.arnForObjects(key)),
    });
  allow({ actions: ["sns:Publish"], resources: [grants.topic.topicArn] });
  // The topic is encrypted: publishing needs a data key from its key.
  allow({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [grants.key.keyArn] });
  allow({
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: { StringEquals: { "cloudwatch:namespace": grants.namespace } },
  });
  grantReferences(
    fn.role as iam.IRole,
    references(grants.checks, [...grants.channels.flatMap(channelTexts), ...(grants.otlpTexts ?? [])]),
  );
  const stack = Stack.of(fn);
  const scope = { partition: stack.partition, region: stack.region, account: stack.account };
  for (const permission of checkPermissions(grants.checks, scope))
    allow({ actions: permission.actions, resources: permission.resources });
  grants.remoteWriteSecret?.grantRead(fn);
  if (grants.ampWorkspaceArn) allow({ actions: ["aps:RemoteWrite"], resources: [grants.ampWorkspaceArn] });
}
