/**
 * The probe function's configuration: one typed object that the construct writes into one
 * environment variable and the handler parses, so no setting is named in two places.
 */

import { CHANNEL_KINDS, type ChannelKind } from "../alerting/channels/formats.js";
import type { ChannelSpec } from "../alerting/notifiers/channel.js";
import { INSTANCE_MODES, type InstanceMode } from "../metrics/series.js";

/** The one environment variable the construct sets (besides Lambda's own). */
export const FUNCTION_CONFIG_ENV = "WATCHPOST_CONFIG";

export interface FunctionConfig {
  /** The DynamoDB table holding alert state. */
  stateTable: string;
  /** The SNS topic notifications go to. */
  topicArn: string;
  /** CloudWatch namespace of check metrics and the monitor's own. */
  namespace: string;
  groupThreshold: number;
  highResolution: boolean;
  phases: boolean;
  checkMetrics: boolean;
  /** Runs in a row a notification may fail before it becomes a dead letter. */
  maxDeliveryAttempts: number;
  remoteWrite?: {
    url: string;
    /** A Secrets Manager secret with `bearerToken`, or `username` and `password`, and `headers`. */
    secretArn?: string;
    /** Sign for Amazon Managed Service for Prometheus in this region. */
    sigv4Region?: string;
    /** The `job` label. Default `watchpost`. */
    job?: string;
    /** What the `instance` label holds. Default `target`. */
    instance?: InstanceMode;
  };
  /** OTLP/HTTP metrics: the endpoint, headers (references resolved at run time), `service.name`. */
  otlp?: { endpoint: string; headers?: Record<string, string>; serviceName?: string };
  /** Slack, PagerDuty, Teams and webhook channels besides the topic; targets are `${secret:…}` references. */
  channels?: ChannelSpec[];
  /**
   * Several locations (regions) probing together: every one reports its results to the state table
   * in the home region; the home decides on a quorum and alerts (lib/runtime/quorum.ts).
   */
  locations?: {
    /** Every location, this one included. */
    all: string[];
    /** The location that holds the state and decides. */
    home: string;
    /** The state table's region (the home's), when this function runs elsewhere. */
    stateRegion: string;
  };
  /** History (status page, SLOs) kept in the state table this many days; absent: none kept. */
  history?: { retainDays: number };
  /** The status page: written to this bucket after each run of this shard (the shortest interval's). */
  statusPage?: { bucket: string; shard: string; groupBy: string; title: string };
}

export class FunctionConfigError extends Error {
  override name = "FunctionConfigError";
}

