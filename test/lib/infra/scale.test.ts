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
    expect(stack.watchpost.shards.length).toBe(50);
    expect(resources).toBeLessThanOrEqual(500);
    expect(bytes).toBeLessThan(1_000_000);
  }, 120_000);
});
