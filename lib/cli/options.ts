/**
 * The options several commands take, each defined once, and what their values mean. An option only
 * one command takes lives in that command's file.
 */
import { didYouMean } from "../checks/diagnostics.js";
import type { CheckSpec } from "../checks/load.js";
import { parseDuration } from "../units.js";
import type { OptionSpec } from "./command.js";
import { UsageError } from "./context.js";

export const shared = {
  checks: { type: "string", value: "PATH", default: "checks", help: "Folder (or one file) of check files" },
  only: {
    type: "string",
    value: "NAME",
    multiple: true,
    help: "Run only this check; repeat or separate with commas",
  },
  json: { type: "boolean", help: "Print JSON (run: one array; with --watch, one object per line)" },
  wide: { type: "boolean", help: "Print each reason on one line, however long" },
  locations: {
    type: "string",
    value: "A,B,C",
    help: "Several locations, the first deciding on a quorum: run acts as --location among them, sharing --state; plan and cost price a deployment in each",
  },
  state: {
    type: "string",
    value: "FILE",
    default: ".watchpost/state.json",
    help: "Alert state between runs",
  },
  webhook: {
    type: "string",
    value: "URL",
    help: "POST each notification as JSON to URL (default: print it)",
  },
  channels: {
    type: "string",
    value: "FILE",
    help: "Slack, PagerDuty, Teams, Alertmanager and webhook channels, routed by severity and labels",
  },
  out: { type: "string", value: "FILE", help: "Write to FILE instead of standard output" },
  latency: {
    type: "string",
    value: "DURATION",
    default: "300ms",
    help: "Typical check time (300ms, 1.5s; a bare number is milliseconds)",
  },
  "check-metrics": {
    type: "string",
    value: "on|off",
    help: "Per-check CloudWatch metrics (the construct's checkMetrics); default on, off with --prometheus or --amp, as a deployment decides",
  },
  prometheus: {
    type: "boolean",
    help: "The deployment remote-writes to Prometheus (so per-check CloudWatch metrics default off)",
  },
} as const satisfies Record<string, OptionSpec>;

/** Where results go besides the terminal (lib/cli/setup.ts builds the sinks from them). */
export const METRIC_OPTIONS = {
  "remote-write": { type: "string", value: "URL", help: "Prometheus remote-write endpoint (…/api/v1/write)" },
  otlp: {
    type: "string",
    value: "URL",
    help: "OTLP/HTTP metrics to this collector (http://collector:4318); or set OTEL_EXPORTER_OTLP_ENDPOINT",
  },
  "remote-write-header": {
    type: "string",
    value: "NAME=VALUE",
    multiple: true,
    help: "Extra remote-write header, e.g. X-Scope-OrgID=tenant; repeatable",
  },
  "remote-write-bearer-token-file": {
    type: "string",
    value: "FILE",
    help: "Send Authorization: Bearer <the file's content>",
  },
  "remote-write-basic-auth-file": {
    type: "string",
    value: "FILE",
    help: "Send basic auth; the file holds user:password",
  },
  "remote-write-sigv4-region": {
    type: "string",
    value: "REGION",
    help: "Sign for Amazon Managed Service for Prometheus",
  },
  job: {
    type: "string",
    value: "NAME",
    defaultText: "watchpost",
    help: "The job label of remote-written series (blackbox setups often use blackbox)",
  },
  instance: {
    type: "string",
    value: "target|check",
    defaultText: "target",
    help: "What the instance label holds: the probed target, as blackbox's relabelling gives, or the check's name",
  },
  cloudwatch: { type: "boolean", help: "PutMetricData with the default AWS credentials and region" },
  "cloudwatch-namespace": {
    type: "string",
    value: "NS",
    defaultText: "Watchpost",
    help: "CloudWatch namespace",
  },
  "cloudwatch-phases": { type: "boolean", help: "Also publish per-phase HTTP durations" },
  "cloudwatch-high-resolution": { type: "boolean", help: "One-second storage resolution" },
} as const satisfies Record<string, OptionSpec>;

/** Options every command takes; the CLI itself answers them. */
export const GLOBAL_OPTIONS = {
  help: { type: "boolean", short: "h", help: "Show this help" },
  debug: { type: "boolean", help: "Print stack traces of errors" },
  version: { type: "boolean", help: "Print the version" },
} as const satisfies Record<string, OptionSpec>;

/** A list option's names: repeated, separated by commas, or both. */
export function list(values: string | string[] | undefined): string[] {
  return [values ?? []]
    .flat()
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** A whole-number option of at least `min`. */
export function wholeNumber(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} expects a whole number of at least ${min}, found "${raw}"`);
  return n;
}

/** `--check-metrics on|off`, or undefined: as a deployment would decide. */
export function checkMetricsOption(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "on" || value === "off") return value === "on";
  throw new UsageError(`--check-metrics expects on or off, found "${value}"`);
}

/** `--latency`: a duration, or a bare number of milliseconds (`500`). */
export function latencyOption(text: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(
      `--latency expects a duration such as 300ms or 1.5s (or milliseconds: 500), found "${text}"`,
    );
  return ms;
}

/** `--only`: the checks named, each of which must exist. */
export function selectChecks(checks: CheckSpec[], only: string[]): CheckSpec[] {
  if (only.length === 0) return checks;
  const names = checks.map((check) => check.name);
  for (const name of only) {
    if (!names.includes(name)) {
      const suggestion = didYouMean(name, names);
      throw new UsageError(
        `--only names no check "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
      );
    }
  }
  return checks.filter((check) => only.includes(check.name));
}
