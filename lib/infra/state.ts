/**
 * Where alert state, run records, pings and history live: this stack's own table, or with several
 * locations the home region's (found by its name, the same in every stack).
 */
import { Aws, RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import type { Placement } from "./placement.js";

export function stateTable(scope: Construct, placed: Placement | undefined): dynamodb.ITable {
  if (placed?.remote)
    return dynamodb.Table.fromTableArn(
      scope,
      "State",
      `arn:${Aws.PARTITION}:dynamodb:${placed.home}:${Aws.ACCOUNT_ID}:table/${placed.tableName}`,
    );
  return new dynamodb.Table(scope, "State", {
    ...(placed ? { tableName: placed.tableName } : {}),
    partitionKey: { name: "check", type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: "expiresAt",
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
