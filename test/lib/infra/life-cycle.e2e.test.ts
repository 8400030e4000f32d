/**
 * The stack's whole life in an emulator: deployed through CloudFormation's API into moto (in server
 * mode, started here), the bundled probe function run against what was deployed, the stack deleted
 * once the monitor has written its page and state, and deployed again. Resource types moto's
 * CloudFormation lacks are taken out of the deployed copy (test/support/emulator-template.ts) and
 * covered by assertions on the synthesized template instead; docs/deploying.md says what the
 * emulator cannot prove.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_CONFIG_ENV } from "../../../lib/deploy/function-config.js";
import { WatchpostStack } from "../../../lib/infra/stack.js";
import { EMULATOR_LACKS, forEmulator } from "../../support/emulator-template.js";
import { provideRuntimeSdk } from "../../support/lambda-runtime.js";
import { pythonToolAvailable, run } from "../../support/python-tools.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

const root = path.join(import.meta.dirname, "../../..");
const emulatorScript = path.join(root, "test/support/cfn-emulator.py");
const invoker = path.join(root, "test/support/invoke-asset.mjs");
const available = await pythonToolAvailable("moto");

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }
>;

let moto: ChildProcess | undefined;
let endpoint = "";
let web: Target | undefined;
let synthesized: { Resources: Resources };
let assetDir = "";
let templateFile = "";

const awsEnv = () => ({
  ...process.env,
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "eu-west-1",
  AWS_DEFAULT_REGION: "eu-west-1",
});

async function emulator(...args: string[]): Promise<Record<string, unknown>> {
  const out = await run("python3", [emulatorScript, ...args], { env: awsEnv() });
  if (out.code !== 0) throw new Error(`cfn-emulator ${args.join(" ")}: ${out.stderr}`);
  return JSON.parse(out.stdout) as Record<string, unknown>;
}

/** moto's server on a free port: its own line says which. */
function startMoto(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "python3",
      ["-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", "0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let seen = "";
    const look = (chunk: Buffer) => {
      seen += chunk;
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => reject(new Error(`moto exited with ${code}: ${seen}`)));
    setTimeout(() => reject(new Error(`moto did not start: ${seen}`)), 60_000).unref();
  });
}

/** The deployed function's configuration: the synthesized one with each reference resolved. */
function deployedConfig(physical: Record<string, string>): Record<string, unknown> {
  const probe = Object.values(synthesized.Resources).find(
    (r) => r.Type === "AWS::Lambda::Function" && JSON.stringify(r.Properties).includes(FUNCTION_CONFIG_ENV),
  );
  const environment = probe?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
  const value = environment?.Variables[FUNCTION_CONFIG_ENV];
  const parts = (value as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1];
  const text = parts
    .map((part) => (typeof part === "string" ? part : physical[(part as { Ref: string }).Ref]))
    .join("");
  return JSON.parse(text) as Record<string, unknown>;
}

function invoke(
  config: Record<string, unknown>,
): Promise<{ ok: boolean; summary?: unknown; error?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [invoker, assetDir, "1m-0", "50000"], {
      env: { ...awsEnv(), [FUNCTION_CONFIG_ENV]: JSON.stringify(config), POWERTOOLS_LOG_LEVEL: "SILENT" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", () => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`no result from the asset: ${out}`));
      resolve(JSON.parse(line.slice(7)));
    });
  });
}

