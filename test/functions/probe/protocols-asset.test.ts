/**
 * gRPC health and WebSocket checks in the deployed monitor: the bundled probe function, run as Lambda
 * runs it, against grpc-js and ws servers on loopback, with dynalite for the state table, s3rver for
 * the status page and wire-protocol stand-ins for SNS and CloudWatch. The kinds' results reach the
 * state, the notifications and the status page as every kind's do.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_CONFIG_ENV } from "../../../lib/deploy/function-config.js";
import type { StatusData } from "../../../lib/status/data.js";
import { cloudwatchStandIn, snsStandIn } from "../../support/aws-stand-ins.js";
import { createTestPki } from "../../support/certs.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";
import { functionConfig } from "../../support/function-config.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { type AssetRun, invokeAsset, synthProbeAsset } from "../../support/probe-asset.js";
import { type LocalS3, S3RVER_CREDENTIALS, startLocalS3 } from "../../support/s3.js";
import { type WebsocketTarget, websocketTarget } from "../../support/websocket-servers.js";

let assetDir: string;
let grpcPlain: GrpcTarget;
let grpcTls: GrpcTarget;
let echo: WebsocketTarget;
let refusing: WebsocketTarget;
let database: LocalDynamoDb;
let s3: LocalS3;
let sns: Awaited<ReturnType<typeof snsStandIn>>;
let cloudwatch: Awaited<ReturnType<typeof cloudwatchStandIn>>;
let table: string;

beforeAll(async () => {
  const pki = await createTestPki();
  const checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-protocols-checks-"));
  await writeFile(path.join(checksDir, "ca.pem"), pki.caPem);
  await writeFile(
    path.join(checksDir, "checks.yml"),
    `defaults:
  timeout: 2s
  retries: 0
  labels: { team: platform }
  alert: { failAfter: 1, confirmAfter: false }
checks:
  - name: grpc-serving
    grpc: { target: "\${env:WATCHPOST_GRPC_PLAIN}" }
  - name: grpc-payments
    grpc: { target: "\${env:WATCHPOST_GRPC_PLAIN}", service: payments }
  - name: grpc-tls
    grpc: { target: "\${env:WATCHPOST_GRPC_TLS}", tls: true, ca: ca.pem, metadata: { authorization: "Bearer \${env:WATCHPOST_GRPC_TOKEN}" } }
  - name: feed-echo
    websocket: { url: "\${env:WATCHPOST_WS_ECHO}/feed", send: ping, expect: { message: { contains: ping } } }
  - name: feed-refused
    websocket: { url: "\${env:WATCHPOST_WS_REFUSING}/feed" }
`,
  );
  // Each invocation sets the servers' addresses; a deployment declares the variables it reads.
  assetDir = await synthProbeAsset(
    checksDir,
    Object.fromEntries(
      [
        "WATCHPOST_GRPC_PLAIN",
        "WATCHPOST_GRPC_TLS",
        "WATCHPOST_GRPC_TOKEN",
        "WATCHPOST_WS_ECHO",
        "WATCHPOST_WS_REFUSING",
      ].map((name) => [name, "placeholder"]),
    ),
  );
  const statuses = { "": "SERVING", payments: "NOT_SERVING" } as const;
  [grpcPlain, grpcTls, echo, refusing, database, s3, sns, cloudwatch] = await Promise.all([
    grpcTarget({ statuses }),
    grpcTarget({ statuses }, pki.valid),
    websocketTarget({ echo: true }),
    websocketTarget({ refuse: 403 }),
    localDynamoDb(),
    startLocalS3(["status"]),
    snsStandIn(),
    cloudwatchStandIn(),
  ]);
  table = await database.freshTable();
}, 120_000);

afterAll(async () => {
  await Promise.all([grpcPlain, grpcTls, echo, refusing, sns, cloudwatch].map((s) => s?.close()));
  await s3?.close();
  await database?.close();
});

function invoke(): Promise<AssetRun> {
  const config = functionConfig({
    stateTable: table,
    history: { retainDays: 30 },
    statusPage: { bucket: "status", shard: "1m-0", groupBy: "team", title: "Platform status" },
  });
  return invokeAsset(assetDir, {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_ENDPOINT_URL_DYNAMODB: database.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    WATCHPOST_GRPC_PLAIN: grpcPlain.target,
    WATCHPOST_GRPC_TLS: grpcTls.target,
    WATCHPOST_GRPC_TOKEN: "asset-grpc-token",
    WATCHPOST_WS_ECHO: echo.url,
    WATCHPOST_WS_REFUSING: refusing.url,
    [FUNCTION_CONFIG_ENV]: JSON.stringify(config),
  });
}

describe("grpc and websocket checks in the deployed monitor", () => {
  it("probe loopback servers, page on the failures and show on the status page", async () => {
    const run = await invoke();
    expect(run.ok, run.error).toBe(true);
    expect(run.summary.checks).toBe(5);
    expect(run.summary.stages.every((s) => s.ok)).toBe(true);
    expect(grpcTls.lastMetadata?.authorization).toBe("Bearer asset-grpc-token");
    const data = JSON.parse(
      (await (
        await s3.client.send(new GetObjectCommand({ Bucket: "status", Key: "status.json" }))
      ).Body?.transformToString()) ?? "{}",
    ) as StatusData;
    const checks = Object.fromEntries(
      (data.groups[0]?.checks ?? []).map((c) => [c.name, [c.kind, c.status, c.reason]]),
    );
    expect(checks).toEqual({
      "grpc-serving": ["grpc", "up", "the server is SERVING"],
      "grpc-payments": ["grpc", "down", 'service "payments" is NOT_SERVING'],
      "grpc-tls": ["grpc", "up", "the server is SERVING"],
      "feed-echo": ["websocket", "up", 'upgraded, answered "ping"'],
      "feed-refused": ["websocket", "down", "status 403, expected 101"],
    });
    const subjects = sns.published.map((m) => m.subject).sort();
    expect(subjects).toEqual([
      expect.stringMatching(/^\[CRITICAL\] feed-refused is DOWN/),
      expect.stringMatching(/^\[CRITICAL\] grpc-payments is DOWN/),
    ]);
    expect(JSON.stringify(sns.published)).not.toContain("asset-grpc-token");
  }, 90_000);
});
