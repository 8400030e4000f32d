/**
 * `watchpost plan`: what `cdk deploy` would create from the checks, without AWS: the shards and their
 * schedules, invocations a month, the function's timeout, the IAM permissions each check asks for
 * (secrets and parameters it references, the AWS APIs backup checks read), and the monthly estimate.
 */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { estimateCost } from "../../cost/estimate.js";
import { checkMetricsOn, checkMetricsReason } from "../../deploy/check-metrics.js";
import {
  checkDeployProblems,
  checkPermissions,
  cutShards,
  functionTimeoutMs,
  references,
} from "../../deploy/compile.js";
import { scheduleOf } from "../../heartbeat/verdict.js";
import type { HeartbeatConfig } from "../../probes/config/heartbeat.js";
import { needsRefresh, REFRESH_EVERY_MS } from "../../runtime/freshness.js";
import { formatDuration } from "../../units.js";
import { command } from "../command.js";
import { type Io, plural } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { checkMetricsOption, latencyOption, list, shared, wholeNumber } from "../options.js";

export const planCommand = command({
  name: "plan",
  summary: "Show what cdk deploy would create: shards, schedules, permissions, monthly cost",
  usage: "watchpost plan [options]",
  options: {
    checks: shared.checks,
    json: shared.json,
    "max-checks-per-shard": {
      type: "string",
      value: "N",
      default: "200",
      help: "As the construct's maxChecksPerShard",
    },
    latency: shared.latency,
    "check-metrics": shared["check-metrics"],
    prometheus: shared.prometheus,
    locations: shared.locations,
  },
  examples: [
    "watchpost plan",
    "watchpost plan --prometheus",
    "watchpost plan --locations eu-west-1,us-east-1,ap-southeast-2",
    "watchpost plan --json",
  ],
  exits: ["2: a problem in a check file, or one cdk synth would refuse"],
  run: ({ values }, io) =>
    plan(
      values.checks,
      {
        json: values.json,
        latency: values.latency,
        checkMetrics: checkMetricsOption(values["check-metrics"]),
        prometheus: values.prometheus,
        locations: list(values.locations),
        maxChecksPerShard: wholeNumber("max-checks-per-shard", values["max-checks-per-shard"], 1),
      },
      io,
    ),
});

export interface PlanOptions {
  json: boolean;
  latency: string;
  /** Asked for, or undefined: as a deployment decides (lib/deploy/check-metrics.ts). */
  checkMetrics: boolean | undefined;
  /** The deployment remote-writes to Prometheus. */
  prometheus: boolean;
  /** `--locations`: the deployment's locations, the first deciding; none or one is a single location. */
  locations: string[];
  maxChecksPerShard: number;
}

const MONTH_MS = 30 * 24 * 3_600_000;

