/**
 * The bundled ping function, as `cdk synth` builds it, run as Lambda runs it (a fresh Node process
 * per request, an HTTP API payload 2.0 event) against dynalite for the state table and a Secrets
 * Manager stand-in for the heartbeat key and a token reference. The AWS SDK comes from outside the
 * asset, as the runtime provides it.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PING_CONFIG_ENV, type PingConfig } from "../../../lib/deploy/ping-config.js";
import { DynamoDbHeartbeats } from "../../../lib/heartbeat/store-dynamodb.js";
import { deriveToken } from "../../../lib/heartbeat/token.js";
import { WatchpostStack } from "../../../lib/infra/stack.js";
import { type StandIn, secretsManagerStandIn } from "../../support/aws-stand-ins.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";
import { provideRuntimeSdk } from "../../support/lambda-runtime.js";

const invoker = path.join(import.meta.dirname, "../../support/invoke-asset.mjs");
const KEY_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:heartbeat-key-AbCdEf";
const KEY = "k3y-from-secrets-manager";
let assetDir: string;
let database: LocalDynamoDb;
let secrets: StandIn;
let table: string;

beforeAll(async () => {
  const checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-ping-checks-"));
  await writeFile(
    path.join(checksDir, "jobs.yml"),
    `checks:
  - name: nightly-backup
    heartbeat: { every: 1d, expect: { minSize: 1MiB } }
  - name: weekly-report
    heartbeat: { cron: "0 6 * * mon", timezone: Europe/Berlin, token: "\${secret:jobs/report-token}" }
`,
  );
  const outdir = await mkdtemp(path.join(tmpdir(), "watchpost-ping-out-"));
  const app = new App({ outdir });
  new WatchpostStack(app, "Watchpost", { checksDir });
  const assembly = app.synth();
  const dirs = readdirSync(assembly.directory).filter((d) => d.startsWith("asset."));
  const ping = dirs.find((d) => {
    const file = path.join(assembly.directory, d, "index.mjs");
    return (
      readdirSync(path.join(assembly.directory, d)).includes("index.mjs") &&
      readFileSync(file, "utf8").includes("watchpost-ping")
    );
  });
  assetDir = path.join(assembly.directory, ping as string);
  await provideRuntimeSdk(assembly.directory);
  database = await localDynamoDb();
  table = await database.freshTable();
  secrets = await secretsManagerStandIn({ [KEY_ARN]: KEY, "jobs/report-token": "report-t0ken" });
}, 120_000);

afterAll(async () => {
  await secrets?.close();
  await database?.close();
});

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
}

interface Request {
  path: string;
  method?: string;
  token?: string;
  query?: string;
  body?: string;
  sourceIp?: string;
}

/** The HTTP API's event for a request. */
function eventOf(request: Request) {
  return {
    version: "2.0",
    routeKey: `POST ${request.path}`,
    rawPath: request.path,
    rawQueryString: request.query ?? "",
    headers: {
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      "content-type": "text/plain",
    },
    requestContext: {
      http: {
        method: request.method ?? "POST",
        path: request.path,
        sourceIp: request.sourceIp ?? "192.0.2.1",
      },
    },
    // Base64, as API Gateway sends a body it may not pass as text; a long one as text (argv has a limit).
    ...(request.body === undefined
      ? { isBase64Encoded: false }
      : request.body.length > 50_000
        ? { body: request.body, isBase64Encoded: false }
        : { body: Buffer.from(request.body).toString("base64"), isBase64Encoded: true }),
  };
}

/** One request through the asset in a fresh process, as Lambda would make it. */
async function invoke(
  request: Request,
  env: Record<string, string> = {},
): Promise<{ answer: Answer; logs: string }> {
  const { summary, logs } = await run(eventOf(request), env);
  return { answer: summary as Answer, logs };
}

/** Requests one after another through one instance of the asset, as a warm container takes them. */
async function invokeWarm(requests: Request[]): Promise<Answer[]> {
  return (await run(requests.map(eventOf), {})).summary as Answer[];
}

function run(event: unknown, env: Record<string, string>): Promise<{ summary: unknown; logs: string }> {
  const config: PingConfig = {
    stateTable: table,
    keySecretArn: KEY_ARN,
    checks: [{ name: "nightly-backup" }, { name: "weekly-report", token: "${secret:jobs/report-token}" }],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [invoker, assetDir, JSON.stringify(event), "10000"], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: "INFO",
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_ENDPOINT_URL_DYNAMODB: database.url,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        [PING_CONFIG_ENV]: JSON.stringify(config),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", () => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`no result from the asset:\n${out}`));
      const result = JSON.parse(line.slice(7)) as { ok: boolean; summary: unknown; error?: string };
      if (!result.ok) return reject(new Error(`the asset threw: ${result.error}\n${out}`));
      resolve({ summary: result.summary, logs: out });
    });
  });
}

