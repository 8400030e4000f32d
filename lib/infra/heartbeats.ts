/**
 * The heartbeat ping endpoint of a deployment: an HTTP API (its default stage throttled) in front of
 * the ping function, which records pings in the state table. Tokens derive from one generated key in
 * Secrets Manager, so none is in the template and there is no per-check resource.
 *
 * An HTTP API rather than a Lambda function URL: its stage throttles floods before they reach (and
 * bill) the function without reserving concurrency, which an account with the default limit of 10
 * cannot spare; at $1 per million requests, a daily job's pings cost nothing worth counting.
 */
import path from "node:path";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { CheckSpec } from "../checks/load.js";
import { references } from "../deploy/compile.js";
import { PING_CONFIG_ENV, type PingConfig } from "../deploy/ping-config.js";
import { HEARTBEAT_KEY_PREFIX } from "../heartbeat/store-dynamodb.js";
import { functionBundling } from "./bundling.js";
import { functionCode } from "./package-root.js";
import { grantReferences } from "./references.js";

export interface HeartbeatsProps {
  /** The heartbeat checks whose pings the endpoint records. */
  checks: CheckSpec[];
  table: dynamodb.ITable;
  /** The team's variables, which token references read as `${env:NAME}`. Default none. */
  environment?: Record<string, string>;
  logRetention?: logs.RetentionDays;
  /** Requests per second the stage lets through, and the burst. Default 10 and 20. */
  throttle?: { rateLimit?: number; burstLimit?: number };
}

export class WatchpostHeartbeats extends Construct {
  readonly api: apigw.HttpApi;
  readonly function: lambda.Function;
  readonly key: secretsmanager.Secret;
  /** The base URL; a check's pings go to `${url}ping/NAME`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HeartbeatsProps) {
    super(scope, id);
    this.key = new secretsmanager.Secret(this, "Key", {
      description: "Watchpost: the key heartbeat ping tokens derive from (watchpost token NAME --key-file -)",
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const config: PingConfig = {
      stateTable: props.table.tableName,
      keySecretArn: this.key.secretArn,
      checks: props.checks.map((check) => {
        const token = (check.config as { token?: string }).token;
        return { name: check.name, ...(token !== undefined ? { token } : {}) };
      }),
    };
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Watchpost ping function",
    });
    logGroup.grantWrite(role);
    const common = {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        ...props.environment,
        [PING_CONFIG_ENV]: Stack.of(this).toJsonString(config),
        NODE_OPTIONS: "--enable-source-maps",
      },
      description: `Watchpost heartbeat pings: ${props.checks.length} checks`,
      logGroup,
    };
    const code = functionCode("ping");
    this.function =
      code.from === "prebuilt"
        ? new lambda.Function(this, "Function", {
            ...common,
            handler: "index.handler",
            code: lambda.Code.fromAsset(code.dir),
          })
        : new NodejsFunction(this, "Function", {
            ...common,
            entry: code.entry,
            handler: "handler",
            projectRoot: code.root,
            depsLockFilePath: path.join(code.root, "package-lock.json"),
            bundling: functionBundling(),
          });
    // The heartbeat items only: the ping function never reads or writes alert state.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
        resources: [props.table.tableArn],
        conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${HEARTBEAT_KEY_PREFIX}*`] } },
      }),
    );
    this.key.grantRead(role);
    // Checks that name their own token (`token: ${secret:…}`): exactly those.
    const tokens = props.checks.flatMap((check) => {
      const token = (check.config as { token?: string }).token;
      return token === undefined ? [] : [token];
    });
    grantReferences(role, references([], tokens));
    this.api = new apigw.HttpApi(this, "Api", {
      description: "Watchpost heartbeat pings: POST /ping/NAME",
      createDefaultStage: false,
    });
    this.api.addStage("Stage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.throttle?.rateLimit ?? 10, burstLimit: props.throttle?.burstLimit ?? 20 },
    });
    const integration = new HttpLambdaIntegration("Ping", this.function);
    for (const routePath of ["/ping/{name}", "/ping/{name}/{action}"])
      this.api.addRoutes({
        path: routePath,
        methods: [apigw.HttpMethod.POST, apigw.HttpMethod.GET, apigw.HttpMethod.HEAD],
        integration,
      });
    this.url = this.api.apiEndpoint;
  }
}
