/**
 * History, SLO alerts and the status page in the deployed monitor: the bundled probe function, run
 * as Lambda runs it, against dynalite (the state table), s3rver (the status page's bucket) and
 * wire-protocol stand-ins for SNS and CloudWatch.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_CONFIG_ENV } from "../../../lib/deploy/function-config.js";
import { DynamoDbHeartbeats } from "../../../lib/heartbeat/store-dynamodb.js";
import { dayOf } from "../../../lib/history/model.js";
import { DynamoDbHistory } from "../../../lib/history/store-dynamodb.js";
import type { StatusData } from "../../../lib/status/data.js";
import { cloudwatchStandIn, snsStandIn } from "../../support/aws-stand-ins.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";
import { functionConfig } from "../../support/function-config.js";
import { type AssetRun, invokeAsset, synthProbeAsset } from "../../support/probe-asset.js";
import { type LocalS3, S3RVER_CREDENTIALS, startLocalS3 } from "../../support/s3.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

let assetDir: string;
let web: Target;
let database: LocalDynamoDb;
let s3: LocalS3;
let sns: Awaited<ReturnType<typeof snsStandIn>>;
let cloudwatch: Awaited<ReturnType<typeof cloudwatchStandIn>>;
let table: string;

beforeAll(async () => {
  const checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-history-checks-"));
  await writeFile(
    path.join(checksDir, "checks.yml"),
    `defaults:
  timeout: 2s
  retries: 0
  labels: { team: shop }
  alert: { failAfter: 1, confirmAfter: false }
checks:
  - name: api-ok
    http: { url: "\${env:WATCHPOST_TEST_TARGET}/ok" }
  - name: api-fail
    http: { url: "\${env:WATCHPOST_TEST_TARGET}/fail" }
    slo: { availability: 99%, window: 7d }
  - name: nightly-export
    labels: { team: data }
    heartbeat: { every: 1d }
slos:
  - name: shop
    labels: { team: shop }
    availability: 99.9%
    window: 7d
`,
  );
  // Each invocation sets the target's address (the construct's value is a placeholder).
  assetDir = await synthProbeAsset(checksDir, { WATCHPOST_TEST_TARGET: "http://127.0.0.1:9" });
  [web, database, s3, sns, cloudwatch] = await Promise.all([
    httpTarget(routes),
    localDynamoDb(),
    startLocalS3(["status"]),
    snsStandIn(),
    cloudwatchStandIn(),
  ]);
  table = await database.freshTable();
}, 120_000);

afterAll(async () => {
  await Promise.all([web, sns, cloudwatch].map((s) => s?.close()));
  await s3?.close();
  await database?.close();
});

function invoke(): Promise<AssetRun> {
  const config = functionConfig({
    stateTable: table,
    history: { retainDays: 400 },
    statusPage: { bucket: "status", shard: "1m-0", groupBy: "team", title: "Shop status" },
  });
  return invokeAsset(assetDir, {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_ENDPOINT_URL_DYNAMODB: database.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    WATCHPOST_TEST_TARGET: web.url,
    [FUNCTION_CONFIG_ENV]: JSON.stringify(config),
  });
}

describe("history in the deployed monitor", () => {
  it("keeps each run and incident in the state table, pages on a burning SLO, and writes the status page", async () => {
    // The export job reported a failure through the ping endpoint (its store, as the ping function writes).
    await new DynamoDbHeartbeats({ client: database.client, tableName: table }).record("nightly-export", {
      kind: "fail",
      at: Date.now(),
      exitCode: 3,
      body: "pg_dump: error: connection refused\n",
    });
    const first = await invoke();
    const second = await invoke();
    for (const run of [first, second]) {
      expect(run.ok).toBe(true);
      expect(run.summary.stages.map((s) => [s.stage, s.ok])).toEqual([
        ["probes", true],
        ["sinks", true],
        ["alerting", true],
        ["history", true],
        ["status page", true],
      ]);
    }
    const history = await new DynamoDbHistory({
      client: database.client,
      tableName: table,
      shards: ["1m-0"],
    }).read({
      fromDay: dayOf(Date.now() - 86_400_000),
      toDay: dayOf(Date.now()),
    });
    const today = history.days[dayOf(Date.now())];
    expect(today?.["api-ok"]).toMatchObject({ runs: 2, up: 2, down: 0 });
    expect(today?.["api-fail"]).toMatchObject({ runs: 2, up: 0, down: 2, downMs: 120_000 });
    expect(today?.["nightly-export"]).toMatchObject({ runs: 2, down: 2 });
    expect(history.latest?.["nightly-export"]?.reason).toBe(
      "job reported failure (exit 3): pg_dump: error: connection refused",
    );
    expect(history.incidents.map((i) => i.check).sort()).toEqual(["api-fail", "nightly-export"]);
    // Every run of api-fail failed: the 99 % budget burns 100×, a page, once.
    const pages = sns.published.filter((m) => m.subject.includes("api-fail/slo"));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.subject).toMatch(/^\[CRITICAL\] api-fail\/slo is DOWN/);
    // The group objective over both checks: half their runs failed, a page of its own.
    expect(sns.published.filter((m) => m.subject.startsWith("[CRITICAL] shop/slo is DOWN"))).toHaveLength(1);
    const page = await s3.client.send(new GetObjectCommand({ Bucket: "status", Key: "index.html" }));
    expect(page.ContentType).toBe("text/html; charset=utf-8");
    const html = await page.Body?.transformToString();
    expect(html).toContain("<title>Shop status</title>");
    const data = JSON.parse(
      (await (
        await s3.client.send(new GetObjectCommand({ Bucket: "status", Key: "status.json" }))
      ).Body?.transformToString()) ?? "{}",
    ) as StatusData;
    expect(data.groups.map((g) => [g.name, g.checks.map((c) => [c.name, c.status, c.uptime])])).toEqual([
      ["data", [["nightly-export", "down", 0]]],
      [
        "shop",
        [
          ["api-fail", "down", 0],
          ["api-ok", "up", 1],
        ],
      ],
    ]);
    expect(data.incidents.open.map((i) => i.check).sort()).toEqual(["api-fail", "nightly-export"]);
  }, 90_000);
});