export async function plan(target: string, options: PlanOptions, io: Io): Promise<number> {
  const latencyMs = latencyOption(options.latency);
  const loaded = await loadChecks(path.resolve(target));
  const problems = [
    ...loaded.diagnostics,
    ...(loaded.diagnostics.length ? [] : checkDeployProblems(loaded.checks)),
  ];
  if (problems.length > 0) {
    reportDiagnostics(problems, io);
    return 2;
  }
  const shards = cutShards(loaded.checks, options.maxChecksPerShard);
  const checkMetrics = checkMetricsOn(options.checkMetrics, options.prometheus);
  const estimate = estimateCost(loaded.checks, {
    latencyMs,
    checkMetrics,
    maxChecksPerShard: options.maxChecksPerShard,
    locations: Math.max(1, options.locations.length),
  });
  const permissions = loaded.checks.flatMap((check) => {
    const { secrets, parameters } = references([check]);
    const grants = [
      ...secrets.map((id) => `secretsmanager:GetSecretValue on ${id}`),
      ...parameters.map((name) => `ssm:GetParameter on ${name}`),
      ...checkPermissions([check]).map((p) => `${p.actions.join(", ")} on ${p.resources.join(", ")}`),
    ];
    return grants.length > 0 ? [{ check: check.name, grants }] : [];
  });
  const heartbeats = loaded.checks
    .filter((check) => check.kind === "heartbeat")
    .map((check) => {
      const cfg = check.config as HeartbeatConfig;
      const schedule = scheduleOf(cfg);
      return {
        check: check.name,
        expected: `${schedule.describe} (+${formatDuration(schedule.graceMs)} grace)`,
        url: `<PingUrl>/ping/${check.name}`,
        token:
          cfg.token !== undefined
            ? `the value of ${cfg.token} (the ping function is granted it)`
            : `aws secretsmanager get-secret-value --secret-id <HeartbeatKeySecret> --query SecretString --output text | npx watchpost token ${check.name} --key-file -`,
      };
    });
  const metricsLine = estimate.lines.find((l) => l.item === "CloudWatch custom metrics");
  const places = Math.max(1, options.locations.length);
  const report = {
    ...(places > 1 ? { locations: { all: options.locations, home: options.locations[0] } } : {}),
    shards: shards.map((s) => ({
      id: s.id,
      schedule: `rate(${formatDuration(s.intervalMs)})`,
      checks: s.checks.map((c) => c.name),
      invocationsPerMonth: Math.round(MONTH_MS / s.intervalMs) * places,
    })),
    // Slow shards' latest samples are re-sent between runs by one more schedule.
    refresh: shards.some((s) => needsRefresh(s.intervalMs))
      ? {
          schedule: `rate(${formatDuration(REFRESH_EVERY_MS)})`,
          shards: shards.filter((s) => needsRefresh(s.intervalMs)).map((s) => s.id),
          invocationsPerMonth: Math.round(MONTH_MS / REFRESH_EVERY_MS) * places,
        }
      : undefined,
    cloudWatchCheckMetrics: {
      on: checkMetrics,
      why: checkMetricsReason(options.checkMetrics, options.prometheus),
      metrics: metricsLine?.quantity ?? 0,
      usdPerMonth: Number((metricsLine?.usd ?? 0).toFixed(2)),
    },
    heartbeats,
    functionTimeoutSeconds: shards.length ? Math.ceil(functionTimeoutMs(shards) / 1000) : 0,
    permissions,
    usdPerMonth: Number(estimate.usdPerMonth.toFixed(2)),
    estimate,
  };
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const lines = [
    ...(report.locations
      ? [
          `locations: ${report.locations.home} (home: keeps the alert state, decides on the quorum, notifies), ${report.locations.all.slice(1).join(", ")}; one stack each, every shard run in each (invocations below are for all of them)`,
        ]
      : []),
    `${plural(loaded.checks.length, "check")} in ${plural(shards.length, "shard")} (one schedule and one invocation each per interval${places > 1 ? " and location" : ""}):`,
    ...report.shards.map(
      (s) =>
        `  ${s.id.padEnd(10)} ${s.schedule.padEnd(12)} ${String(s.checks.length).padStart(4)} ${s.checks.length === 1 ? "check " : "checks"}  ${s.invocationsPerMonth.toLocaleString("en")} invocations a month`,
    ),
    ...(report.refresh
      ? [
          `  refresh    ${report.refresh.schedule.padEnd(12)} the latest samples of ${report.refresh.shards.join(", ")} again between runs  ${report.refresh.invocationsPerMonth.toLocaleString("en")} invocations a month`,
        ]
      : []),
    `probe function: nodejs24.x, arm64, timeout ${report.functionTimeoutSeconds}s`,
    checkMetrics
      ? `CloudWatch per-check metrics: on, ${report.cloudWatchCheckMetrics.metrics} custom metrics, $${report.cloudWatchCheckMetrics.usdPerMonth.toFixed(2)} a month: ${report.cloudWatchCheckMetrics.why}`
      : `CloudWatch per-check metrics: off; ${report.cloudWatchCheckMetrics.metrics} custom metric(s) for the monitor's heartbeat: ${report.cloudWatchCheckMetrics.why}`,
    ...(heartbeats.length > 0
      ? [
          "",
          `heartbeat pings: an HTTP API in ${places > 1 ? `the home region (${report.locations?.home})` : "the deployment's region"}, throttled to 10 requests a second (burst 20); <PingUrl> and <HeartbeatKeySecret> are the stack's outputs:`,
          ...heartbeats.flatMap((h) => [
            `  ${h.check}: ${h.expected}`,
            `    POST ${h.url}  (Authorization: Bearer TOKEN)`,
            `    token: ${h.token}`,
          ]),
        ]
      : []),
    "",
    permissions.length > 0
      ? "IAM permissions the checks ask for (besides the monitor's own table, topic, key and metrics):"
      : "IAM: no check asks for more than the monitor's own table, topic, key and metrics.",
    ...permissions.flatMap((p) => [`  ${p.check}:`, ...p.grants.map((g) => `    ${g}`)]),
    "",
    `estimated cost: $${report.usdPerMonth.toFixed(2)} a month (watchpost cost for the detail)`,
  ];
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
