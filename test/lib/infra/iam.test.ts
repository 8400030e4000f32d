/**
 * Every IAM statement of the stack, with its resources and conditions, against the table of what
 * Watchpost means to allow (docs/deploying.md, "Permissions", says the same in words). A new
 * statement, a wider resource or a dropped condition fails here and must be made on purpose.
 *
 * Columns: whose policy | effect | principal | actions | resources | conditions.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { iamStatements } from "../../support/iam-statements.js";
import { synthMatrix } from "./matrix.js";

let templates: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  templates = await synthMatrix(await mkdtemp(path.join(tmpdir(), "watchpost-iam-")), undefined, [
    "one-location",
    "heartbeats",
    "several-locations",
  ]);
}, 240_000);

const statements = (name: string) =>
  iamStatements(templates.get(name) as Parameters<typeof iamStatements>[0]);

describe("every IAM statement of the stack", () => {
  it("one location: http checks with a secret and a parameter, a backup check, the status page", () => {
    expect(statements("one-location/Watchpost")).toEqual([
      "<MonitorKey> key policy | Allow | AWS:arn:${AWS::Partition}:iam::${AWS::AccountId}:root | kms:* | * | ",
      "<MonitorKey> key policy | Allow | Service:cloudwatch.amazonaws.com | kms:Decrypt kms:GenerateDataKey* | * | StringEquals aws:SourceAccount ${AWS::AccountId}",
      "<MonitorTopic> topic policy | Deny | * | sns:Publish | <MonitorTopic> | Bool aws:SecureTransport false",
      "<MonitorDeadLetters> queue policy | Deny | AWS:* | sqs:* | <MonitorDeadLetters.Arn> | Bool aws:SecureTransport false",
      "<MonitorStatusPage> bucket policy | Deny | AWS:* | s3:* | <MonitorStatusPage.Arn> <MonitorStatusPage.Arn>/* | Bool aws:SecureTransport false",
      "<MonitorStatusPage> bucket policy | Allow | AWS:<CustomS3AutoDeleteObjectsCustomResourceProviderRole.Arn> | s3:DeleteObject* s3:GetBucket* s3:List* s3:PutBucketPolicy | <MonitorStatusPage.Arn> <MonitorStatusPage.Arn>/* | ",
      "<MonitorProbeRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<MonitorProbeRole> policy | Allow |  | logs:CreateLogStream logs:PutLogEvents | <MonitorProbeLogs.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | sqs:GetQueueAttributes sqs:GetQueueUrl sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | kms:Decrypt kms:Encrypt kms:GenerateDataKey kms:GenerateDataKey* kms:ReEncrypt* | <MonitorKey.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:BatchGetItem | <MonitorState.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:PutItem | <MonitorState.Arn> | ForAllValues:StringNotLike dynamodb:LeadingKeys #*",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:PutItem | <MonitorState.Arn> | ForAllValues:StringLike dynamodb:LeadingKeys #run/*|#hist/*|#inc/*",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:GetItem | <MonitorState.Arn> | ForAllValues:StringLike dynamodb:LeadingKeys #hist/*|#inc/*",
      "<MonitorProbeRole> policy | Allow |  | s3:PutObject | <MonitorStatusPage.Arn>/index.html <MonitorStatusPage.Arn>/status.json | ",
      "<MonitorProbeRole> policy | Allow |  | sns:Publish | <MonitorTopic> | ",
      "<MonitorProbeRole> policy | Allow |  | cloudwatch:PutMetricData | * | StringEquals cloudwatch:namespace Watchpost",
      "<MonitorProbeRole> policy | Allow |  | secretsmanager:GetSecretValue | arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/api-token-?????? | ",
      "<MonitorProbeRole> policy | Allow |  | ssm:GetParameter | arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/watchpost/key | ",
      "<MonitorProbeRole> policy | Allow |  | rds:DescribeDBSnapshots | arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:orders-prod arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:snapshot:* | ",
      "<CustomS3AutoDeleteObjectsCustomResourceProviderRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<CustomS3AutoDeleteObjectsCustomResourceProviderRole> managed | arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "<SchedulerRoleForTarget69cea7> trust | Allow | Service:scheduler.amazonaws.com | sts:AssumeRole |  | StringEquals aws:SourceAccount ${AWS::AccountId}; StringEquals aws:SourceArn arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/<MonitorSchedules>",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | lambda:InvokeFunction | <MonitorProbe.Arn> <MonitorProbe.Arn>:* | ",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
    ]);
  });

  it("heartbeats: the ping function may read and write the heartbeat items alone; the probe function may only read them", () => {
    expect(statements("heartbeats/Watchpost")).toEqual([
      "<MonitorKey> key policy | Allow | AWS:arn:${AWS::Partition}:iam::${AWS::AccountId}:root | kms:* | * | ",
      "<MonitorKey> key policy | Allow | Service:cloudwatch.amazonaws.com | kms:Decrypt kms:GenerateDataKey* | * | StringEquals aws:SourceAccount ${AWS::AccountId}",
      "<MonitorTopic> topic policy | Deny | * | sns:Publish | <MonitorTopic> | Bool aws:SecureTransport false",
      "<MonitorDeadLetters> queue policy | Deny | AWS:* | sqs:* | <MonitorDeadLetters.Arn> | Bool aws:SecureTransport false",
      "<MonitorStatusPage> bucket policy | Deny | AWS:* | s3:* | <MonitorStatusPage.Arn> <MonitorStatusPage.Arn>/* | Bool aws:SecureTransport false",
      "<MonitorStatusPage> bucket policy | Allow | AWS:<CustomS3AutoDeleteObjectsCustomResourceProviderRole.Arn> | s3:DeleteObject* s3:GetBucket* s3:List* s3:PutBucketPolicy | <MonitorStatusPage.Arn> <MonitorStatusPage.Arn>/* | ",
      "<MonitorProbeRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<MonitorProbeRole> policy | Allow |  | logs:CreateLogStream logs:PutLogEvents | <MonitorProbeLogs.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | sqs:GetQueueAttributes sqs:GetQueueUrl sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | kms:Decrypt kms:Encrypt kms:GenerateDataKey kms:GenerateDataKey* kms:ReEncrypt* | <MonitorKey.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:BatchGetItem | <MonitorState.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:PutItem | <MonitorState.Arn> | ForAllValues:StringNotLike dynamodb:LeadingKeys #*",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:PutItem | <MonitorState.Arn> | ForAllValues:StringLike dynamodb:LeadingKeys #run/*|#hist/*|#inc/*",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:GetItem | <MonitorState.Arn> | ForAllValues:StringLike dynamodb:LeadingKeys #hb/*|#hist/*|#inc/*",
      "<MonitorProbeRole> policy | Allow |  | s3:PutObject | <MonitorStatusPage.Arn>/index.html <MonitorStatusPage.Arn>/status.json | ",
      "<MonitorProbeRole> policy | Allow |  | sns:Publish | <MonitorTopic> | ",
      "<MonitorProbeRole> policy | Allow |  | cloudwatch:PutMetricData | * | StringEquals cloudwatch:namespace Watchpost",
      "<MonitorHeartbeatsRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<MonitorHeartbeatsRole> policy | Allow |  | logs:CreateLogStream logs:PutLogEvents | <MonitorHeartbeatsLogs.Arn> | ",
      "<MonitorHeartbeatsRole> policy | Allow |  | dynamodb:GetItem dynamodb:PutItem | <MonitorState.Arn> | ForAllValues:StringLike dynamodb:LeadingKeys #hb/*",
      "<MonitorHeartbeatsRole> policy | Allow |  | secretsmanager:DescribeSecret secretsmanager:GetSecretValue | <MonitorHeartbeatsKey> | ",
      "<MonitorHeartbeatsRole> policy | Allow |  | secretsmanager:GetSecretValue | arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:jobs/report-token-?????? | ",
      "<MonitorHeartbeatsApiPOSTpingnamePingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}",
      "<MonitorHeartbeatsApiGETpingnamePingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}",
      "<MonitorHeartbeatsApiHEADpingnamePingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}",
      "<MonitorHeartbeatsApiPOSTpingnameactionPingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}/{action}",
      "<MonitorHeartbeatsApiGETpingnameactionPingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}/{action}",
      "<MonitorHeartbeatsApiHEADpingnameactionPingPermission> lambda permission | apigateway.amazonaws.com | lambda:InvokeFunction | <MonitorHeartbeatsFunction.Arn> | arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:<MonitorHeartbeatsApi>/*/*/ping/{name}/{action}",
      "<CustomS3AutoDeleteObjectsCustomResourceProviderRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<CustomS3AutoDeleteObjectsCustomResourceProviderRole> managed | arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "<SchedulerRoleForTarget69cea7> trust | Allow | Service:scheduler.amazonaws.com | sts:AssumeRole |  | StringEquals aws:SourceAccount ${AWS::AccountId}; StringEquals aws:SourceArn arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/<MonitorSchedules>",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | lambda:InvokeFunction | <MonitorProbe.Arn> <MonitorProbe.Arn>:* | ",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
    ]);
  });

  it("another location than the home: it writes its reports to the home's table and nothing else of it", () => {
    expect(statements("several-locations/Watchpost-us-east-1")).toEqual([
      "<MonitorKey> key policy | Allow | AWS:arn:aws:iam::${AWS::AccountId}:root | kms:* | * | ",
      "<MonitorKey> key policy | Allow | Service:cloudwatch.amazonaws.com | kms:Decrypt kms:GenerateDataKey* | * | StringEquals aws:SourceAccount ${AWS::AccountId}",
      "<MonitorTopic> topic policy | Deny | * | sns:Publish | <MonitorTopic> | Bool aws:SecureTransport false",
      "<MonitorDeadLetters> queue policy | Deny | AWS:* | sqs:* | <MonitorDeadLetters.Arn> | Bool aws:SecureTransport false",
      "<MonitorProbeRole> trust | Allow | Service:lambda.amazonaws.com | sts:AssumeRole |  | ",
      "<MonitorProbeRole> policy | Allow |  | logs:CreateLogStream logs:PutLogEvents | <MonitorProbeLogs.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | sqs:GetQueueAttributes sqs:GetQueueUrl sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | kms:Decrypt kms:Encrypt kms:GenerateDataKey kms:GenerateDataKey* kms:ReEncrypt* | <MonitorKey.Arn> | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:BatchGetItem | arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/Watchpost-state | ",
      "<MonitorProbeRole> policy | Allow |  | dynamodb:PutItem | arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/Watchpost-state | ForAllValues:StringLike dynamodb:LeadingKeys #run/*",
      "<MonitorProbeRole> policy | Allow |  | sns:Publish | <MonitorTopic> | ",
      "<MonitorProbeRole> policy | Allow |  | cloudwatch:PutMetricData | * | StringEquals cloudwatch:namespace Watchpost",
      "<SchedulerRoleForTarget69cea7> trust | Allow | Service:scheduler.amazonaws.com | sts:AssumeRole |  | StringEquals aws:SourceAccount ${AWS::AccountId}; StringEquals aws:SourceArn arn:aws:scheduler:us-east-1:${AWS::AccountId}:schedule-group/<MonitorSchedules>",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | lambda:InvokeFunction | <MonitorProbe.Arn> <MonitorProbe.Arn>:* | ",
      "<SchedulerRoleForTarget69cea7> policy | Allow |  | sqs:SendMessage | <MonitorDeadLetters.Arn> | ",
    ]);
  });
});
