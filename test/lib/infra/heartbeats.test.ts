/** The heartbeat ping endpoint as the construct deploys it: least privilege, no token in the template. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { PING_CONFIG_ENV } from "../../../lib/deploy/ping-config.js";
import { WatchpostStack, type WatchpostStackProps } from "../../../lib/infra/stack.js";

let checksDir: string;
let withoutDir: string;

beforeAll(async () => {
  checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-infra-heartbeats-"));
  await writeFile(
    path.join(checksDir, "jobs.yml"),
    `checks:
  - name: api
    http: { url: "https://api.example.com/health" }
  - name: nightly-backup
    heartbeat: { cron: "0 3 * * *", timezone: Europe/Berlin, expect: { minSize: 1MiB } }
  - name: weekly-report
    heartbeat: { every: 7d, token: "\${secret:jobs/report-token}" }
`,
  );
  withoutDir = await mkdtemp(path.join(tmpdir(), "watchpost-infra-no-heartbeats-"));
  await writeFile(
    path.join(withoutDir, "api.yml"),
    `checks:\n  - name: api\n    http: { url: "https://api.example.com/health" }\n`,
  );
});

/** Synthesized with cdk-nag (a finding not acknowledged fails the synth), without bundling. */
function synth(props: Partial<WatchpostStackProps> = {}) {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new WatchpostStack(app, "Watchpost", { checksDir, ...props });
  app.synth();
  return Template.fromStack(stack);
}

/** Every IAM statement of the policy whose logical id starts with `prefix`. */
function statements(
  template: Template,
  prefix: string,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(
      ([, p]) =>
        (p as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
    );
}

describe("the heartbeat endpoint", () => {
  it("is an HTTP API whose stage is throttled, in front of the ping function, with its URL and key as outputs", () => {
    const template = synth({ heartbeats: { rateLimit: 5, burstLimit: 8 } });
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 },
    });
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route")).map(
      (r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(
      ["GET", "HEAD", "POST"].flatMap((m) => [`${m} /ping/{name}`, `${m} /ping/{name}/{action}`]).sort(),
    );
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["PingUrl", "HeartbeatKeySecret"]));
    // The ping function is told the checks and the references of their tokens, never a token.
    const fns = Object.values(template.findResources("AWS::Lambda::Function")) as {
      Properties: { Environment?: { Variables: Record<string, unknown> } };
    }[];
    const ping = fns.find((f) => f.Properties.Environment?.Variables[PING_CONFIG_ENV] !== undefined);
    const config = JSON.stringify(ping?.Properties.Environment?.Variables[PING_CONFIG_ENV]);
    expect(config).toContain("weekly-report");
    expect(config).toContain("${secret:jobs/report-token}");
  }, 120_000); // the file's first synth loads CDK and cdk-nag: slow on a loaded machine

  it("holds no token: the key is generated into Secrets Manager at deploy time", () => {
    const template = synth();
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
    });
    const secrets = Object.values(template.findResources("AWS::SecretsManager::Secret")) as {
      Properties: Record<string, unknown>;
    }[];
    for (const secret of secrets) expect(secret.Properties.SecretString).toBeUndefined();
  });

  it("grants the ping function the heartbeat items, its key and the token references, nothing more", () => {
    const template = synth();
    const granted = statements(template, "MonitorHeartbeatsRole");
    const actions = granted.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:GetSecretValue",
    ]);
    const table = granted.find((s) => [s.Action].flat().includes("dynamodb:PutItem"));
    expect(table?.Condition).toEqual({ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#hb/*"] } });
    expect(JSON.stringify(granted)).toContain(":secret:jobs/report-token-??????");
    // The probe function reads heartbeat items (and only those) but is not granted the token.
    const probe = statements(template, "MonitorProbeRole");
    expect(probe).toContainEqual(
      expect.objectContaining({
        Action: "dynamodb:GetItem",
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#hb/*", "#hist/*", "#inc/*"] } },
      }),
    );
    expect(JSON.stringify(probe)).not.toContain("report-token");
  });

  it("exists only where there are heartbeats, and only in the home region", () => {
    const none = synth({ checksDir: withoutDir });
    none.resourceCountIs("AWS::ApiGatewayV2::Api", 0);
    const regions = ["eu-west-1", "us-east-1"];
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const [home, away] = regions.map(
      (region) =>
        new WatchpostStack(app, `Watchpost-${region}`, {
          checksDir,
          env: { region },
          locations: { regions },
        }),
    ) as [WatchpostStack, WatchpostStack];
    app.synth();
    Template.fromStack(home).resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    Template.fromStack(away).resourceCountIs("AWS::ApiGatewayV2::Api", 0);
    // The away region evaluates no heartbeat: its function is not granted heartbeat reads.
    expect(JSON.stringify(Template.fromStack(away).findResources("AWS::IAM::Policy"))).not.toContain("#hb/");
    // Nor does it keep history or write a status page: the home decides.
    expect(JSON.stringify(Template.fromStack(away).findResources("AWS::IAM::Policy"))).not.toContain(
      "#hist/",
    );
    Template.fromStack(away).resourceCountIs("AWS::S3::Bucket", 0);
    Template.fromStack(home).resourceCountIs("AWS::S3::Bucket", 1);
  });
});