beforeAll(async () => {
  if (!available) return;
  const started = await startMoto();
  moto = started.child;
  endpoint = started.url;
  web = await httpTarget(routes);
  const checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-life-"));
  await writeFile(
    path.join(checksDir, "checks.yml"),
    `defaults:\n  timeout: 2s\n  retries: 0\n  alert: { failAfter: 1, confirmAfter: false }\nchecks:\n  - name: api-ok\n    http: { url: "${web.url}/ok" }\n  - name: api-fail\n    http: { url: "${web.url}/fail" }\n`,
  );
  const app = new App({ outdir: await mkdtemp(path.join(tmpdir(), "watchpost-life-out-")) });
  new WatchpostStack(app, "Watchpost", { checksDir });
  const assembly = app.synth();
  await provideRuntimeSdk(assembly.directory);
  const stack = assembly.getStackByName("Watchpost");
  synthesized = stack.template as { Resources: Resources };
  const dirs = readdirSync(assembly.directory).filter((d) => d.startsWith("asset."));
  const probeAsset = dirs.find((d) => readdirSync(path.join(assembly.directory, d)).includes("checks.json"));
  assetDir = path.join(assembly.directory, probeAsset as string);
  templateFile = path.join(assembly.directory, "emulated.template.json");
  await writeFile(templateFile, JSON.stringify(forEmulator(stack.template).template));
}, 240_000);

afterAll(async () => {
  await web?.close();
  moto?.kill("SIGTERM");
});

describe.skipIf(!available)("the stack's life in an emulator (moto)", () => {
  it("leaves out only the types moto lacks, each covered by the synthesized template", () => {
    const { removed } = forEmulator(synthesized);
    expect(Object.values(removed).every((type) => EMULATOR_LACKS.includes(type))).toBe(true);
    const byType = (type: string) => Object.values(synthesized.Resources).filter((r) => r.Type === type);
    // What the emulator cannot show, asserted on the template: the bucket emptied before its
    // deletion, the schedule group deleted with the stack and named by CloudFormation.
    expect(byType("Custom::S3AutoDeleteObjects")).toHaveLength(1);
    const [group] = byType("AWS::Scheduler::ScheduleGroup");
    expect(group?.DeletionPolicy).toBe("Delete");
    expect(group?.Properties?.Name).toBeUndefined();
    expect(byType("AWS::Scheduler::Schedule").length).toBeGreaterThan(0);
  });

  it("deploys, runs, is destroyed once the monitor has written its page, and deploys again", async () => {
    const first = await emulator("deploy", "Watchpost", templateFile);
    expect(first.status, String(first.reason)).toBe("CREATE_COMPLETE");
    const physical = first.resources as Record<string, string>;
    const config = deployedConfig(physical);
    const bucket = (config.statusPage as { bucket: string }).bucket;
    const table = config.stateTable as string;
    expect(bucket).toMatch(/^watchpost-monitorstatuspage/);

    // The bundled function, run against what was deployed: state, history and the page written.
    const ran = await invoke(config);
    expect(ran.error).toBeUndefined();
    expect(ran.ok).toBe(true);
    expect(await emulator("objects", bucket)).toEqual({ keys: ["index.html", "status.json"] });
    const items = (await emulator("items", table)).keys as string[];
    expect(items).toContain("api-fail");
    expect(items.some((key) => key.startsWith("#hist/"))).toBe(true);

    const destroyed = await emulator("delete", "Watchpost");
    expect(destroyed.status).toBe("DELETE_COMPLETE");
    expect(await emulator("items", table)).toEqual({ missing: true });
    // moto leaves a bucket that holds objects behind, without an error, where CloudFormation would
    // fail the delete; the emptying (Custom::S3AutoDeleteObjects) is asserted on the template above.
    // A bucket left behind does not stop the next deploy: its name is generated.

    const again = await emulator("deploy", "Watchpost", templateFile);
    expect(again.status, String(again.reason)).toBe("CREATE_COMPLETE");
    const second = deployedConfig(again.resources as Record<string, string>);
    expect(second.stateTable).not.toBe(table);
    expect(await emulator("items", second.stateTable as string)).toEqual({ keys: [] });
    expect(await emulator("objects", (second.statusPage as { bucket: string }).bucket)).toEqual({ keys: [] });
    expect((await emulator("delete", "Watchpost")).status).toBe("DELETE_COMPLETE");
  }, 600_000);
});
