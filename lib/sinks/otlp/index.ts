/**
 * The OTLP metrics sink (OTLP/HTTP, protobuf): each run's results as OpenTelemetry metrics
 * (lib/sinks/otlp/encode.ts) POSTed to a collector or backend. Retried as the OTLP specification
 * says (429, 502, 503, 504, honouring Retry-After) within the run's deadline; any other refusal is
 * final. A partial success (the receiver rejected some data points) is reported with its message.
 */

import { ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { withTimeout } from "../../deadline.js";
import { HttpClient } from "../../http/client.js";
import { redactUrl } from "../../redact.js";
import type { CheckResult } from "../../result.js";
import { type Attempt, type BackoffOptions, retrying, SINK_BACKOFF } from "../../retry.js";
import { USER_AGENT } from "../../version.js";
import { retryAfter, unanswered } from "../attempt.js";
import { DeliveryTally, type Sink, type SinkContext, type SinkReport } from "../sink.js";
import { exportRequest, type OtlpResourceOptions, resourceMetricsOf } from "./encode.js";

/** Set by Watchpost on every request; configured headers may not replace them. */
const PROTOCOL_HEADERS: Record<string, string> = {
  "content-type": "application/x-protobuf",
  "user-agent": USER_AGENT,
};

/** The statuses the OTLP/HTTP specification says to retry. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** Checks per request: a run of thousands of checks goes in several bodies, each well under 4 MiB. */
const CHECKS_PER_REQUEST = 500;

export interface OtlpOptions {
  /** The metrics endpoint, whole (`http://collector:4318/v1/metrics`). */
  endpoint: string;
  /** Headers such as an API key (`x-honeycomb-team`, `authorization`). */
  headers?: Record<string, string>;
  /** `service.name` and other resource attributes. */
  resource?: Pick<OtlpResourceOptions, "serviceName" | "attributes">;
  /** Longest wait for one answer. Default 10 s (OTEL_EXPORTER_OTLP_TIMEOUT's default). */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
}

export class OtlpConfigError extends Error {
  override name = "OtlpConfigError";
}

export class OtlpSink implements Sink {
  readonly name: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly client = new HttpClient({ connections: 2 });

  constructor(private readonly options: OtlpOptions) {
    try {
      this.url = new URL(options.endpoint);
    } catch {
      throw new OtlpConfigError(`OTLP endpoint "${redactUrl(options.endpoint)}" is not an absolute URL`);
    }
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:")
      throw new OtlpConfigError(`OTLP endpoint "${redactUrl(options.endpoint)}" must be http:// or https://`);
    this.name = `otlp ${redactUrl(this.url)}`;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const key = name.toLowerCase();
      if (key in PROTOCOL_HEADERS || key === "content-length")
        throw new OtlpConfigError(`OTLP header ${name} is set by Watchpost as the protocol requires`);
      headers[key] = value;
    }
    this.headers = { ...headers, ...PROTOCOL_HEADERS };
  }

  async write(results: readonly CheckResult[], context: SinkContext): Promise<SinkReport> {
    const tally = new DeliveryTally(this.name, "bodies");
    // A re-sent slow shard's results say nothing new about a run: not sent again as new observations.
    if (context.refreshOf !== undefined) return tally.report(0);
    const resource = {
      serviceName: this.options.resource?.serviceName ?? "watchpost",
      location: context.location,
      ...(this.options.resource?.attributes ? { attributes: this.options.resource.attributes } : {}),
    };
    const endMs = Math.min(
      Date.now(),
      context.runStartedAt + Math.max(0, ...results.map((r) => r.durationMs)),
    );
    const resources = results.map((r) =>
      resourceMetricsOf(r, resource, Date.parse(r.startedAt) || context.runStartedAt, endMs),
    );
    const points = (rs: readonly ResourceMetrics[]) =>
      rs.reduce(
        (n, r) =>
          n + r.scopeMetrics.reduce((m, s) => m + s.metrics.reduce((k, x) => k + x.dataPoints.length, 0), 0),
        0,
      );
    for (let i = 0; i < resources.length; i += CHECKS_PER_REQUEST) {
      const batch = resources.slice(i, i + CHECKS_PER_REQUEST);
      const outcome = await retrying(() => this.attempt(exportRequest(batch), context), {
        attempts: Number.POSITIVE_INFINITY,
        backoff: SINK_BACKOFF,
        tuning: this.options.backoff,
        deadline: context.deadline,
        minAttemptMs: 100,
        ...(context.signal ? { signal: context.signal } : {}),
      });
      tally.record(
        outcome.attempts,
        outcome.ok ? undefined : { samples: points(batch), error: outcome.error },
      );
    }
    return tally.report(points(resources));
  }

  private async attempt(body: Uint8Array, context: SinkContext): Promise<Attempt> {
    const left = context.deadline - Date.now();
    if (left <= 0) return { ok: false, retry: false, error: "no time left before the deadline" };
    const timeout = Math.min(left, this.options.requestTimeoutMs ?? 10_000);
    try {
      const answer = await this.client.request({
        url: this.url,
        method: "POST",
        headers: this.headers,
        body,
        signal: withTimeout(timeout, context.signal),
      });
      const status = answer.status;
      if (status >= 200 && status < 300) {
        const rejected = partialRejection(answer.body);
        return rejected
          ? { ok: false, retry: false, error: `${this.url.host} rejected ${rejected}` }
          : { ok: true };
      }
      const text = answer.body
        .toString("utf8")
        .replace(/[^\x20-\x7e]+/g, " ")
        .slice(0, 300)
        .trim();
      const error = `${status} from ${this.url.host}${text ? `: ${text}` : ""}`;
      if (RETRYABLE.has(status))
        return { ok: false, retry: true, error, ...retryAfter(answer.headers["retry-after"]) };
      return { ok: false, retry: false, error };
    } catch (error) {
      return unanswered(error, timeout, this.url.host);
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** `N data points: message` when a 2xx answer says part of the export was rejected. */
function partialRejection(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const partial = ProtobufMetricsSerializer.deserializeResponse(body).partialSuccess;
    const count = Number(partial?.rejectedDataPoints ?? 0);
    if (count > 0) return `${count} data point(s)${partial?.errorMessage ? `: ${partial.errorMessage}` : ""}`;
  } catch {
    // Not a protobuf answer (a JSON one, an HTML proxy page): a 2xx is still a success.
  }
  return undefined;
}
