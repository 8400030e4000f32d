/**
 * Results as OTLP metrics (OTLP/HTTP protobuf, encoded by OpenTelemetry's own otlp-transformer).
 * Where OpenTelemetry's semantic conventions have a metric, it is used as they define it: each http
 * check's request is one `http.client.request.duration` observation (a histogram in seconds, with
 * `http.request.method`, `server.address`, `server.port`, `url.scheme`,
 * `http.response.status_code`, `error.type` and `user_agent.synthetic.type` = `test`). The rest is
 * `watchpost.*`, named from the same series the other sinks write (lib/metrics/series.ts), so the
 * two never disagree. Each check is a resource of its own: `service.name`, `cloud.region` (deployed)
 * and the check's labels are resource attributes; every data point is one run's (delta temporality).
 */
import { ValueType } from "@opentelemetry/api";
import { ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import { failureCause } from "../../metrics/cause.js";
import { resultSeries, type Series } from "../../metrics/series.js";
import type { CheckResult } from "../../result.js";
import { VERSION } from "../../version.js";

/** The metrics written besides the semantic-convention histogram: from which series, in what unit. */
export const OTLP_METRICS: readonly {
  name: string;
  series: string;
  unit: string;
  description: string;
  /** The series' label that becomes an attribute, and the attribute's name. */
  attribute?: readonly [string, string];
}[] = [
  {
    name: "watchpost.check.success",
    series: "probe_success",
    unit: "1",
    description: "1 when the check passed (up or degraded), 0 when it failed",
  },
  {
    name: "watchpost.check.status",
    series: "watchpost_check_status",
    unit: "1",
    description: "1 for the check's status, 0 for the others",
    attribute: ["status", "watchpost.check.status"],
  },
  {
    name: "watchpost.check.duration",
    series: "probe_duration_seconds",
    unit: "s",
    description: "How long the check's probe took",
  },
  {
    name: "watchpost.check.attempts",
    series: "watchpost_probe_attempts",
    unit: "{attempt}",
    description: "Probe attempts this run (more than 1 when retried)",
  },
  {
    name: "watchpost.certificate.expiry",
    series: "probe_ssl_earliest_cert_expiry",
    unit: "s",
    description: "When the earliest certificate of the chain expires, seconds since the epoch",
  },
  {
    name: "watchpost.backup.age",
    series: "probe_backup_age_seconds",
    unit: "s",
    description: "Age of the newest good backup",
  },
  {
    name: "watchpost.heartbeat.age",
    series: "watchpost_heartbeat_last_ping_age_seconds",
    unit: "s",
    description: "Time since the job's last ping",
  },
];

/** The semantic conventions' recommended buckets for `http.client.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface OtlpResourceOptions {
  /** `service.name`. Default `watchpost` (OTEL_SERVICE_NAME overrides it in the CLI). */
  serviceName: string;
  /** Where the probes ran: `cloud.region` when it is an AWS region, always `watchpost.location`. */
  location: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`, parsed. */
  attributes?: Record<string, string>;
}

type HrTime = [number, number];
const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** One check's run as OTLP: its resource and metrics; undefined when it has nothing to say. */
export function resourceMetricsOf(
  result: CheckResult,
  options: OtlpResourceOptions,
  startMs: number,
  endMs: number,
): ResourceMetrics {
  const series = resultSeries(result, { location: options.location, timestampMs: endMs });
  const point = { startTime: hr(startMs), endTime: hr(endMs) };
  const base = { "watchpost.check": result.name, "watchpost.check.kind": result.kind };
  const metrics: MetricData[] = [];
  for (const metric of OTLP_METRICS) {
    const matching = series.filter((s) => s.name === metric.series);
    if (matching.length === 0) continue;
    metrics.push({
      descriptor: {
        name: metric.name,
        description: metric.description,
        unit: metric.unit,
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.DELTA,
      dataPointType: DataPointType.GAUGE,
      dataPoints: matching.map((s) => ({
        ...point,
        attributes: { ...base, ...attributeOf(s, metric.attribute) },
        value: s.value,
      })),
    });
  }
  const http = httpDuration(result, base, point);
  if (http) metrics.unshift(http);
  return {
    resource: resourceFromAttributes({
      ...options.attributes,
      ...result.labels,
      "service.name": options.serviceName,
      "service.version": VERSION,
      "watchpost.location": options.location,
      ...(AWS_REGION.test(options.location)
        ? { "cloud.provider": "aws", "cloud.region": options.location }
        : {}),
    }),
    scopeMetrics: [{ scope: { name: "watchpost", version: VERSION }, metrics }],
  };
}

function attributeOf(s: Series, attribute: readonly [string, string] | undefined): Record<string, string> {
  if (!attribute) return {};
  const value = s.extra?.find(([name]) => name === attribute[0])?.[1];
  return value === undefined ? {} : { [attribute[1]]: value };
}

/** The http check's request as the semantic conventions' client duration histogram: one observation. */
function httpDuration(
  result: CheckResult,
  base: Record<string, string>,
  point: { startTime: HrTime; endTime: HrTime },
): MetricData | undefined {
  if (result.kind !== "http" || result.status === "skipped") return undefined;
  let url: URL | undefined;
  try {
    url = new URL(result.target);
  } catch {
    url = undefined;
  }
  const seconds = result.durationMs / 1000;
  const status = result.facts?.httpStatus;
  const failed = result.status === "down" || result.status === "unknown";
  const counts = HTTP_DURATION_BUCKETS.map(() => 0).concat(0);
  const bucket = HTTP_DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
  counts[bucket === -1 ? HTTP_DURATION_BUCKETS.length : bucket] = 1;
  return {
    descriptor: {
      name: "http.client.request.duration",
      description: "Duration of HTTP client requests.",
      unit: "s",
      valueType: ValueType.DOUBLE,
    },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        ...point,
        attributes: {
          ...base,
          "http.request.method": result.facts?.httpMethod ?? "GET",
          ...(url
            ? {
                "server.address": url.hostname.replace(/^\[|\]$/g, ""),
                "server.port": Number(url.port || (url.protocol === "https:" ? 443 : 80)),
                "url.scheme": url.protocol.slice(0, -1),
              }
            : {}),
          ...(status ? { "http.response.status_code": status } : {}),
          // The conventions' error.type: the status code when the answer was an error, else the cause.
          ...(failed
            ? { "error.type": status && status >= 400 ? String(status) : (failureCause(result) ?? "_OTHER") }
            : {}),
          "user_agent.synthetic.type": "test",
        },
        value: {
          buckets: { boundaries: HTTP_DURATION_BUCKETS, counts },
          sum: seconds,
          count: 1,
          min: seconds,
          max: seconds,
        },
      },
    ],
  };
}

/**
 * An ExportMetricsServiceRequest for `resources`. Protobuf concatenates repeated fields, so each
 * resource is encoded on its own by OpenTelemetry's serializer and the bytes are joined.
 */
export function exportRequest(resources: readonly ResourceMetrics[]): Uint8Array {
  const parts = resources.map((r) => ProtobufMetricsSerializer.serializeRequest(r) ?? new Uint8Array());
  return Buffer.concat(parts);
}
