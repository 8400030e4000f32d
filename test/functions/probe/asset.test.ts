/**
 * The bundled probe function, as `cdk synth` builds it, run as Lambda runs it (a fresh Node process
 * per invocation, the suite's Node: 20, and 24 in CI's second pass) against dynalite for DynamoDB and
 * wire-protocol stand-ins for SNS, CloudWatch and Secrets Manager that hang, fail or deny. The AWS SDK
 * comes from outside the asset, as the runtime provides it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionConfig } from "../../../lib/deploy/function-config.js";
import { FUNCTION_CONFIG_ENV } from "../../../lib/deploy/function-config.js";
import type { RunRecord } from "../../../lib/runtime/freshness.js";
import { DynamoDbRunRecords } from "../../../lib/runtime/run-records-dynamodb.js";
import {
  barrierProxy,
  cloudwatchStandIn,
  hangingStandIn,
  type StandIn,
  secretsManagerStandIn,
  snsStandIn,
} from "../../support/aws-stand-ins.js";
import { createTestPki } from "../../support/certs.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";
import { functionConfig } from "../../support/function-config.js";
import { type AssetRun, invokeAsset, synthProbeAsset } from "../../support/probe-asset.js";
import { startProxy } from "../../support/proxy.js";
import { decodeWriteRequest } from "../../support/remote-write.js";
import { httpsTarget, httpTarget, routes, type Target, tcpTarget } from "../../support/servers.js";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:remote-write-AbCdEf";
const OTLP_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-key-AbCdEf";
let assetDir: string;
let web: Target;
let database: LocalDynamoDb;
let databaseUrl: string;
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  const checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-asset-checks-"));
  await writeFile(
    path.join(checksDir, "checks.yml"),
    `defaults:
  timeout: 2s
  retries: 0
  alert: { failAfter: 1 }
checks:
  - name: api-ok
    http: { url: "\${env:WATCHPOST_TEST_TARGET}/ok" }
  - name: api-fail
    http: { url: "\${env:WATCHPOST_TEST_TARGET}/fail" }
  - name: api-hourly
    interval: 1h
    http: { url: "\${env:WATCHPOST_TEST_TARGET}/ok" }
  - name: orders-flow
    interval: 2m
    steps:
      - name: login
        http:
          url: "\${env:WATCHPOST_TEST_API}/login"
          method: POST
          body: '{"password":"\${env:WATCHPOST_TEST_PASSWORD}"}'
        extract: { token: { json: $.token } }
      - name: read
        http:
          url: "\${env:WATCHPOST_TEST_API}/orders/1"
          headers: { authorization: "Bearer \${var:token}" }
          expect: { json: [{ path: $.state, equals: open }] }
      - name: cleanup
        always: true
        http:
          url: "\${env:WATCHPOST_TEST_API}/orders/1"
          method: DELETE
          headers: { authorization: "Bearer \${var:token}" }
`,
  );
  // Each invocation sets the target's address (the construct's value is a placeholder).
  assetDir = await synthProbeAsset(checksDir, {
    WATCHPOST_TEST_TARGET: "http://127.0.0.1:9",
    WATCHPOST_TEST_API: "http://127.0.0.1:9",
    WATCHPOST_TEST_PASSWORD: "placeholder",
  });

  web = await httpTarget(routes);
  database = await localDynamoDb();
  databaseUrl = database.url;
}, 120_000);

afterAll(async () => {
  await Promise.all([...closing, web].map((server) => server?.close()));
  await database?.close();
});

interface World {
  sns: Awaited<ReturnType<typeof snsStandIn>>;
  cloudwatch: Awaited<ReturnType<typeof cloudwatchStandIn>>;
  secrets: StandIn;
  config: FunctionConfig;
  env: Record<string, string>;
}

async function world(
  remoteWrite?: FunctionConfig["remoteWrite"],
  more: Partial<FunctionConfig> = {},
): Promise<World> {
  const [sns, cloudwatch, secrets] = await Promise.all([
    snsStandIn(),
    cloudwatchStandIn(),
    secretsManagerStandIn({
      [SECRET_ARN]: JSON.stringify({ bearerToken: "s3cr3t-t0ken" }),
      [OTLP_SECRET_ARN]: "otlp-k3y-from-secrets",
    }),
  ]);
  closing.push(sns, cloudwatch, secrets);
  const config = functionConfig({
    stateTable: await database.freshTable(),
    ...(remoteWrite ? { remoteWrite } : {}),
    ...more,
  });
  return {
    sns,
    cloudwatch,
    secrets,
    config,
    env: {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_DYNAMODB: databaseUrl,
      WATCHPOST_TEST_TARGET: web.url,
    },
  };
}

/** One invocation of the asset in a fresh process, as Lambda would make it. */
function invoke(
  w: World,
  remainingMs: number,
  env: Record<string, string> = {},
  event = "1m-0",
): Promise<AssetRun> {
  return invokeAsset(
    assetDir,
    { POWERTOOLS_LOG_LEVEL: "INFO", ...w.env, [FUNCTION_CONFIG_ENV]: JSON.stringify(w.config), ...env },
    event,
    remainingMs,
  );
}

