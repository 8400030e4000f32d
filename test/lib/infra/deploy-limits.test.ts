/** What CloudFormation, Lambda or IAM would refuse only at deploy is refused at synth, naming the cause. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { estimatedBytes } from "../../../lib/infra/deploy-limits.js";
import { WatchpostStack, type WatchpostStackProps } from "../../../lib/infra/stack.js";

async function folder(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "watchpost-limits-"));
  await writeFile(path.join(dir, "checks.yml"), text);
  return dir;
}

function synth(props: WatchpostStackProps): () => void {
  return () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    new WatchpostStack(app, "Watchpost", props);
    app.synth();
  };
}

describe("deploy-time limits at synth", () => {
  it("counts a value CloudFormation fills in at deploy as 100 bytes, literals as they are", () => {
    expect(estimatedBytes("abc")).toBe(3);
    expect(estimatedBytes({ "Fn::Join": ["", ['{"table":"', { Ref: "State" }, '"}']] })).toBe(10 + 100 + 2);
    expect(estimatedBytes({ "Fn::GetAtt": ["Topic", "Arn"] })).toBe(100);
  });

  it("refuses 200 heartbeat checks whose names and token references outgrow the ping function's 4 KB of environment", async () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) =>
        `  - { name: nightly-job-number-${i}, heartbeat: { every: 1d, token: "\${secret:jobs/token-${i}}" } }`,
    );
    const checksDir = await folder(`checks:\n${lines.join("\n")}\n`);
    expect(synth({ checksDir, statusPage: false })).toThrow(
      /Watchpost\/Monitor\/Heartbeats\/Function: its environment variables would be about \d{4,} bytes, and Lambda takes at most 4096 \(the deploy would fail\): WATCHPOST_PING_CONFIG about \d+ bytes/,
    );
  }, 60_000);

  it("refuses a role that would need more managed policies than IAM attaches (CDK moves grants that outgrow the inline policy into them)", async () => {
    const secrets = (count: number) =>
      folder(
        `checks:\n${Array.from(
          { length: count },
          (_, i) =>
            `  - { name: api-${i}, http: { url: "https://api.example.com/${i}", headers: { Authorization: "\${secret:teams/service-number-${i}/api-token}" } } }`,
        ).join("\n")}\n`,
      );
    // 150 secrets: CDK spreads the grants over overflow policies of 6 KB, which IAM takes.
    expect(synth({ checksDir: await secrets(150), statusPage: false })).not.toThrow();
    expect(synth({ checksDir: await secrets(1_400), statusPage: false })).toThrow(
      /Watchpost\/Monitor\/ProbeRole: \d+ managed policies would be attached .*and IAM attaches at most 20 to a role \(the deploy would fail\)/,
    );
  }, 240_000);

  it("refuses a state table name or namespace AWS would not take, and Lambda's own variable names", async () => {
    const checksDir = await folder("checks:\n  - { name: api, http: { url: https://api.example.com } }\n");
    expect(
      synth({
        checksDir,
        env: { region: "eu-west-1" },
        locations: { regions: ["eu-west-1", "us-east-1"], stateTableName: "state table!" },
      }),
    ).toThrow(
      /locations\.stateTableName: expected 3 to 255 letters, digits, '_', '-' or '\.' \(DynamoDB's table names\), found "state table!"/,
    );
    expect(synth({ checksDir, namespace: "AWS/Lambda" })).toThrow(
      /namespace: expected at most 255 characters, not starting with AWS\//,
    );
    expect(synth({ checksDir, environment: { AWS_REGION: "x", API_BASE: "https://x" } })).toThrow(
      "environment: expected names Lambda leaves to the function, found AWS_REGION (reserved by Lambda)",
    );
  }, 60_000);

  it("lets a check read a variable the construct's environment sets, and refuses one it does not, where it is written", async () => {
    const checksDir = await folder(
      'checks:\n  - name: api\n    http: { url: "${env:API_BASE}/health", headers: { X-Key: "${env:API_KEY}" } }\n',
    );
    expect(
      synth({ checksDir, environment: { API_BASE: "https://staging.example.com", API_KEY: "k" } }),
    ).not.toThrow();
    expect(synth({ checksDir, environment: { API_BASE: "https://staging.example.com" } })).toThrow(
      /checks\.yml:3:62: checks\[0\]\.http\.headers\.X-Key: expected a \$\{secret:ID\} or \$\{ssm:NAME\} reference to deploy \(the deployed functions have no variable API_KEY unless the construct's environment sets it\), found \$\{env:API_KEY\}/,
    );
  }, 60_000);
});
