/**
 * A probe function: its code (the bundle, with the compiled checks of its shards beside it), its own
 * role and log group, its timeout from its slowest shard, and its configuration in one variable.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { type CompiledChecks, functionTimeoutMs } from "../deploy/compile.js";
import { FUNCTION_CONFIG_ENV, type FunctionConfig } from "../deploy/function-config.js";
import { functionBundling } from "./bundling.js";
import { functionCode } from "./package-root.js";
import { DEFAULT_MEMORY_MB } from "./props.js";
import type { ProbePlan } from "./shard-plan.js";

export interface ProbeFunctionInput {
  plan: ProbePlan;
  compiled: CompiledChecks;
  config: FunctionConfig;
  /** Where a failed run goes (the schedules' dead-letter queue). */
  deadLetterQueue: sqs.IQueue;
  /** The team's variables, which checks read as `${env:NAME}`. */
  environment: Record<string, string>;
  memorySize: number | undefined;
  logRetention: logs.RetentionDays | undefined;
}

export function probeFunction(scope: Construct, input: ProbeFunctionInput): lambda.Function {
  const { id, checks, shards, network } = input.plan;
  const code = functionCode("probe");
  const compiled = path.join(mkdtempSync(path.join(tmpdir(), "watchpost-")), "checks.json");
  writeFileSync(compiled, JSON.stringify(input.compiled));
  // Long enough for the slowest shard's waves of checks, each timing out on every attempt, plus
  // the reserves for sinks and alerting; cutShards keeps that inside each shard's interval.
  const timeout = Duration.seconds(Math.ceil(functionTimeoutMs(shards) / 1000));
  const environment: Record<string, string> = {
    ...input.environment,
    [FUNCTION_CONFIG_ENV]: Stack.of(scope).toJsonString(input.config),
    NODE_OPTIONS: "--enable-source-maps",
    ...(network?.proxy ? proxyEnvironment(network.proxy) : {}),
  };
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: input.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // A role of its own instead of AWSLambdaBasicExecutionRole: it may write its own log group only.
  const role = new iam.Role(scope, `${id}Role`, {
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
    memorySize: input.memorySize ?? DEFAULT_MEMORY_MB,
    timeout,
    environment,
    description: `Watchpost probes: ${checks.length} checks in ${shards.length} shards`,
    logGroup,
    retryAttempts: 0,
    onFailure: new SqsDestination(input.deadLetterQueue),
    ...(network
      ? {
          vpc: network.vpc,
          vpcSubnets: network.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          ...(network.securityGroups ? { securityGroups: network.securityGroups } : {}),
        }
      : {}),
  };
  // A checkout bundles from source; a package carries the bundle, built with the same options
  // (lib/deploy/bundle.ts): the team's app then needs neither esbuild nor Docker.
  return code.from === "prebuilt"
    ? new lambda.Function(scope, id, {
        ...common,
        handler: "index.handler",
        code: lambda.Code.fromAsset(withChecks(code.dir, compiled)),
      })
    : new NodejsFunction(scope, id, {
        ...common,
        entry: code.entry,
        handler: "handler",
        projectRoot: code.root,
        depsLockFilePath: path.join(code.root, "package-lock.json"),
        bundling: functionBundling({
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [`cp "${compiled}" "${output}/checks.json"`],
        }),
      });
}

/** The prebuilt bundle and the compiled checks, side by side in a fresh folder: the function's asset. */
function withChecks(prebuilt: string, compiled: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "watchpost-asset-"));
  for (const file of readdirSync(prebuilt)) copyFileSync(path.join(prebuilt, file), path.join(dir, file));
  copyFileSync(compiled, path.join(dir, "checks.json"));
  return dir;
}

/** The variables every outbound call of the function reads its proxy from (lib/http/proxy.ts). */
function proxyEnvironment(proxy: { url: string; noProxy?: readonly string[] }): Record<string, string> {
  const url = new URL(proxy.url);
  if (url.protocol !== "http:")
    throw new Error(`privateNetwork.proxy.url: expected an http:// proxy URL, found ${url.protocol}//`);
  if (url.username || url.password)
    throw new Error(
      "privateNetwork.proxy.url: expected no credentials (they would be readable in the function's configuration); allow the function's security group at the proxy, or give checks their own proxy with a ${secret:…} password",
    );
  return {
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
    // The Lambda runtime's own API, and the instance metadata the SDK may read, are never proxied.
    NO_PROXY: ["localhost", "127.0.0.1", "169.254.169.254", "169.254.170.2", ...(proxy.noProxy ?? [])].join(
      ",",
    ),
  };
}
