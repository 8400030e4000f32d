/**
 * The ping function: an HTTP API (payload format 2.0) in front of lib/heartbeat/endpoint.ts. It
 * records heartbeat pings in the state table; tokens are derived from the heartbeat key in Secrets
 * Manager (read once per container, again after five minutes) or read by the check's reference.
 * One log line per request: the check, the answer's status, never a header or the token.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SSMClient } from "@aws-sdk/client-ssm";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { lazyClient } from "../../lib/aws/lazy-client.js";
import { sdkProxy } from "../../lib/aws/proxy-agents.js";
import { parsePingConfig } from "../../lib/deploy/ping-config.js";
import { PingEndpoint, type PingRequest } from "../../lib/heartbeat/endpoint.js";
import type { HeartbeatStore } from "../../lib/heartbeat/store.js";
import { DynamoDbHeartbeats } from "../../lib/heartbeat/store-dynamodb.js";
import { checkTokens } from "../../lib/heartbeat/token.js";
import { awsResolvers } from "../../lib/runtime/references.js";

export const logger = new Logger({ serviceName: "watchpost-ping" });

const KEY_CACHE_MS = 5 * 60_000;

export interface PingDependencies {
  store: HeartbeatStore;
  /** The heartbeat key. */
  key: () => Promise<string>;
  resolvers: Parameters<typeof checkTokens>[2];
  checks: { name: string; token?: string }[];
}

/** The request as the endpoint reads it. */
export function pingRequestOf(event: APIGatewayProxyEventV2): PingRequest {
  const body =
    event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
  const authorization = event.headers?.authorization ?? event.headers?.Authorization;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ""),
    ...(authorization ? { authorization } : {}),
    // The address API Gateway saw the request come from (not a header the caller could set).
    ...(event.requestContext.http.sourceIp ? { source: event.requestContext.http.sourceIp } : {}),
    bodyBytes: body?.length ?? 0,
    ...(body && body.length > 0 ? { body: body.toString("utf8") } : {}),
  };
}

export function createPingHandler(dependencies: () => PingDependencies) {
  let endpoint: PingEndpoint | undefined;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    if (!endpoint) {
      const deps = dependencies();
      endpoint = new PingEndpoint({
        tokens: checkTokens(
          deps.checks.map((c) => ({
            name: c.name,
            kind: "heartbeat",
            config: c.token ? { token: c.token } : {},
          })),
          deps.key,
          deps.resolvers,
        ),
        store: deps.store,
        onError: (what, error) =>
          logger.error(`ping not recorded: ${what}`, { error: (error as Error)?.message ?? String(error) }),
      });
    }
    const request = pingRequestOf(event);
    const answer = await endpoint.handle(request, AbortSignal.timeout(8_000));
    logger.info("ping", {
      path: request.path.slice(0, 200),
      method: request.method,
      status: answer.status,
      answer: answer.body.trim(),
    });
    return {
      statusCode: answer.status,
      headers: { "content-type": "text/plain; charset=utf-8", ...answer.headers },
      body: request.method.toUpperCase() === "HEAD" ? "" : answer.body,
    };
  });
}

export function productionPingDependencies(env: Record<string, string | undefined>): PingDependencies {
  const config = parsePingConfig(env);
  const dynamodb = lazyClient<DynamoDBClient>(
    async () =>
      new (await import("@aws-sdk/client-dynamodb")).DynamoDBClient({ maxAttempts: 2, ...sdkProxy() }),
  );
  const secrets = lazyClient<SecretsManagerClient>(
    async () =>
      new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient({
        maxAttempts: 2,
        ...sdkProxy(),
      }),
  );
  const ssm = lazyClient<SSMClient>(
    async () => new (await import("@aws-sdk/client-ssm")).SSMClient({ maxAttempts: 2, ...sdkProxy() }),
  );
  let key: { value: Promise<string>; until: number } | undefined;
  return {
    store: new DynamoDbHeartbeats({ client: dynamodb, tableName: config.stateTable }),
    checks: config.checks,
    resolvers: awsResolvers({ secrets, ssm }),
    key: () => {
      if (!key || key.until < Date.now()) {
        const value = (async () => {
          const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
          const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.keySecretArn }), {
            abortSignal: AbortSignal.timeout(5_000),
          });
          if (!secret.SecretString) throw new Error(`the heartbeat key ${config.keySecretArn} has no string`);
          return secret.SecretString.trim();
        })();
        // A failed read is not kept: the next ping reads again.
        value.catch(() => {
          key = undefined;
        });
        key = { value, until: Date.now() + KEY_CACHE_MS };
      }
      return key.value;
    },
  };
}

export const handler = createPingHandler(() => productionPingDependencies(process.env));
