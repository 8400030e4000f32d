/**
 * The deployments the construct must keep synthesizing the same way: one location, several, heartbeats,
 * a public status page, none, a private network, remote-write (secret, imported secret, Managed
 * Prometheus), notifications with subscriptions and channels. Each is synthesized with cdk-nag and
 * the shipped app's feature flags (cdk.json), as `cdk synth` does.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { App, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { WatchpostStack, type WatchpostStackProps } from "../../../lib/infra/stack.js";
import { Watchpost } from "../../../lib/infra/watchpost.js";

const root = path.join(import.meta.dirname, "../../..");

/** The check files of the matrix, by folder. */
const FOLDERS = {
  mixed: `defaults:
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
    slo: { availability: 99%, window: 7d }
slos:
  - name: payments
    labels: { team: payments }
    availability: 99.9%
    window: 30d
`,
  heartbeats: `checks:
  - name: api
    http: { url: "https://api.example.com/health" }
  - name: nightly-backup
    heartbeat: { cron: "0 3 * * *", timezone: Europe/Berlin }
  - name: weekly-report
    heartbeat: { every: 7d, token: "\${secret:jobs/report-token}" }
`,
  placed: `checks:
  - name: eu-only
    locations: [eu-west-1]
    http: { url: https://api.example.com, headers: { authorization: "\${secret:eu-token}" } }
  - name: everywhere
    interval: 5m
    http: { url: https://www.example.com }
  - name: ping
    heartbeat: { every: 1h }
`,
};

const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"];

type Folders = Record<keyof typeof FOLDERS, string>;

/** One deployment: the stacks it adds to an app. */
interface Case {
  name: string;
  build(app: App, folders: Folders): Stack[];
}

const monitor = (id: string, props: WatchpostStackProps) => (app: App) => [
  new WatchpostStack(app, id, props),
];

/** A team's own stack holding the construct (library mode), with what it brings of its own. */
function librarySetup(
  props: (stack: Stack) => Omit<ConstructorParameters<typeof Watchpost>[2], "checksDir">,
  folder: keyof typeof FOLDERS = "mixed",
  stackProps: StackProps = {},
): Case["build"] {
  return (app, folders) => {
    const stack = new Stack(app, "Team", stackProps);
    new Watchpost(stack, "Monitor", { checksDir: folders[folder], ...props(stack) });
    return [stack];
  };
}

export const CASES: Case[] = [
  { name: "one-location", build: (app, f) => monitor("Watchpost", { checksDir: f.mixed })(app) },
  {
    name: "notifications",
    build: (app, f) =>
      monitor("Watchpost", {
        checksDir: f.mixed,
        subscriptions: [
          { email: "oncall@example.com", severities: ["critical"], labels: { team: ["payments"] } },
          { url: "https://events.example/hook" },
        ],
        channels: [
          { kind: "slack", target: "${secret:watchpost/slack-webhook}" },
          { kind: "pagerduty", target: "${secret:watchpost/pagerduty}", route: { severities: ["critical"] } },
        ],
        groupThreshold: 3,
        maxDeliveryAttempts: 4,
      })(app),
  },
  {
    name: "subscribers-in-stack",
    build: librarySetup((stack) => {
      const queue = new sqs.Queue(stack, "Inbox", { enforceSSL: true });
      Validations.of(queue).acknowledge({ id: "AwsSolutions-SQS3", reason: "The team's own queue." });
      return { subscriptions: [{ queue, severities: ["warning"] }] };
    }),
  },
  {
    name: "several-locations",
    build: (app, f) =>
      REGIONS.map(
        (region) =>
          new WatchpostStack(app, `Watchpost-${region}`, {
            checksDir: f.placed,
            env: { region },
            locations: { regions: REGIONS },
          }),
      ),
  },
  {
    name: "regions",
    build: (app, f) =>
      ["eu-west-1", "us-east-1"].map(
        (region) => new WatchpostStack(app, `Watchpost-${region}`, { checksDir: f.mixed, env: { region } }),
      ),
  },
  {
    name: "heartbeats",
    build: (app, f) =>
      monitor("Watchpost", { checksDir: f.heartbeats, heartbeats: { rateLimit: 5, burstLimit: 8 } })(app),
  },
  {
    name: "status-page-public",
    build: (app, f) =>
      monitor("Watchpost", {
        checksDir: f.mixed,
        statusPage: { public: true, groupBy: "service", title: "Shop" },
        history: { retainDays: 90 },
      })(app),
  },
  {
    name: "no-history",
    build: (app, f) => monitor("Watchpost", { checksDir: f.heartbeats, history: false })(app),
  },
  {
    name: "private-network",
    build: librarySetup(
      (stack) => ({
        privateNetwork: {
          vpc: ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
            vpcId: "vpc-12345678",
            availabilityZones: ["eu-west-1a"],
            privateSubnetIds: ["subnet-12345678"],
            privateSubnetRouteTableIds: ["rtb-12345678"],
          }),
        },
      }),
      "mixed",
      { env: { region: "eu-west-1", account: "123456789012" } },
    ),
  },
  {
    name: "remote-write-secret",
    build: librarySetup((stack) => {
      const credentials = new secretsmanager.Secret(stack, "Grafana");
      Validations.of(credentials).acknowledge({ id: "AwsSolutions-SMG4", reason: "The team's own secret." });
      return {
        remoteWrite: { url: "https://prometheus.example/api/prom/push", credentials },
        checkMetrics: true,
      };
    }),
  },
  {
    name: "remote-write-arn",
    build: (app, f) =>
      monitor("Watchpost", {
        checksDir: f.heartbeats,
        remoteWrite: {
          url: "https://prometheus.example/api/v1/write",
          credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:grafana-AbCdEf",
          job: "blackbox",
        },
      })(app),
  },
  {
    name: "remote-write-amp",
    build: (app, f) =>
      monitor("Watchpost", {
        checksDir: f.mixed,
        remoteWrite: {
          url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-abc/api/v1/remote_write",
          ampWorkspaceArn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-abc",
          instance: "check",
        },
        phaseMetrics: true,
        highResolutionMetrics: true,
        namespace: "Shop",
        memorySize: 512,
        maxChecksPerShard: 1,
      })(app),
  },
];

/** The feature flags the shipped app synthesizes with (cdk.json's context). */
export function shippedFlags(): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(path.join(root, "cdk.json"), "utf8")) as { context: Record<string, unknown> }
  ).context;
}

/**
 * Every case's templates (or the `only` cases'), by `case/stack`: bundling skipped, construct paths
 * recorded in each resource's metadata. `flags` are the feature flags to synthesize with.
 */
export async function synthMatrix(
  dir: string,
  flags: Record<string, unknown> = shippedFlags(),
  only?: string[],
): Promise<Map<string, Record<string, unknown>>> {
  const folders = {} as Folders;
  for (const [name, text] of Object.entries(FOLDERS)) {
    const folder = path.join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "checks.yml"), text);
    folders[name as keyof Folders] = folder;
  }
  const templates = new Map<string, Record<string, unknown>>();
  for (const each of CASES.filter((c) => !only || only.includes(c.name))) {
    const app = new App({
      context: { ...flags, "aws:cdk:bundling-stacks": [], "aws:cdk:enable-path-metadata": true },
      outdir: path.join(dir, "cdk.out", each.name),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stacks = each.build(app, folders);
    const assembly = app.synth();
    for (const stack of stacks)
      templates.set(
        `${each.name}/${stack.stackName}`,
        assembly.getStackByName(stack.stackName).template as Record<string, unknown>,
      );
  }
  return templates;
}
