import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { WatchpostStack } from "../../../lib/infra/stack.js";
import { manyChecks } from "../../support/many-checks.js";

describe("scale", () => {
  it("synthesizes 10,000 checks into one stack within CloudFormation's limits, cdk-nag included", async () => {
    const checksDir = await manyChecks(10_000);
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new WatchpostStack(app, "Watchpost", { checksDir });
    app.synth();
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, unknown> };
    const resources = Object.keys(template.Resources).length;
    const bytes = Buffer.byteLength(JSON.stringify(template));
    expect(stack.watchpost.checks).toHaveLength(10_000);
    // 4,000 1m checks in shards of 128 (two waves of 64, each check timing out twice in 10s, fit the
    // 1m interval's 44s of probe time); 2,000 each at 5m, 15m and 1h in shards of 200.
    expect(stack.watchpost.shards.length).toBe(32 + 3 * 10);
    expect(resources).toBeLessThanOrEqual(500);
    expect(bytes).toBeLessThan(1_000_000);
  }, 120_000);
});

describe("scale across locations", () => {
  it("synthesizes 10,000 checks × 3 locations into three stacks within CloudFormation's limits", async () => {
    const checksDir = await manyChecks(10_000);
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const regions = ["eu-west-1", "us-east-1", "ap-southeast-2"];
    const stacks = regions.map(
      (region) =>
        new WatchpostStack(app, `Watchpost-${region}`, {
          checksDir,
          env: { region },
          locations: { regions },
        }),
    );
    app.synth();
    for (const stack of stacks) {
      const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, unknown> };
      expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(500);
      expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(1_000_000);
      // Every location runs every shard (no check here is placed in some regions only).
      expect(stack.watchpost.shards.length).toBe(32 + 3 * 10);
    }
  }, 180_000);
});