const firings = (sns: World["sns"]) =>
  sns.published.filter((m) => m.subject.startsWith("[CRITICAL] api-fail is DOWN"));

describe("the bundled probe function", () => {
  it("carries no validation library: checks are validated at synth, the schemas stay out", () => {
    const bundle = readFileSync(path.join(assetDir, "index.mjs"), "utf8");
    expect(bundle).not.toContain("ZodError");
    expect(bundle).toContain("probe_ssl_last_chain_info");
  });

  it("takes the AWS SDK from the runtime, loaded when first used, and no HTTP library", () => {
    const bundle = readFileSync(path.join(assetDir, "index.mjs"), "utf8");
    // The SDK's clients are imported by name at run time, never inlined; its request signer is not in.
    expect(bundle).toMatch(/import\(\s*"@aws-sdk\/client-dynamodb"\s*\)/);
    expect(bundle).not.toMatch(/from\s*"@aws-sdk\//);
    expect(bundle).not.toContain("AWS SDK for JavaScript");
    // Outbound requests go through Node's own http and https (lib/http/client.ts).
    expect(bundle).not.toContain("undici");
  });
});

describe("the bundled probe function under faults", () => {
  it("delivers the FIRING before the hanging sinks are given up while CloudWatch and remote-write hang", async () => {
    const silent = await tcpTarget(() => {});
    closing.push(silent);
    const w = await world({ url: `${silent.url.replace("tcp:", "http:")}/api/v1/write` });
    w.cloudwatch.always("PutMetricData", "hang");
    const budget = 12_000;
    const run = await invoke(w, budget);
    expect(run.error).toBeUndefined();
    expect(run.elapsedMs).toBeLessThan(budget);
    const [firing] = firings(w.sns);
    expect(firing?.attributes).toMatchObject({
      severity: "critical",
      check: "api-fail",
      dedupKey: expect.any(String),
    });
    expect(run.summary.alerts).toMatchObject({ delivered: 1, failed: 0 });
    const sinks = Object.fromEntries(run.summary.sinks.map((s) => [s.sink.split(" ")[0], s]));
    // Alerting does not wait for the sinks: the page left before the hanging CloudWatch call was
    // given up, which was no earlier than the failed check's end (its logged result) plus the time
    // the sink waited. An order, not a wall time: it holds however slow a loaded machine makes both.
    // (The sink's time is summed over its batches; with one batch, as here with no confirmation
    // round, it is the one call's wait.)
    const logged = run.logs
      .filter((l) => l.message === "check result")
      .map((l) => l.result as { startedAt: string; durationMs: number });
    expect(logged.length).toBeGreaterThan(0);
    const probesEnd = Math.max(...logged.map((r) => Date.parse(r.startedAt) + r.durationMs));
    expect(firing?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(
      probesEnd + (sinks.cloudwatch?.durationMs ?? 0),
    );
    expect(sinks.cloudwatch).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no answer from PutMetricData/),
    });
    expect(sinks["remote-write"]).toMatchObject({ ok: false });
    const finished = run.logs.find((l) => l.message === "shard finished");
    expect(finished).toMatchObject({ FailedStages: 1, SkippedChecks: 0, DeadLetters: 0 });
    expect(finished?._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: "Watchpost" }] });
  }, 60_000);

  it("exports OTLP metrics with a header read from Secrets Manager, the region as cloud.region", async () => {
    const bodies: { key: string | undefined; body: Buffer }[] = [];
    const collector = await httpTarget((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push({ key: req.headers["x-api-key"] as string | undefined, body: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    closing.push(collector);
    const w = await world(undefined, {
      otlp: {
        endpoint: `${collector.url}/v1/metrics`,
        headers: { "x-api-key": `\${secret:${OTLP_SECRET_ARN}}` },
      },
    });
    const run = await invoke(w, 20_000);
    expect(run.error).toBeUndefined();
    const otlp = run.summary.sinks.find((s) => s.sink.startsWith("otlp "));
    expect(otlp).toMatchObject({ ok: true, failedSamples: 0 });
    expect(bodies.map((b) => b.key)).toEqual(["otlp-k3y-from-secrets"]);
    const official = createRequire(import.meta.url)("otlp-proto-decoder/build/src/generated/root.js");
    const Request = official.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
    const decoded = Request.toObject(Request.decode(bodies[0]?.body), { longs: Number }) as {
      resourceMetrics: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }[];
    };
    const resource = Object.fromEntries(
      (decoded.resourceMetrics[0]?.resource.attributes ?? []).map((a) => [a.key, a.value.stringValue]),
    );
    expect(resource).toMatchObject({
      "service.name": "watchpost",
      "cloud.provider": "aws",
      "cloud.region": "eu-west-1",
    });
    // The key is never logged.
    expect(JSON.stringify(run.logs)).not.toContain("otlp-k3y-from-secrets");
  });

  it("fails the remote-write sink alone when its secret is denied: checks, CloudWatch and alerts go on", async () => {
    const receiver = await httpTarget((_req, res) => res.writeHead(204).end());
    closing.push(receiver);
    const w = await world({ url: `${receiver.url}/api/v1/write`, secretArn: SECRET_ARN });
    w.secrets.always("GetSecretValue", "deny");
    const run = await invoke(w, 20_000);
    expect(run.summary.checks).toBe(2);
    expect(run.summary.counts).toMatchObject({ up: 1, down: 1 });
    const remoteWrite = run.summary.sinks.find((s) => s.sink.startsWith("remote-write"));
    expect(remoteWrite).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^could not be built: AccessDeniedException/),
    });
    expect(run.summary.sinks.find((s) => s.sink.startsWith("cloudwatch"))).toMatchObject({ ok: true });
    expect(w.cloudwatch.datums.length).toBeGreaterThan(0);
    expect(firings(w.sns)).toHaveLength(1);
  }, 60_000);

  it("goes out through a VPC's proxy: probes (https tunnelled), remote-write and every AWS call reach hosts only the proxy knows", async () => {
    const received: string[] = [];
    const receiver = await httpTarget((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(204).end();
    });
    // The probed API speaks https with a certificate for its own name, checked inside the tunnel.
    const pki = await createTestPki();
    const api = await httpsTarget(await pki.issue(["api.vpc.example"]), routes);
    const ca = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-proxy-ca-")), "ca.pem");
    await writeFile(ca, pki.caPem);
    const w = await world({ url: `http://metrics.vpc.example:${receiver.port}/api/v1/write` });
    // The AWS stand-ins, renamed to names only the proxy resolves: no AWS call can go around it.
    const hidden: Record<string, string> = {
      "api.vpc.example": "127.0.0.1",
      "metrics.vpc.example": "127.0.0.1",
    };
    const env: Record<string, string> = {};
    for (const [variable, service] of [
      ["AWS_ENDPOINT_URL_SNS", "sns"],
      ["AWS_ENDPOINT_URL_CLOUDWATCH", "monitoring"],
      ["AWS_ENDPOINT_URL_DYNAMODB", "dynamodb"],
      ["AWS_ENDPOINT_URL_SECRETS_MANAGER", "secretsmanager"],
    ] as const) {
      const url = new URL(w.env[variable] as string);
      hidden[`${service}.vpc.example`] = url.hostname;
      env[variable] = `http://${service}.vpc.example:${url.port}`;
    }
    const proxy = await startProxy({ hosts: hidden });
    closing.push(receiver, api, proxy);
    // As privateNetwork.proxy sets them: loopback (the Lambda runtime) and the metadata addresses direct.
    const run = await invoke(w, 20_000, {
      ...env,
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: "localhost,127.0.0.1,169.254.169.254,169.254.170.2",
      NODE_EXTRA_CA_CERTS: ca,
      WATCHPOST_TEST_TARGET: `https://api.vpc.example:${api.port}`,
    });
    expect(run.error).toBeUndefined();
    expect(run.summary.counts).toMatchObject({ up: 1, down: 1 });
    expect(run.summary.sinks.find((s) => s.sink.startsWith("remote-write"))).toMatchObject({ ok: true });
    expect(run.summary.sinks.find((s) => s.sink.startsWith("cloudwatch"))).toMatchObject({ ok: true });
    expect(received).toEqual(["POST /api/v1/write"]);
    // A fresh tunnel per probe; the SDK's connections tunnelled too (kept alive, so one or more each);
    // remote-write, plain http, in absolute form.
    const tunnels = proxy.asked.filter((a) => a.startsWith("CONNECT")).map((a) => a.replace(/:\d+$/, ""));
    expect(tunnels.filter((t) => t === "CONNECT api.vpc.example")).toHaveLength(2);
    expect([...new Set(tunnels)].sort()).toEqual([
      "CONNECT api.vpc.example",
      "CONNECT dynamodb.vpc.example",
      "CONNECT monitoring.vpc.example",
      "CONNECT sns.vpc.example",
    ]);
    expect(proxy.asked.filter((a) => a.startsWith("POST"))).toEqual([
      `POST http://metrics.vpc.example:${receiver.port}/api/v1/write`,
    ]);
    expect(firings(w.sns)).toHaveLength(1);
  }, 60_000);

  it("sends a FIRING that SNS failed once exactly once, on the next run", async () => {
    const w = await world();
    w.sns.next("PublishBatch", "error500");
    const first = await invoke(w, 20_000);
    expect(first.summary.alerts).toMatchObject({ decided: 1, delivered: 0, failed: 1 });
    // The SDK's own retries are off: the outbox is the retry, so SNS saw exactly one request.
    expect(w.sns.requests.filter((r) => r.operation === "PublishBatch")).toHaveLength(1);
    expect(firings(w.sns)).toHaveLength(0);
    const second = await invoke(w, 20_000);
    expect(second.summary.alerts).toMatchObject({ delivered: 1, failed: 0 });
    const third = await invoke(w, 20_000);
    expect(third.summary.alerts).toMatchObject({ decided: 0, delivered: 0 });
    expect(firings(w.sns)).toHaveLength(1);
  }, 60_000);

  it("decides on a quorum of regions: one region's failure alone never pages, two of three do, named", async () => {
    const allOk = await httpTarget((_req, res) => res.writeHead(200).end("ok"));
    closing.push(allOk);
    const w = await world();
    const regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];
    w.config = { ...w.config, locations: { all: regions, home: "eu-west-1", stateRegion: "eu-west-1" } };
    const at = (region: string, target: Target) => ({
      AWS_REGION: region,
      WATCHPOST_TEST_TARGET: target.url,
    });
    // The other regions see every check up; they report and decide nothing.
    for (const region of ["us-east-1", "ap-southeast-2"]) {
      const run = await invoke(w, 20_000, at(region, allOk));
      expect(run.error).toBeUndefined();
      expect(run.summary.alerts).toBeUndefined();
      expect(run.summary.sinks.map((s) => [s.sink, s.ok])).toContainEqual([
        `location report (dynamodb ${w.config.stateTable})`,
        true,
      ]);
    }
    // The home sees api-fail fail: 1 of 3, so up by the quorum, and nothing is sent.
    const alone = await invoke(w, 20_000, at("eu-west-1", web));
    expect(alone.summary.counts).toMatchObject({ up: 1, down: 1 });
    expect(alone.summary.alerts).toMatchObject({ decided: 0 });
    expect(firings(w.sns)).toHaveLength(0);
    // us-east-1 sees it fail too: 2 of 3 pages once, saying who saw what.
    await invoke(w, 20_000, at("us-east-1", web));
    const quorum = await invoke(w, 20_000, at("eu-west-1", web));
    expect(quorum.summary.alerts).toMatchObject({ decided: 1, delivered: 1 });
    const [firing] = firings(w.sns);
    expect(firing?.message).toMatch(
      /down from 2 of 3 locations: eu-west-1 \(status 503[^)]*\), us-east-1 \(status 503[^)]*\); up from ap-southeast-2 \(200 OK\)/,
    );
    expect(firing?.message).toContain("eu-west-1, us-east-1");
    expect(quorum.summary.silentLocations).toEqual([]);
  }, 90_000);

  it("delivers one FIRING when two invocations of one shard race", async () => {
    // Both invocations read the state before either writes: the race is made to happen.
    const barrier = await barrierProxy(databaseUrl, "BatchGetItem", 2);
    closing.push(barrier);
    const w = await world();
    const env = { AWS_ENDPOINT_URL_DYNAMODB: barrier.url };
    const runs = await Promise.all([invoke(w, 20_000, env), invoke(w, 20_000, env)]);
    for (const run of runs) expect(run.summary.alerts?.errors).toEqual([]);
    expect(runs.reduce((sum, r) => sum + (r.summary.alerts?.conflicts ?? 0), 0)).toBeGreaterThanOrEqual(1);
    expect(firings(w.sns)).toHaveLength(1);
    expect(runs.map((r) => r.summary.alerts?.delivered ?? 0).sort()).toEqual([0, 1]);
  }, 60_000);

  it("ends inside its budget with a clear error, metrics sent, when DynamoDB hangs", async () => {
    const hanging = await hangingStandIn();
    closing.push(hanging);
    const w = await world();
    const budget = 15_000;
    const run = await invoke(w, budget, { AWS_ENDPOINT_URL_DYNAMODB: hanging.url });
    expect(run.error).toBeUndefined();
    expect(run.elapsedMs).toBeLessThan(budget);
    const alerting = run.summary.stages.find((s) => s.stage === "alerting");
    expect(alerting).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /^alert state could not be read from dynamodb .*: no answer before the run's deadline/,
      ),
    });
    expect(w.cloudwatch.datums.some((d) => d.MetricName === "Results")).toBe(true);
    expect(firings(w.sns)).toHaveLength(0);
  }, 60_000);

  it("keeps an hourly shard's results in the state table and re-sends them on { refresh: true }", async () => {
    const w = await world();
    const run = await invoke(w, 20_000, {}, "1h-0");
    expect(run.error).toBeUndefined();
    expect(run.summary.sinks.map((s) => [s.sink, s.ok])).toContainEqual([
      `run record (dynamodb ${w.config.stateTable})`,
      true,
    ]);
    const records = new DynamoDbRunRecords({ client: database.client, tableName: w.config.stateTable });
    const [record] = await records.getMany("eu-west-1", ["1h-0"]);
    expect(record?.results.map((r) => [r.name, r.status])).toEqual([["api-hourly", "up"]]);
    // Ten minutes later, as the refresh schedule would find it.
    await records.put({ ...(record as RunRecord), at: Date.now() - 10 * 60_000 });
    const before = w.cloudwatch.datums.length;
    const refresh = await invoke(w, 10_000, {}, JSON.stringify({ refresh: true }));
    expect(refresh.error).toBeUndefined();
    expect(refresh.summary).toMatchObject({ shards: 1, results: 1 });
    expect(w.cloudwatch.datums.slice(before).map((d) => d.MetricName)).toEqual(["Success", "HttpStatusCode"]);
    const finished = refresh.logs.find((l) => l.message === "refresh finished");
    expect(finished).toMatchObject({ FailedStages: 0, _aws: expect.anything() });
    // A refresh whose records cannot be read says so to the FailedStages alarm.
    const broken = await invoke(
      w,
      10_000,
      { [FUNCTION_CONFIG_ENV]: JSON.stringify({ ...w.config, stateTable: "gone" }) },
      JSON.stringify({ refresh: true }),
    );
    expect(broken.summary).toMatchObject({
      shards: 0,
      error: expect.stringMatching(/^reading run records: ResourceNotFoundException/),
    });
    expect(broken.logs.find((l) => l.message === "refresh finished")).toMatchObject({ FailedStages: 1 });
  }, 60_000);
});

