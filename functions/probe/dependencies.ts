/**
 * The deployed monitor's parts, from the one configuration object the construct writes. Every part
 * that reads something remote (the remote-write secret) is built lazily inside the run's isolation:
 * failing to build it fails that sink alone, on that run alone.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { Alerter } from "../../lib/alerting/alerter.js";
import { channelNotifier, RoutedNotifier } from "../../lib/alerting/notifiers/channel.js";
import { SnsNotifier } from "../../lib/alerting/notifiers/sns.js";
import { DynamoDbStore } from "../../lib/alerting/stores/dynamodb.js";
import { defaultAwsClients } from "../../lib/aws/clients.js";
import { lazyClient } from "../../lib/aws/lazy-client.js";
import { sdkProxy } from "../../lib/aws/proxy-agents.js";
import type { CheckSpec } from "../../lib/checks/load.js";
import { resolveReferences } from "../../lib/checks/references.js";
import type { CompiledChecks } from "../../lib/deploy/compile.js";
import type { FunctionConfig } from "../../lib/deploy/function-config.js";
import { DynamoDbHeartbeats } from "../../lib/heartbeat/store-dynamodb.js";
import { DynamoDbHistory } from "../../lib/history/store-dynamodb.js";
import { redactUrl } from "../../lib/redact.js";
import { lazySink, type SinkSource } from "../../lib/runtime/pipeline.js";
import { awsResolvers } from "../../lib/runtime/references.js";
import { DynamoDbRunRecords } from "../../lib/runtime/run-records-dynamodb.js";
import type { ShardDependencies } from "../../lib/runtime/shard.js";
import { CloudWatchSink } from "../../lib/sinks/cloudwatch.js";
import { parseCredentialsSecret, remoteWriteSink } from "../../lib/sinks/remote-write/credentials.js";
import { publishStatusPage } from "../../lib/status/publish.js";
import { formatDuration } from "../../lib/units.js";

/** The longest one secret read may take; the check or sink waiting for it has its own budget too. */
const SECRET_TIMEOUT_MS = 5_000;

