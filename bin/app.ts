#!/usr/bin/env node
/**
 * The Watchpost CDK app: `npx cdk deploy`. Context (`-c NAME=VALUE`, or cdk.json's "context"):
 * - `checksDir`: the check files (default `checks`);
 * - `notifyEmail`: e-mail subscriptions to the notifications topic, comma-separated;
 * - `channels`: a channels file (Slack, PagerDuty, Teams, webhooks; targets as `${secret:ID}`);
 * - `regions`: `eu-west-1,us-east-1` for one independent monitor per region (default one
 *   environment-agnostic stack);
 * - `locations`: `eu-west-1,us-east-1,ap-southeast-2` for one monitor probing from several regions
 *   (one stack each) that alerts when a quorum agrees; `homeLocation` the region that decides
 *   (default the first);
 * - `remoteWriteUrl`: Prometheus remote-write from the probe function, authenticated by
 *   `remoteWriteSecretArn` (a Secrets Manager secret with `bearerToken`, or `username` and
 *   `password`, and optional `headers`) or by SigV4 with `remoteWriteSigv4Region` (Amazon Managed
 *   Service for Prometheus: the URL's workspace is the only one the function may write to);
 *   `remoteWriteJob` (the `job` label, default `watchpost`) and `remoteWriteInstance` (`target`, the
 *   default, or `check`: what the `instance` label holds);
 * - `checkMetrics`: `true` or `false`, per-check CloudWatch metrics (default: on without remote-write,
 *   off with it; see docs/cost.md);
 * - `statusPage`: `private` (the default: a private bucket), `public` (CloudFront in front of it) or
 *   `off`; `statusPageGroupBy` (default `team`) and `statusPageTitle`;
 * - `historyDays`: days of history kept (default 400), or `off` (no history, status page or SLO alerts).
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { ChannelsFileError, deployProblems, loadChannels } from "../lib/alerting/channels/config.js";
import type { ChannelSpec } from "../lib/alerting/notifiers/channel.js";
import { WatchpostStack } from "../lib/infra/stack.js";
import {
  ampWorkspaceArn,
  WatchpostChecksError,
  WatchpostConfigError,
  type WatchpostRemoteWrite,
} from "../lib/infra/watchpost.js";
import { INSTANCE_MODES, type InstanceMode } from "../lib/metrics/series.js";

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const context = (name: string) => {
  const value = app.node.tryGetContext(name) as unknown;
  return value === undefined || value === "" ? undefined : String(value);
};

/** The app's own usage mistakes: said in one line, like a bad check file, with no stack trace. */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function remoteWrite(): WatchpostRemoteWrite | undefined {
  const url = context("remoteWriteUrl");
  const secretArn = context("remoteWriteSecretArn");
  const region = context("remoteWriteSigv4Region");
  const job = context("remoteWriteJob");
  const instance = context("remoteWriteInstance");
  if (!url) {
    const given = Object.entries({
      remoteWriteSecretArn: secretArn,
      remoteWriteSigv4Region: region,
      remoteWriteJob: job,
      remoteWriteInstance: instance,
    }).find(([, value]) => value !== undefined);
    if (given) refuse(`-c ${given[0]} needs -c remoteWriteUrl=URL`);
    return undefined;
  }
  if (instance !== undefined && !INSTANCE_MODES.includes(instance as InstanceMode))
    refuse(`-c remoteWriteInstance: expected ${INSTANCE_MODES.join(" or ")}, found "${instance}"`);
  const labels = {
    ...(job ? { job } : {}),
    ...(instance ? { instance: instance as InstanceMode } : {}),
  };
  if (secretArn && region)
    refuse("-c remoteWriteSecretArn and -c remoteWriteSigv4Region: give one, not both");
  if (secretArn && !/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(secretArn))
    refuse(
      `-c remoteWriteSecretArn: expected a secret's complete ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-abcdef), found "${secretArn}"`,
    );
  if (region) {
    const arn = ampWorkspaceArn(url, region);
    if (!arn)
      refuse(
        "-c remoteWriteSigv4Region: expected -c remoteWriteUrl to name a Managed Prometheus workspace (…/workspaces/ws-…/api/v1/remote_write)",
      );
    return { url, ampWorkspaceArn: arn, ...labels };
  }
  return { url, ...(secretArn ? { credentialsSecretArn: secretArn } : {}), ...labels };
}

const checksDir = context("checksDir") ?? "checks";
const emails = (context("notifyEmail") ?? "")
  .split(",")
  .map((address) => address.trim())
  .filter(Boolean);
const regions = (context("regions") ?? "")
  .split(",")
  .map((region) => region.trim())
  .filter(Boolean);
const metrics = remoteWrite();
const checkMetricsText = context("checkMetrics");
if (checkMetricsText !== undefined && checkMetricsText !== "true" && checkMetricsText !== "false")
  refuse(`-c checkMetrics: expected true or false, found "${checkMetricsText}"`);
const statusPageText = context("statusPage") ?? "private";
if (!["private", "public", "off"].includes(statusPageText))
  refuse(`-c statusPage: expected private, public or off, found "${statusPageText}"`);
const historyText = context("historyDays");
if (historyText !== undefined && historyText !== "off" && !/^[1-9]\d*$/.test(historyText))
  refuse(`-c historyDays: expected a whole number of days or off, found "${historyText}"`);
const groupBy = context("statusPageGroupBy");
const title = context("statusPageTitle");
const channelsFile = context("channels");
let channels: ChannelSpec[] = [];
if (channelsFile) {
  try {
    channels = loadChannels(channelsFile);
  } catch (error) {
    if (error instanceof ChannelsFileError) refuse(error.message);
    throw error;
  }
  const problems = deployProblems(channels, channelsFile);
  if (problems.length > 0) refuse(problems.join("\n"));
}
const props = {
  checksDir,
  ...(emails.length > 0 ? { subscriptions: emails.map((email) => ({ email })) } : {}),
  ...(metrics ? { remoteWrite: metrics } : {}),
  ...(channels.length > 0 ? { channels } : {}),
  ...(checkMetricsText !== undefined ? { checkMetrics: checkMetricsText === "true" } : {}),
  ...(historyText === "off"
    ? { history: false as const }
    : historyText
      ? { history: { retainDays: Number(historyText) } }
      : {}),
  statusPage:
    statusPageText === "off"
      ? (false as const)
      : {
          public: statusPageText === "public",
          ...(groupBy ? { groupBy } : {}),
          ...(title ? { title } : {}),
        },
};

const locations = (context("locations") ?? "")
  .split(",")
  .map((region) => region.trim())
  .filter(Boolean);
const homeLocation = context("homeLocation");
if (locations.length > 0 && regions.length > 0)
  refuse(
    "-c regions and -c locations: give one (regions: independent monitors; locations: one monitor, a quorum)",
  );
if (homeLocation && locations.length === 0) refuse("-c homeLocation needs -c locations");

try {
  if (locations.length > 0) {
    for (const region of locations)
      new WatchpostStack(app, `Watchpost-${region}`, {
        ...props,
        env: { region },
        locations: { regions: locations, ...(homeLocation ? { home: homeLocation } : {}) },
      });
  } else if (regions.length === 0) {
    new WatchpostStack(app, "Watchpost", props);
  } else {
    for (const region of regions)
      new WatchpostStack(app, `Watchpost-${region}`, { ...props, env: { region } });
  }
} catch (error) {
  // A bad check file or setting is the user's to fix: its messages, not a stack trace.
  if (!(error instanceof WatchpostChecksError) && !(error instanceof WatchpostConfigError)) throw error;
  refuse(error.message);
}