describe("the bundled probe function running a flow", () => {
  it("runs a steps check against loopback targets, and remote-writes its step series, no token", async () => {
    const tokens: string[] = [];
    const calls: string[] = [];
    const api = await httpTarget((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        calls.push(`${req.method} ${req.url}`);
        if (req.url === "/login") {
          if (!body.includes("flow-password-1")) return void res.writeHead(401).end();
          const token = randomBytes(16).toString("hex");
          tokens.push(token);
          return void res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ token }));
        }
        if (!tokens.includes(req.headers.authorization?.replace("Bearer ", "") ?? ""))
          return void res.writeHead(401).end();
        if (req.method === "DELETE") return void res.writeHead(204).end();
        res.writeHead(200, { "content-type": "application/json" }).end('{"state":"open"}');
      });
    });
    const bodies: Buffer[] = [];
    const receiver = await httpTarget((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(204).end();
      });
    });
    closing.push(api, receiver);
    const w = await world({ url: `${receiver.url}/api/v1/write` });
    const run = await invoke(
      w,
      20_000,
      { WATCHPOST_TEST_API: api.url, WATCHPOST_TEST_PASSWORD: "flow-password-1" },
      "2m-0",
    );
    expect(run.error).toBeUndefined();
    expect(run.summary.counts).toMatchObject({ up: 1 });
    expect(calls).toEqual(["POST /login", "GET /orders/1", "DELETE /orders/1"]);
    const series = bodies.flatMap((body) => decodeWriteRequest(body));
    const sample = (name: string, step?: string) =>
      series.find(
        (s) =>
          s.labels.some(([k, v]) => k === "__name__" && v === name) &&
          (step === undefined || s.labels.some(([k, v]) => k === "step" && v === step)),
      );
    expect(sample("probe_success")?.samples[0]?.value).toBe(1);
    for (const step of ["login", "read", "cleanup"]) {
      expect(sample("watchpost_step_success", step)?.samples[0]?.value).toBe(1);
      expect(sample("watchpost_step_duration_seconds", step)?.samples[0]?.value).toBeGreaterThan(0);
      expect(sample("watchpost_step_success", step)?.labels).toContainEqual(["check", "orders-flow"]);
    }
    expect(w.cloudwatch.datums.filter((d) => d.MetricName === "Success").length).toBe(1);
    // The token went to the API and nowhere else: not to remote-write, CloudWatch, nor the logs.
    const elsewhere = [
      ...series.map((s) => JSON.stringify(s.labels)),
      JSON.stringify(w.cloudwatch.datums),
      JSON.stringify(run.logs),
      JSON.stringify(run.summary),
    ].join("\n");
    expect(tokens).toHaveLength(1);
    expect(elsewhere).not.toContain(tokens[0]);
    expect(elsewhere).not.toContain("flow-password-1");
  }, 60_000);
});