export function productionDependencies(config: FunctionConfig, logger: Logger): ShardDependencies {
  const location = process.env.AWS_REGION ?? "unknown";
  const checks = JSON.parse(
    readFileSync(new URL("./checks.json", import.meta.url), "utf8"),
  ) as CompiledChecks;
  // SNS and CloudWatch make one attempt per call: the alerting outbox and the sink's own bounded
  // retries decide what is tried again, not the SDK behind their backs. Reads (state, secrets,
  // parameters) may try twice, inside the run's abort signal and their own per-call bounds.
  // Each SDK client is made (and its module loaded) by the first call that needs it.
  const secrets = lazyClient<SecretsManagerClient>(
    async () =>
      new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient({
        maxAttempts: 2,
        ...sdkProxy(),
      }),
  );
  const cloudwatch = lazyClient<CloudWatchClient>(
    async () =>
      new (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient({ maxAttempts: 1, ...sdkProxy() }),
  );
  const otlp = config.otlp;
  const otlpSource = otlp
    ? lazySink(`otlp ${redactUrl(otlp.endpoint)}`, async () => {
        // References in the endpoint and headers are read when the sink is first used, never logged.
        const [endpoint, ...values] = await Promise.all(
          [otlp.endpoint, ...Object.values(otlp.headers ?? {})].map((text) =>
            resolveReferences(text, resolvers),
          ),
        );
        const names = Object.keys(otlp.headers ?? {});
        const { OtlpSink } = await import("../../lib/sinks/otlp/index.js");
        return new OtlpSink({
          endpoint: endpoint as string,
          headers: Object.fromEntries(names.map((name, i) => [name, values[i] as string])),
          ...(otlp.serviceName ? { resource: { serviceName: otlp.serviceName } } : {}),
        });
      })
    : undefined;
  const remoteWrite = config.remoteWrite;
  const remoteWriteSource = remoteWrite
    ? lazySink(`remote-write ${redactUrl(remoteWrite.url)}`, async () => {
        const log = (line: string) => logger.warn(line);
        const labels = {
          ...(remoteWrite.job ? { job: remoteWrite.job } : {}),
          ...(remoteWrite.instance ? { instance: remoteWrite.instance } : {}),
        };
        if (!remoteWrite.secretArn)
          return remoteWriteSink(
            remoteWrite.url,
            { ...(remoteWrite.sigv4Region ? { sigv4Region: remoteWrite.sigv4Region } : {}) },
            log,
            labels,
          );
        const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
        const secret = await secrets.send(new GetSecretValueCommand({ SecretId: remoteWrite.secretArn }), {
          abortSignal: AbortSignal.timeout(SECRET_TIMEOUT_MS),
        });
        return remoteWriteSink(
          remoteWrite.url,
          parseCredentialsSecret(secret.SecretString, `remote-write secret ${remoteWrite.secretArn}`),
          log,
          labels,
        );
      })
    : undefined;
  const cloudwatchSources = new Map<number, SinkSource>();
  const ssm = lazyClient<SSMClient>(
    async () => new (await import("@aws-sdk/client-ssm")).SSMClient({ maxAttempts: 2, ...sdkProxy() }),
  );
  const resolvers = awsResolvers({ secrets, ssm });
  const sns = new SnsNotifier(
    lazyClient<SNSClient>(
      async () => new (await import("@aws-sdk/client-sns")).SNSClient({ maxAttempts: 1, ...sdkProxy() }),
    ),
    config.topicArn,
  );
  // The topic (e-mail and other subscriptions) takes everything; each channel what its route matches.
  const notifier = config.channels?.length
    ? new RoutedNotifier([
        { notifier: sns },
        ...config.channels.map((spec) => ({
          notifier: channelNotifier(spec, resolvers, location),
          ...(spec.route ? { route: spec.route } : {}),
        })),
      ])
    : sns;
  // With several locations the state table is the home region's.
  const stateRegion = config.locations?.stateRegion;
  const dynamodb = lazyClient<DynamoDBClient>(
    async () =>
      new (await import("@aws-sdk/client-dynamodb")).DynamoDBClient({
        maxAttempts: 2,
        ...(stateRegion ? { region: stateRegion } : {}),
        ...sdkProxy(),
      }),
  );
  const history = config.history
    ? new DynamoDbHistory({
        client: dynamodb,
        tableName: config.stateTable,
        shards: Object.keys(checks.pageShards ?? checks.shards),
        retainDays: config.history.retainDays,
      })
    : undefined;
  /** A CloudWatch sink; with a heartbeat interval for a shard's runs, without for a refresh. */
  const cloudwatchSource = (heartbeatInterval?: string) =>
    lazySink(
      `cloudwatch ${config.namespace}`,
      () =>
        new CloudWatchSink({
          client: cloudwatch,
          namespace: config.namespace,
          highResolution: config.highResolution,
          phases: config.phases,
          checkMetrics: config.checkMetrics,
          ...(heartbeatInterval ? { heartbeatInterval } : {}),
        }),
    );
  return {
    checks,
    location,
    namespace: config.namespace,
    records: new DynamoDbRunRecords({ client: dynamodb, tableName: config.stateTable }),
    heartbeats: new DynamoDbHeartbeats({ client: dynamodb, tableName: config.stateTable }),
    ...(history ? { history } : {}),
    ...(history && config.statusPage
      ? {
          statusPage: statusPageOf(
            config.statusPage,
            Object.values(checks.pageShards ?? checks.shards).flat() as CheckSpec[],
            history,
          ),
        }
      : {}),
    ...(config.locations ? { locations: { all: config.locations.all, home: config.locations.home } } : {}),
    // CloudWatch is refreshed only when it has per-check metrics to refresh.
    refreshSinks: [
      ...(config.checkMetrics ? [cloudwatchSource()] : []),
      ...(remoteWriteSource ? [remoteWriteSource] : []),
    ],
    aws: defaultAwsClients(),
    resolvers,
    alerter: new Alerter({
      store: new DynamoDbStore({
        client: dynamodb,
        tableName: config.stateTable,
      }),
      notifier,
      location,
      groupThreshold: config.groupThreshold,
      maxDeliveryAttempts: config.maxDeliveryAttempts,
      onDeadLetter: (letter) =>
        logger.error("notification given up on", {
          dedupKey: letter.transition.dedupKey,
          check: letter.transition.check,
          type: letter.transition.type,
          failedAttempts: letter.failedAttempts,
          error: letter.error,
        }),
    }),
    sinks: (shard) => {
      let cw = cloudwatchSources.get(shard.intervalMs);
      if (!cw) {
        cw = cloudwatchSource(formatDuration(shard.intervalMs));
        cloudwatchSources.set(shard.intervalMs, cw);
      }
      return [cw, ...(remoteWriteSource ? [remoteWriteSource] : []), ...(otlpSource ? [otlpSource] : [])];
    },
    // One line per result that is not up (the summary line counts the rest); every result at debug
    // level (POWERTOOLS_LOG_LEVEL=DEBUG). Log ingestion was most of the bill after state writes.
    logResult: (result, { confirmation }) =>
      (result.status === "up" ? logger.debug : logger.info).call(
        logger,
        confirmation ? "confirmation result" : "check result",
        { result },
      ),
  };
}

/** The status page, written to its bucket (private; CloudFront in front only when asked for). */
function statusPageOf(
  page: NonNullable<FunctionConfig["statusPage"]>,
  checks: CheckSpec[],
  history: DynamoDbHistory,
): NonNullable<ShardDependencies["statusPage"]> {
  const s3 = lazyClient<S3Client>(
    async () => new (await import("@aws-sdk/client-s3")).S3Client({ maxAttempts: 2, ...sdkProxy() }),
  );
  return {
    shard: page.shard,
    publish: (signal) =>
      publishStatusPage(
        {
          checks,
          history,
          groupBy: page.groupBy,
          title: page.title,
          now: Date.now(),
          write: async (name, body, contentType, writeSignal) => {
            const { PutObjectCommand } = await import("@aws-sdk/client-s3");
            await s3.send(
              new PutObjectCommand({
                Bucket: page.bucket,
                Key: name,
                Body: body,
                ContentType: contentType,
                CacheControl: "max-age=60",
              }),
              { abortSignal: writeSignal },
            );
          },
        },
        signal,
      ),
  };
}
