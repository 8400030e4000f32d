/** The shipped CDK app, run as `cdk synth` runs it (context from the CLI), bundling skipped. */
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.join(import.meta.dirname, "../..");

async function synth(context: Record<string, string>) {
  const outdir = await mkdtemp(path.join(tmpdir(), "watchpost-app-"));
  return new Promise<{
    code: number | null;
    stderr: string;
    template: (stack?: string) => Promise<string>;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bin/app.ts"], {
      cwd: root,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...context, "aws:cdk:bundling-stacks": [] }),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stderr,
        template: (stack = "Watchpost") => readFile(path.join(outdir, `${stack}.template.json`), "utf8"),
      }),
    );
  });
}

describe("the shipped app's context", () => {
  it("writes remote-write into the function's configuration, scoped to the Managed Prometheus workspace", async () => {
    const url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write";
    const run = await synth({ remoteWriteUrl: url, remoteWriteSigv4Region: "eu-west-1" });
    expect(run.code).toBe(0);
    const template = JSON.parse(await run.template()) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const fn = Object.values(template.Resources).find((r) => r.Type === "AWS::Lambda::Function");
    const config = JSON.stringify(
      (fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables,
    );
    expect(config).toContain(`\\"remoteWrite\\":{\\"url\\":\\"${url}\\",\\"sigv4Region\\":\\"eu-west-1\\"}`);
    // Results go to Prometheus: per-check CloudWatch metrics are off unless -c checkMetrics=true.
    expect(config).toContain(`\\"checkMetrics\\":false`);
    const statements = Object.values(template.Resources)
      .filter((r) => r.Type === "AWS::IAM::Policy")
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      );
    const aps = statements.find((st) => st.Action === "aps:RemoteWrite");
    expect(JSON.stringify(aps?.Resource)).toContain("workspace/ws-1234");
  }, 60_000);

  it("takes -c checkMetrics=true|false and refuses anything else in one line", async () => {
    const run = await synth({
      remoteWriteUrl: "https://prometheus.example/api/v1/write",
      checkMetrics: "true",
    });
    expect(run.code).toBe(0);
    expect(await run.template()).toContain(`\\"checkMetrics\\":true`);
    const wrong = await synth({ checkMetrics: "yes" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe('-c checkMetrics: expected true or false, found "yes"');
  }, 60_000);

  it("synthesizes one monitor probing from three regions offline: one decision point, a stack each", async () => {
    const run = await synth({ locations: "eu-west-1,us-east-1,ap-southeast-2" });
    expect(run.code).toBe(0);
    const home = await run.template("Watchpost-eu-west-1");
    const away = await run.template("Watchpost-ap-southeast-2");
    expect(home).toContain('"TableName": "Watchpost-state"');
    expect(away).not.toContain("AWS::DynamoDB::Table");
    for (const template of [home, away])
      expect(template).toContain(
        '\\"locations\\":{\\"all\\":[\\"eu-west-1\\",\\"us-east-1\\",\\"ap-southeast-2\\"],\\"home\\":\\"eu-west-1\\",\\"stateRegion\\":\\"eu-west-1\\"}',
      );
    const both = await synth({ locations: "eu-west-1,us-east-1", regions: "eu-west-1" });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("-c regions and -c locations: give one");
  }, 90_000);

  it("refuses a secret that is not a complete ARN, in one line", async () => {
    const run = await synth({
      remoteWriteUrl: "https://prom.example/api/v1/write",
      remoteWriteSecretArn: "grafana",
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      '-c remoteWriteSecretArn: expected a secret\'s complete ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-abcdef), found "grafana"',
    );
  }, 60_000);
});
