/**
 * Where OTLP metrics go, configured the way every OpenTelemetry tool is: `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (a base: `/v1/metrics` is added) or `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (used as written),
 * `OTEL_EXPORTER_OTLP_HEADERS` / `…_METRICS_HEADERS` (`name=value,…`, values percent-decoded),
 * `…_TIMEOUT` (ms), `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`; `--otlp URL` locally.
 * Only OTLP/HTTP with protobuf is spoken: another `…_PROTOCOL` is refused by name.
 */
import type { OtlpOptions } from "./index.js";

export class OtlpSettingError extends Error {
  override name = "OtlpSettingError";
}

type Env = Readonly<Record<string, string | undefined>>;

/** `a=1,b=x%20y` as OpenTelemetry's environment variables write lists of pairs. */
export function parsePairs(text: string, variable: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const at = item.indexOf("=");
    if (at <= 0)
      throw new OtlpSettingError(
        `${variable}: expected name=value pairs separated by commas, found "${item.trim().slice(0, 40)}"`,
      );
    let value = item.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: taken as written.
    }
    pairs[item.slice(0, at).trim()] = value;
  }
  return pairs;
}

/** The metrics endpoint for a base URL: `/v1/metrics` added to its path, as the specification says. */
function metricsEndpoint(base: string): string {
  return base.endsWith("/") ? `${base}v1/metrics` : `${base}/v1/metrics`;
}

/**
 * The OTLP sink's options from `--otlp URL` (a base URL, or a whole `…/v1/metrics` endpoint) and the
 * environment; undefined when neither asks for OTLP.
 */
export function otlpSettings(flag: string | undefined, env: Env): OtlpOptions | undefined {
  const disabled = env.OTEL_METRICS_EXPORTER?.split(",")
    .map((s) => s.trim())
    .includes("none");
  let endpoint: string | undefined;
  if (flag !== undefined) endpoint = /\/v1\/metrics\/?$/.test(flag) ? flag : metricsEndpoint(flag);
  else if (disabled) return undefined;
  else if (env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) endpoint = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) endpoint = metricsEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (endpoint === undefined) return undefined;
  for (const variable of ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"]) {
    const protocol = env[variable];
    if (protocol !== undefined && protocol !== "" && protocol !== "http/protobuf")
      throw new OtlpSettingError(`${variable}: Watchpost speaks http/protobuf, found "${protocol}"`);
    if (protocol) break;
  }
  const headers = {
    ...parsePairs(env.OTEL_EXPORTER_OTLP_HEADERS ?? "", "OTEL_EXPORTER_OTLP_HEADERS"),
    ...parsePairs(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS ?? "", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"),
  };
  const timeoutText = env.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT;
  const timeout = timeoutText === undefined || timeoutText === "" ? undefined : Number(timeoutText);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
    throw new OtlpSettingError(`OTEL_EXPORTER_OTLP_TIMEOUT: expected milliseconds, found "${timeoutText}"`);
  const attributes = parsePairs(env.OTEL_RESOURCE_ATTRIBUTES ?? "", "OTEL_RESOURCE_ATTRIBUTES");
  const serviceName = env.OTEL_SERVICE_NAME || attributes["service.name"] || "watchpost";
  return {
    endpoint,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(timeout !== undefined ? { requestTimeoutMs: timeout } : {}),
    resource: { serviceName, ...(Object.keys(attributes).length > 0 ? { attributes } : {}) },
  };
}
