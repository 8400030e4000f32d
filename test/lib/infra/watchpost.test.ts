import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { FUNCTION_CONFIG_ENV } from "../../../lib/deploy/function-config.js";
import { WatchpostStack, type WatchpostStackProps } from "../../../lib/infra/stack.js";
import { Watchpost, WatchpostChecksError } from "../../../lib/infra/watchpost.js";
import { stream } from "../../support/cli.js";
import { shippedFlags } from "./matrix.js";

const root = path.join(import.meta.dirname, "../../..");
let checksDir: string;

beforeAll(async () => {
  checksDir = await mkdtemp(path.join(tmpdir(), "watchpost-infra-"));
  await writeFile(
    path.join(checksDir, "checks.yml"),
    `defaults:
  labels: { team: payments }
checks:
  - name: api
    http: { url: "https://api.example.com/health", headers: { Authorization: "Bearer \${secret:prod/api-token}" } }
  - name: cert
    interval: 1h
    tls: { host: api.example.com }
  - name: internal
    labels: { network: private }
    http: { url: "https://internal.example/health", headers: { X-Key: "\${ssm:/watchpost/key}" } }
  - name: export
    interval: 15m
    backup: { maxAge: 26h, rds: { instance: orders-prod } }
`,
  );
});

/** A synthesized stack, cdk-nag included, without bundling the function (see the bundling test). */
function synth(props: Partial<WatchpostStackProps> = {}, options: { bundle?: boolean } = {}) {
  const app = new App({ context: options.bundle ? {} : { "aws:cdk:bundling-stacks": [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new WatchpostStack(app, "Watchpost", { checksDir, ...props });
  const assembly = app.synth();
  return { stack, template: Template.fromStack(stack), assembly };
}

/**
 * The function's configuration as the handler will parse it, with each CloudFormation reference
 * shown as `<Ref Logical>` (the construct writes one JSON object with tokens joined in).
 */
function functionConfig(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources("AWS::Lambda::Function")) as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }[];
  const value = functions[0]?.Properties.Environment.Variables[FUNCTION_CONFIG_ENV];
  const render = (part: unknown): string => {
    if (typeof part === "string") return part;
    const ref = part as { Ref?: string; "Fn::GetAtt"?: string[] };
    if (ref.Ref) return `<Ref ${ref.Ref.replace(/[A-F0-9]{8}$/, "")}>`;
    if (ref["Fn::GetAtt"]) return `<GetAtt ${ref["Fn::GetAtt"].join(".")}>`;
    return JSON.stringify(part);
  };
  const text =
    typeof value === "string"
      ? value
      : ((value as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1] ?? []).map(render).join("");
  return JSON.parse(text) as Record<string, unknown>;
}

describe("Watchpost construct", () => {
  it("passes cdk-nag's AwsSolutions pack, every acknowledgement with a reason", () => {
    expect(() => synth({ subscriptions: [{ email: "ops@example.com" }] })).not.toThrow();
  }, 120_000); // the file's first synth loads CDK and cdk-nag: slow on a loaded machine

  it("passes cdk-nag in a stack of its own region with the shipped app's feature flags (partition literals)", () => {
    const app = new App({ context: { ...shippedFlags(), "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new WatchpostStack(app, "Watchpost", { checksDir, env: { region: "eu-west-1" } });
    expect(() => app.synth()).not.toThrow();
  });

  it("fails the synth on a bad check file with the CLI's messages", () => {
    expect(() => synth({ checksDir: path.join(root, "test/fixtures/broken") })).toThrow(WatchpostChecksError);
    expect(() => synth({ checksDir: path.join(root, "test/fixtures/broken") })).toThrow(
      /broken\/04-duration\.yml:3:15: checks\[0\]\.interval: expected a duration such as 300ms, 30s, 5m, 26h or 14d, found "5 minutes"/,
    );
  });

  it("refuses what `watchpost validate` warns of, in the very same lines, each once", async () => {
    const fast = await mkdtemp(path.join(tmpdir(), "watchpost-fast-"));
    await writeFile(
      path.join(fast, "fast.yml"),
      "defaults:\n  interval: 30s\nchecks:\n  - name: a\n    tcp: { host: a, port: 1 }\n  - name: b\n    tcp: { host: b, port: 1 }\n",
    );
    const stderr = stream();
    const code = await main(["validate", "--checks", fast], { stdout: stream(), stderr });
    expect(code).toBe(0);
    const [line, summary] = stderr.text().trim().split("\n");
    expect(line).toMatch(
      /fast\.yml:2:13: defaults\.interval: expected an interval of whole minutes \(at least 1m\) to deploy \(EventBridge Scheduler runs in minutes\), found 30s$/,
    );
    expect(summary).toContain("cdk synth refuses it");
    expect(
      await main(["validate", "--checks", fast, "--deploy"], { stdout: stream(), stderr: stream() }),
    ).toBe(2);
    let message = "";
    try {
      synth({ checksDir: fast });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual(["1 problem in the check files:", line]);
  });

  it("sends to Slack and PagerDuty channels whose keys stay in Secrets Manager: references only, read access granted", () => {
    const { template, stack } = synth({
      channels: [
        { kind: "slack", target: "${secret:watchpost/slack-webhook}" },
        { kind: "pagerduty", target: "${secret:watchpost/pagerduty}", route: { severities: ["critical"] } },
      ],
    });
    expect(functionConfig(template).channels).toEqual([
      { kind: "slack", target: "${secret:watchpost/slack-webhook}" },
      { kind: "pagerduty", target: "${secret:watchpost/pagerduty}", route: { severities: ["critical"] } },
    ]);
    const grants = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    expect(grants).toContain(":secret:watchpost/slack-webhook-??????");
    expect(grants).toContain(":secret:watchpost/pagerduty-??????");
    expect(Object.keys(template.toJSON().Outputs)).toEqual([
      "TopicArn",
      "DashboardUrl",
      "StateTable",
      "StatusPageBucket",
      "ProbeFunction",
    ]);
    expect(stack.watchpost.topic).toBeDefined();
    expect(() =>
      synth({ channels: [{ kind: "slack", target: "https://hooks.slack.com/services/T/B/x" }] }),
    ).toThrow(
      "channels: channels[0].slack: expected a ${secret:ID} or ${ssm:NAME} reference to deploy (URLs, keys and credentials must not be in the template), found a plain value",
    );
  });

  it("runs one schedule per shard, invoking the function with { shard }, with a dead-letter queue, and one refresh", () => {
    const { template, stack } = synth();
    expect(stack.watchpost.shards.map((s) => [s.id, s.checks.length])).toEqual([
      ["1m-0", 2],
      ["15m-0", 1],
      ["1h-0", 1],
    ]);
    // Three shards, and one refresh of the slow ones' latest samples every two minutes.
    template.resourceCountIs("AWS::Scheduler::Schedule", 4);
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(2 minutes)",
      Target: Match.objectLike({ Input: JSON.stringify({ refresh: true }) }),
    });
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(15 minutes)",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: Match.objectLike({
        Input: JSON.stringify({ shard: "15m-0" }),
        RetryPolicy: { MaximumRetryAttempts: 0 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      }),
    });
  });

  it("deploys the probe function on Node 24, arm64, with async retries 0 and an on-failure destination", () => {
    const { template } = synth();
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      MemorySize: 1024,
      Timeout: 60,
      Handler: "index.handler",
    });
    expect(functionConfig(template)).toEqual({
      stateTable: "<Ref MonitorState>",
      topicArn: "<Ref MonitorTopic>",
      namespace: "Watchpost",
      groupThreshold: 5,
      highResolution: false,
      phases: false,
      checkMetrics: true,
      maxDeliveryAttempts: 10,
      history: { retainDays: 400 },
      // The status page is written by the fastest shard's runs, to the private bucket.
      statusPage: { bucket: "<Ref MonitorStatusPage>", shard: "1m-0", groupBy: "team", title: "Status" },
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  it("keeps state in an on-demand, point-in-time-recovered, encrypted table with a TTL", () => {
    synth().template.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "check", KeyType: "HASH" }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  it("notifies through a KMS-encrypted, SSL-only topic with filtered subscriptions", () => {
    const { template } = synth({
      subscriptions: [
        { email: "oncall@example.com", severities: ["critical"], labels: { team: ["payments"] } },
        { url: "https://events.example/hook" },
      ],
    });
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
      FilterPolicy: { severity: ["critical"], team: ["payments"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "https",
      Endpoint: "https://events.example/hook",
    });
  });

  it("grants exactly what the checks need", () => {
    const { template } = synth();
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) =>
        (
          policy as {
            Properties: {
              PolicyDocument: {
                Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
              };
            };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const actions = (statement: { Action: string | string[] }) => [statement.Action].flat();
    const find = (action: string) => statements.filter((s) => actions(s).includes(action));
    expect(find("cloudwatch:PutMetricData")[0]).toMatchObject({
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": "Watchpost" } },
    });
    // Writes by key prefix: alert state (a check's own name, never `#…`) and the function's own kinds.
    expect(find("dynamodb:PutItem").map((s) => s.Condition)).toEqual([
      { "ForAllValues:StringNotLike": { "dynamodb:LeadingKeys": ["#*"] } },
      { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#run/*", "#hist/*", "#inc/*"] } },
    ]);
    expect(JSON.stringify(find("secretsmanager:GetSecretValue"))).toContain(":secret:prod/api-token-??????");
    expect(JSON.stringify(find("ssm:GetParameter"))).toContain(":parameter/watchpost/key");
    expect(JSON.stringify(find("rds:DescribeDBSnapshots"))).toContain(":db:orders-prod");
    // No statement grants everything on "*" but those with a written reason (cdk-nag would fail otherwise).
    const star = statements.filter((s) => s.Resource === "*").flatMap(actions);
    expect(star.sort()).toEqual(["cloudwatch:PutMetricData"]);
  });

  it("watches the watcher: errors, throttles, duration, dead letters, skipped checks, failed stages and a heartbeat per interval", () => {
    const { template } = synth();
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm")) as {
      Properties: Record<string, unknown>;
    }[];
    const names = alarms.map((a) => a.Properties.MetricName ?? "math");
    expect(names.sort()).toEqual(
      [
        "ApproximateNumberOfMessagesVisible",
        "DeadLetters",
        "Duration",
        "Errors",
        "FailedStages",
        "SkippedChecks",
        "Results",
        "Results",
        "Results",
        "Throttles",
      ].sort(),
    );
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Results",
      Dimensions: [{ Name: "Interval", Value: "1m" }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: "breaching",
      ComparisonOperator: "LessThanThreshold",
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Results",
      Dimensions: [{ Name: "Interval", Value: "1h" }],
      Period: 3600,
      EvaluationPeriods: 3,
    });
    for (const metric of ["SkippedChecks", "DeadLetters", "FailedStages"])
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "Watchpost",
        MetricName: metric,
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });

  it("places labelled checks in a second function inside the VPC", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, "Private");
    const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
      vpcId: "vpc-12345678",
      availabilityZones: ["eu-west-1a"],
      privateSubnetIds: ["subnet-12345678"],
    });
    const watchpost = new Watchpost(stack, "Monitor", {
      checksDir,
      privateNetwork: {
        vpc,
        proxy: { url: "http://proxy.internal:3128", noProxy: [".internal", "10.0.0.0/8"] },
      },
    });
    app.synth();
    const template = Template.fromStack(stack);
    expect(watchpost.functions.map((fn) => fn.node.id)).toEqual(["Probe", "PrivateProbe"]);
    expect(watchpost.shards.map((s) => s.id)).toContain("vpc-1m-0");
    // The probe functions, and CDK's function that empties the status page bucket on delete.
    template.resourceCountIs("AWS::Lambda::Function", 3);
    // The VPC's function goes out through its proxy, every outbound call alike; the other does not.
    template.hasResourceProperties("AWS::Lambda::Function", {
      VpcConfig: { SubnetIds: ["subnet-12345678"] },
      Environment: {
        Variables: Match.objectLike({
          HTTPS_PROXY: "http://proxy.internal:3128",
          HTTP_PROXY: "http://proxy.internal:3128",
          NO_PROXY: "localhost,127.0.0.1,169.254.169.254,169.254.170.2,.internal,10.0.0.0/8",
        }),
      },
    });
    const proxied = Object.values(template.findResources("AWS::Lambda::Function")).filter(
      (fn) => fn.Properties?.Environment?.Variables?.HTTPS_PROXY !== undefined,
    );
    expect(proxied).toHaveLength(1);
    const other = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "WithCredentials");
    const otherVpc = ec2.Vpc.fromVpcAttributes(other, "Vpc", {
      vpcId: "vpc-12345678",
      availabilityZones: ["eu-west-1a"],
      privateSubnetIds: ["subnet-12345678"],
    });
    expect(
      () =>
        new Watchpost(other, "Monitor", {
          checksDir,
          privateNetwork: { vpc: otherVpc, proxy: { url: "http://user:pw@proxy.internal:3128" } },
        }),
    ).toThrow(/expected no credentials/);
  });

  it("probes from several regions: the home keeps the state and decides, the others report to it", () => {
    const regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];
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
    const homeTemplate = Template.fromStack(home);
    const awayTemplate = Template.fromStack(away);
    // One state table, in the home region, under a name the others can find.
    // The stacks' names without their regions: the same for every location, another deployment's not.
    homeTemplate.hasResourceProperties("AWS::DynamoDB::Table", { TableName: "Watchpost-state" });
    awayTemplate.resourceCountIs("AWS::DynamoDB::Table", 0);
    expect(functionConfig(homeTemplate).locations).toEqual({
      all: regions,
      home: "eu-west-1",
      stateRegion: "eu-west-1",
    });
    expect(functionConfig(awayTemplate).locations).toEqual({
      all: regions,
      home: "eu-west-1",
      stateRegion: "eu-west-1",
    });
    // The others write their reports to the home's table, and nothing else of it.
    const awayPolicies = JSON.stringify(awayTemplate.findResources("AWS::IAM::Policy"));
    expect(awayPolicies).toContain(":dynamodb:eu-west-1:");
    expect(awayPolicies).toContain(":table/Watchpost-state");
    // The home alarms on each other location that goes silent, and shows every location.
    const alarms = Object.keys(homeTemplate.findResources("AWS::CloudWatch::Alarm"));
    expect(alarms.filter((id) => id.includes("LocationSilent")).length).toBe(2);
    expect(
      Object.keys(awayTemplate.findResources("AWS::CloudWatch::Alarm")).some((id) =>
        id.includes("LocationSilent"),
      ),
    ).toBe(false);
    const dashboard = JSON.stringify(homeTemplate.findResources("AWS::CloudWatch::Dashboard"));
    expect(dashboard).toContain("Locations: results sent, by region");
    expect(dashboard).toContain('\\"region\\":\\"ap-southeast-2\\"');
  });

  it("grants each region what the checks placed there ask for, and no more", async () => {
    const placed = await mkdtemp(path.join(tmpdir(), "watchpost-placed-"));
    await writeFile(
      path.join(placed, "checks.yml"),
      `checks:
  - name: eu-only
    locations: [eu-west-1]
    http: { url: https://api.example.com, headers: { authorization: "\${secret:eu-token}" } }
  - name: everywhere
    http: { url: https://www.example.com }
`,
    );
    const regions = ["eu-west-1", "us-east-1"];
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const [eu, us] = regions.map(
      (region) =>
        new WatchpostStack(app, `Watchpost-${region}`, {
          checksDir: placed,
          env: { region },
          locations: { regions },
        }),
    ) as [WatchpostStack, WatchpostStack];
    app.synth();
    const policies = (stack: WatchpostStack) =>
      JSON.stringify(Template.fromStack(stack).findResources("AWS::IAM::Policy"));
    expect(policies(eu)).toContain("secret:eu-token");
    expect(policies(us)).not.toContain("secret:eu-token");
  });

  it("refuses locations that cannot work, in one line", async () => {
    const attempt = (props: Partial<WatchpostStackProps>) => () => {
      const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
      new WatchpostStack(app, "Watchpost", { checksDir, ...props });
    };
    expect(attempt({ locations: { regions: ["eu-west-1", "us-east-1"] } })).toThrow(
      "locations: this stack has no region of its own; give it env: { region } (one stack per location)",
    );
    expect(
      attempt({ env: { region: "sa-east-1" }, locations: { regions: ["eu-west-1", "us-east-1"] } }),
    ).toThrow("locations: this stack's region sa-east-1 is not one of eu-west-1, us-east-1");
    expect(attempt({ env: { region: "eu-west-1" }, locations: { regions: ["eu-west-1"] } })).toThrow(
      "locations.regions: expected at least two different regions, found [eu-west-1]",
    );
    const placed = await mkdtemp(path.join(tmpdir(), "watchpost-placed-"));
    await writeFile(
      path.join(placed, "checks.yml"),
      "checks:\n  - name: api\n    locations: [eu-west-1, mars-north-1]\n    http: { url: https://api.example.com }\n",
    );
    expect(
      attempt({
        checksDir: placed,
        env: { region: "eu-west-1" },
        locations: { regions: ["eu-west-1", "us-east-1"] },
      }),
    ).toThrow(
      /checks\.yml:2:5: check api runs at mars-north-1, not among the locations eu-west-1, us-east-1/,
    );
  });

  it("publishes per-check CloudWatch metrics by default only where no remote-write takes the results", () => {
    const dashboard = (template: Template) =>
      JSON.stringify(Object.values(template.findResources("AWS::CloudWatch::Dashboard"))[0]);
    const remoteWrite = { url: "https://prometheus.example/api/v1/write" };
    const alone = synth().template;
    expect(functionConfig(alone).checkMetrics).toBe(true);
    expect(dashboard(alone)).toContain("Success by check");
    const withPrometheus = synth({ remoteWrite }).template;
    expect(functionConfig(withPrometheus).checkMetrics).toBe(false);
    // No graph of metrics that are not written; the monitor's own graphs stay.
    expect(dashboard(withPrometheus)).not.toContain("Success by check");
    expect(dashboard(withPrometheus)).toContain("Monitor: invocations");
    expect(functionConfig(synth({ remoteWrite, checkMetrics: true }).template).checkMetrics).toBe(true);
    expect(functionConfig(synth({ checkMetrics: false }).template).checkMetrics).toBe(false);
  });

  it("writes to Amazon Managed Prometheus with aps:RemoteWrite on that workspace alone, or with a secret", () => {
    const workspace = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-abc";
    const { template } = synth({
      remoteWrite: {
        url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-abc/api/v1/remote_write",
        ampWorkspaceArn: workspace,
        job: "blackbox",
        instance: "check",
      },
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: "aps:RemoteWrite", Effect: "Allow", Resource: workspace }]),
      },
    });
    expect(functionConfig(template).remoteWrite).toEqual({
      url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-abc/api/v1/remote_write",
      sigv4Region: "eu-west-1",
      job: "blackbox",
      instance: "check",
    });
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const stack = new Stack(app, "Secret");
    const credentials = new secretsmanager.Secret(stack, "Grafana");
    new Watchpost(stack, "Monitor", {
      checksDir,
      remoteWrite: { url: "https://prometheus.example/api/prom/push", credentials },
    });
    expect(functionConfig(Template.fromStack(stack)).remoteWrite).toEqual({
      url: "https://prometheus.example/api/prom/push",
      secretArn: "<Ref Grafana>",
    });
  });

  it("matches its snapshot, asset hashes aside", () => {
    const json = JSON.stringify(synth().template.toJSON(), null, 1)
      .replace(/[0-9a-f]{64}(\.zip)?/g, "<asset hash>")
      .replace(/watchpost-infra-[A-Za-z0-9]+/g, "<checks dir>");
    expect(json).toMatchSnapshot();
  });
});

describe("the CDK app", () => {
  it("bundles the function with esbuild and the compiled checks beside it", async () => {
    const { assembly } = synth({}, { bundle: true });
    const { readdir, readFile } = await import("node:fs/promises");
    // The probe function's asset, beside CDK's own (the status page bucket's emptier).
    const assets = (await readdir(assembly.directory)).filter((entry) => entry.startsWith("asset."));
    const listed = await Promise.all(
      assets.map(async (asset) => ({ asset, files: await readdir(path.join(assembly.directory, asset)) })),
    );
    const probe = listed.find(({ files }) => files.includes("checks.json"));
    expect(probe?.files.sort()).toEqual(["checks.json", "index.mjs", "index.mjs.map"]);
    const compiled = JSON.parse(
      await readFile(path.join(assembly.directory, probe?.asset as string, "checks.json"), "utf8"),
    );
    expect(Object.keys(compiled.shards)).toEqual(["1m-0", "15m-0", "1h-0"]);
  }, 60_000);
});