/** The configuration from the function's environment; every problem named with what was found. */
export function parseFunctionConfig(env: Record<string, string | undefined>): FunctionConfig {
  const text = env[FUNCTION_CONFIG_ENV];
  const fail = (what: string): never => {
    throw new FunctionConfigError(`${FUNCTION_CONFIG_ENV}: ${what} (the Watchpost construct sets it)`);
  };
  if (!text) return fail("not set");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return fail("expected a JSON object");
  const value = raw as Record<string, unknown>;
  const string = (key: string, from = value, path = key): string => {
    const found = from[key];
    if (typeof found !== "string" || found === "")
      fail(`${path}: expected a non-empty string, found ${JSON.stringify(found)}`);
    return found as string;
  };
  const bool = (key: string): boolean => {
    const found = value[key];
    if (typeof found !== "boolean") fail(`${key}: expected true or false, found ${JSON.stringify(found)}`);
    return found as boolean;
  };
  const count = (key: string): number => {
    const found = value[key];
    if (typeof found !== "number" || !Number.isInteger(found) || found < 1)
      fail(`${key}: expected a whole number of at least 1, found ${JSON.stringify(found)}`);
    return found as number;
  };
  const config: FunctionConfig = {
    stateTable: string("stateTable"),
    topicArn: string("topicArn"),
    namespace: string("namespace"),
    groupThreshold: count("groupThreshold"),
    highResolution: bool("highResolution"),
    phases: bool("phases"),
    checkMetrics: bool("checkMetrics"),
    maxDeliveryAttempts: count("maxDeliveryAttempts"),
  };
  const rw = value.remoteWrite;
  if (rw !== undefined) {
    if (!rw || typeof rw !== "object")
      return fail(`remoteWrite: expected an object, found ${JSON.stringify(rw)}`);
    const r = rw as Record<string, unknown>;
    config.remoteWrite = {
      url: string("url", r, "remoteWrite.url"),
      ...(r.secretArn !== undefined ? { secretArn: string("secretArn", r, "remoteWrite.secretArn") } : {}),
      ...(r.sigv4Region !== undefined
        ? { sigv4Region: string("sigv4Region", r, "remoteWrite.sigv4Region") }
        : {}),
      ...(r.job !== undefined ? { job: string("job", r, "remoteWrite.job") } : {}),
    };
    if (r.instance !== undefined) {
      if (!INSTANCE_MODES.includes(r.instance as InstanceMode))
        fail(
          `remoteWrite.instance: expected ${INSTANCE_MODES.join(" or ")}, found ${JSON.stringify(r.instance)}`,
        );
      config.remoteWrite.instance = r.instance as InstanceMode;
    }
    if (config.remoteWrite.secretArn && config.remoteWrite.sigv4Region)
      fail("remoteWrite: give secretArn or sigv4Region, not both");
  }
  if (value.otlp !== undefined) {
    const o = (value.otlp ?? {}) as Record<string, unknown>;
    const headers = o.headers ?? {};
    if (
      typeof headers !== "object" ||
      Array.isArray(headers) ||
      Object.values(headers).some((v) => typeof v !== "string")
    )
      fail(`otlp.headers: expected a mapping of header to text, found ${JSON.stringify(o.headers)}`);
    config.otlp = {
      endpoint: string("endpoint", o, "otlp.endpoint"),
      ...(o.headers !== undefined ? { headers: headers as Record<string, string> } : {}),
      ...(o.serviceName !== undefined ? { serviceName: string("serviceName", o, "otlp.serviceName") } : {}),
    };
  }
  if (value.locations !== undefined) {
    const l = (value.locations ?? {}) as Record<string, unknown>;
    const all = l.all;
    if (!Array.isArray(all) || all.length < 2 || !all.every((x) => typeof x === "string" && x !== ""))
      fail(`locations.all: expected a list of at least two locations, found ${JSON.stringify(all)}`);
    const home = string("home", l, "locations.home");
    if (!(all as string[]).includes(home))
      fail(`locations.home: expected one of ${JSON.stringify(all)}, found ${JSON.stringify(home)}`);
    config.locations = {
      all: all as string[],
      home,
      stateRegion: string("stateRegion", l, "locations.stateRegion"),
    };
  }
  if (value.history !== undefined) {
    const h = (value.history ?? {}) as Record<string, unknown>;
    if (typeof h.retainDays !== "number" || !Number.isInteger(h.retainDays) || h.retainDays < 1)
      fail(`history.retainDays: expected a whole number of days, found ${JSON.stringify(h.retainDays)}`);
    config.history = { retainDays: h.retainDays as number };
  }
  if (value.statusPage !== undefined) {
    const p = (value.statusPage ?? {}) as Record<string, unknown>;
    config.statusPage = {
      bucket: string("bucket", p, "statusPage.bucket"),
      shard: string("shard", p, "statusPage.shard"),
      groupBy: string("groupBy", p, "statusPage.groupBy"),
      title: string("title", p, "statusPage.title"),
    };
    if (!config.history) fail("statusPage: needs history");
  }
  if (value.channels !== undefined) {
    if (!Array.isArray(value.channels))
      return fail(`channels: expected a list, found ${JSON.stringify(value.channels)}`);
    config.channels = value.channels.map((raw, i) => {
      const c = (raw ?? {}) as Record<string, unknown>;
      if (!CHANNEL_KINDS.includes(c.kind as ChannelKind))
        fail(
          `channels[${i}].kind: expected one of ${CHANNEL_KINDS.join(", ")}, found ${JSON.stringify(c.kind)}`,
        );
      return {
        ...(c as unknown as ChannelSpec),
        target: string("target", c, `channels[${i}].target`),
      };
    });
  }
  return config;
}
