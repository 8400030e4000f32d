#!/usr/bin/env node
/**
 * The Watchpost CDK app: `npx cdk deploy`. Context: `-c checksDir=PATH` (default checks),
 * `-c notifyEmail=a@b.example` (an email subscription), `-c regions=eu-west-1,us-east-1` (one stack
 * per region; default one environment-agnostic stack).
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { WatchpostStack } from "../lib/infra/stack.js";
import { WatchpostChecksError } from "../lib/infra/watchpost.js";

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const checksDir = (app.node.tryGetContext("checksDir") as string | undefined) ?? "checks";
const email = app.node.tryGetContext("notifyEmail") as string | undefined;
const regions = String(app.node.tryGetContext("regions") ?? "")
  .split(",")
  .map((region) => region.trim())
  .filter(Boolean);
const props = { checksDir, ...(email ? { subscriptions: [{ email }] } : {}) };

try {
  if (regions.length === 0) {
    new WatchpostStack(app, "Watchpost", props);
  } else {
    for (const region of regions)
      new WatchpostStack(app, `Watchpost-${region}`, { ...props, env: { region } });
  }
} catch (error) {
  // A bad check file is the user's to fix: its messages, not a stack trace.
  if (!(error instanceof WatchpostChecksError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
