/**
 * The probe function: EventBridge Scheduler invokes it with `{ shard }`. A thin middy adapter around
 * lib/runtime/shard.ts; everything it needs comes from the environment the construct sets and the
 * compiled checks bundled beside it.
 */
import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { Alerter } from "../../lib/alerting/alerter.js";
import { SnsNotifier } from "../../lib/alerting/notifiers/sns.js";
import { DynamoDbStore } from "../../lib/alerting/stores/dynamodb.js";
import { defaultAwsClients } from "../../lib/aws/clients.js";
import type { CompiledChecks } from "../../lib/deploy/compile.js";
import { awsResolvers } from "../../lib/runtime/references.js";
import { runShard, type ShardDependencies, type ShardSummary } from "../../lib/runtime/shard.js";
import { CloudWatchSink } from "../../lib/sinks/cloudwatch.js";
import { RemoteWriteSink } from "../../lib/sinks/remote-write/index.js";
import type { Sink } from "../../lib/sinks/sink.js";
import { formatDuration } from "../../lib/units.js";

export interface ShardEvent {
  shard: string;
}

export const logger = new Logger({ serviceName: "watchpost" });

/** Builds the handler around dependencies made once per container (tests inject their own). */
export function createHandler(dependencies: () => Promise<ShardDependencies>) {
  let deps: Promise<ShardDependencies> | undefined;
  return middy<ShardEvent, ShardSummary, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(async (event: ShardEvent, context: Context) => {
      deps ??= dependencies().catch((error) => {
        deps = undefined;
        throw error;
      });
      const summary = await runShard(event.shard, await deps, context.getRemainingTimeInMillis());
      logger.info("shard finished", { summary });
      return summary;
    });
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; the Watchpost construct sets it`);
  return value;
}

/** The deployed monitor's dependencies, from the construct's environment variables. */
export async function productionDependencies(): Promise<ShardDependencies> {
  const [{ SNSClient }, { DynamoDBClient }, { CloudWatchClient }, { SecretsManagerClient }, { SSMClient }] =
    await Promise.all([
      import("@aws-sdk/client-sns"),
      import("@aws-sdk/client-dynamodb"),
      import("@aws-sdk/client-cloudwatch"),
      import("@aws-sdk/client-secrets-manager"),
      import("@aws-sdk/client-ssm"),
    ]);
  const location = process.env.AWS_REGION ?? "unknown";
  const secrets = new SecretsManagerClient({});
  const checks = JSON.parse(
    readFileSync(new URL("./checks.json", import.meta.url), "utf8"),
  ) as CompiledChecks;
  const cloudwatch = new CloudWatchClient({ maxAttempts: 1 });
  const remoteWrite = await remoteWriteSink(secrets);
  return {
    checks,
    location,
    aws: defaultAwsClients(),
    resolvers: awsResolvers({ secrets, ssm: new SSMClient({}) }),
    alerter: new Alerter({
      store: new DynamoDbStore({ client: new DynamoDBClient({}), tableName: env("WATCHPOST_STATE_TABLE") }),
      notifier: new SnsNotifier(new SNSClient({}), env("WATCHPOST_TOPIC_ARN")),
      location,
      groupThreshold: Number(process.env.WATCHPOST_GROUP_THRESHOLD ?? 5),
    }),
    sinks: (shard) => {
      const sinks: Sink[] = [
        new CloudWatchSink({
          client: cloudwatch,
          namespace: env("WATCHPOST_NAMESPACE"),
          highResolution: process.env.WATCHPOST_HIGH_RESOLUTION === "true",
          phases: process.env.WATCHPOST_PHASES === "true",
          checkMetrics: process.env.WATCHPOST_CHECK_METRICS !== "false",
          heartbeatInterval: formatDuration(shard.intervalMs),
        }),
      ];
      if (remoteWrite) sinks.push(remoteWrite);
      return sinks;
    },
    logResult: (result) => logger.info("check result", { result }),
  };
}

/**
 * Remote-write, when configured: the URL, and either a secret (JSON with `bearerToken`, or
 * `username` and `password`, and optional `headers`) or SigV4 for Amazon Managed Prometheus.
 */
async function remoteWriteSink(secrets: Pick<SecretsManagerClient, "send">) {
  const url = process.env.WATCHPOST_REMOTE_WRITE_URL;
  if (!url) return undefined;
  const secretArn = process.env.WATCHPOST_REMOTE_WRITE_SECRET_ARN;
  const sigv4Region = process.env.WATCHPOST_REMOTE_WRITE_SIGV4_REGION;
  if (sigv4Region) {
    const [{ defaultProvider }, { sigv4Signer }] = await Promise.all([
      import("@aws-sdk/credential-provider-node"),
      import("../../lib/sinks/remote-write/sigv4.js"),
    ]);
    return new RemoteWriteSink({
      url,
      sign: sigv4Signer({ region: sigv4Region, credentials: defaultProvider() }),
      log: (line) => logger.warn(line),
    });
  }
  if (!secretArn) return new RemoteWriteSink({ url, log: (line) => logger.warn(line) });
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const value = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = JSON.parse(value.SecretString ?? "{}") as {
    bearerToken?: string;
    username?: string;
    password?: string;
    headers?: Record<string, string>;
  };
  return new RemoteWriteSink({
    url,
    ...(parsed.headers ? { headers: parsed.headers } : {}),
    ...(parsed.bearerToken ? { bearerToken: parsed.bearerToken } : {}),
    ...(parsed.username && parsed.password
      ? { basicAuth: { username: parsed.username, password: parsed.password } }
      : {}),
    log: (line) => logger.warn(line),
  });
}

export const handler = createHandler(productionDependencies);