const store = () => new DynamoDbHeartbeats({ client: database.client, tableName: table });

describe("the bundled ping function", () => {
  it("records a ping carrying the token derived from the key, with its size and log", async () => {
    const { answer, logs } = await invoke({
      path: "/ping/nightly-backup",
      query: "size=2097152",
      token: deriveToken(KEY, "nightly-backup"),
      body: "dumped 2 MiB\n",
    });
    expect(answer).toMatchObject({ statusCode: 200, body: "recorded success for nightly-backup\n" });
    const record = await store().get("nightly-backup", Date.now());
    expect(record).toMatchObject({
      pings: 1,
      lastFinish: { ok: true, size: 2_097_152, log: "dumped 2 MiB" },
    });
    // The log names the request, never the token.
    expect(logs).toContain('"status":200');
    expect(logs).not.toContain(deriveToken(KEY, "nightly-backup"));
  }, 30_000);

  it("reads a check's own token by reference, and refuses what is not a good ping unrecorded", async () => {
    const ok = await invoke({ path: "/ping/weekly-report/start", token: "report-t0ken" });
    expect(ok.answer).toMatchObject({ statusCode: 200, body: "recorded start for weekly-report\n" });
    const before = await store().get("weekly-report", Date.now());
    const refused = await Promise.all([
      invoke({ path: "/ping/weekly-report", token: deriveToken(KEY, "weekly-report") }),
      invoke({ path: "/ping/weekly-report" }),
      invoke({ path: "/ping/monthly-report", token: "report-t0ken" }),
      invoke({ path: "/ping/weekly-report", token: "report-t0ken", body: "z".repeat(100_500) }),
    ]);
    expect(refused.map((r) => r.answer.statusCode)).toEqual([401, 401, 404, 413]);
    expect(await store().get("weekly-report", Date.now())).toEqual(before);
  }, 30_000);

  it("records the right token after a flood of 100 wrong ones, from another address and from the same", async () => {
    const before = (await store().get("nightly-backup", Date.now())).pings;
    const flood: Request[] = Array.from({ length: 100 }, (_, i) => ({
      path: "/ping/nightly-backup",
      token: `guess-${i}`,
      sourceIp: "203.0.113.9",
    }));
    const token = deriveToken(KEY, "nightly-backup");
    const answers = await invokeWarm([
      ...flood,
      { path: "/ping/nightly-backup", token, sourceIp: "198.51.100.7" },
      { path: "/ping/nightly-backup", token, sourceIp: "203.0.113.9" },
    ]);
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(new Set(statuses.slice(30, 100))).toEqual(new Set([429]));
    expect(answers.slice(100)).toMatchObject([
      { statusCode: 200, body: "recorded success for nightly-backup\n" },
      { statusCode: 200, body: "recorded success for nightly-backup\n" },
    ]);
    expect((await store().get("nightly-backup", Date.now())).pings).toBe(before + 2);
  }, 60_000);

  it("answers 503 and records nothing when the key cannot be read", async () => {
    const before = (await store().get("nightly-backup", Date.now())).pings;
    secrets.always("GetSecretValue", "deny");
    try {
      const { answer, logs } = await invoke({
        path: "/ping/nightly-backup",
        token: deriveToken(KEY, "nightly-backup"),
      });
      expect(answer).toMatchObject({
        statusCode: 503,
        body: "the token of nightly-backup cannot be read right now; the ping was not recorded\n",
      });
      expect(logs).toContain("ping not recorded: reading the token of nightly-backup");
      expect((await store().get("nightly-backup", Date.now())).pings).toBe(before);
    } finally {
      secrets.always("GetSecretValue", "ok");
    }
  }, 30_000);
});

describe("heartbeat records in DynamoDB", () => {
  it("keeps every one of many pings recorded at once (conditional writes, tried again)", async () => {
    const pings = store();
    const at = Date.now();
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => pings.record("concurrent", { kind: "success", at: at + i })),
    );
    const record = await pings.get("concurrent", at);
    expect(record.pings).toBe(4);
    expect(record.successes).toHaveLength(4);
  }, 30_000);
});
