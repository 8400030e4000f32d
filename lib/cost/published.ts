/**
 * What one check publishes each run, counted by the sinks' own mappings from a healthy result that
 * carries every fact its kind can report: CloudWatch custom metrics and Prometheus series.
 */
import type { CheckSpec } from "../checks/load.js";
import { resultSeries } from "../metrics/series.js";
import type { CheckResult } from "../result.js";
import { CloudWatchSink } from "../sinks/cloudwatch.js";

function representativeResult(check: CheckSpec): CheckResult {
  const config = check.config as { url?: string; tls?: boolean };
  const https =
    check.kind === "tls" ||
    (check.kind === "http" && String(config.url).startsWith("https:")) ||
    (check.kind === "websocket" && String(config.url).startsWith("wss:")) ||
    (check.kind === "grpc" && config.tls === true);
  return {
    name: check.name,
    kind: check.kind,
    target: "",
    status: "up",
    reason: "",
    attempts: 1,
    startedAt: "",
    durationMs: 1,
    severity: check.severity,
    labels: check.labels,
    conditions: [],
    ...(check.kind === "steps"
      ? {
          steps: (check.config as { name: string }[]).map((step) => ({
            name: step.name,
            kind: "http",
            target: "",
            status: "up" as const,
            reason: "",
            durationMs: 1,
          })),
        }
      : {}),
    ...(check.kind === "http" || check.kind === "websocket" || check.kind === "grpc"
      ? { phases: { resolve: 1, connect: 1, tls: 1, processing: 1, transfer: 1 } }
      : { phases: { resolve: 1 } }),
    facts: {
      resolved: { address: "192.0.2.1", family: 4, lookupMs: 1 },
      ...(check.kind === "http"
        ? { httpStatus: 200, httpVersion: "1.1", bodyBytes: 1, contentLength: 1, redirects: [] }
        : {}),
      ...(https
        ? {
            finalTls: true,
            tlsAccepted: true,
            tlsVersion: "TLSv1.3",
            tlsCipher: "TLS_AES_128_GCM_SHA256",
            certificate: {
              subject: "",
              issuer: "",
              sans: [],
              notBefore: "",
              notAfter: "2030-01-01T00:00:00Z",
              earliestNotAfter: "2030-01-01T00:00:00Z",
              chain: [],
              trusted: true,
              fingerprint256: "",
              blackbox: {
                subject: "CN=api.example.com",
                issuer: "CN=CA",
                dnsNames: "api.example.com",
                fingerprint: "00",
              },
            },
          }
        : {}),
      ...(check.kind === "dns"
        ? { dnsAnswers: ["a"], dns: { answered: true, answerRrs: 1, authorityRrs: 0, additionalRrs: 0 } }
        : {}),
      ...(check.kind === "grpc" ? { grpc: { statusCode: 0, servingStatus: "SERVING", ssl: https } } : {}),
      ...(check.kind === "websocket" ? { websocket: { status: 101 } } : {}),
      ...(check.kind === "backup"
        ? { backup: { identifier: "", newestAt: "2030-01-01T00:00:00Z", ageSeconds: 1, sizeBytes: 1 } }
        : {}),
      ...(check.kind === "heartbeat"
        ? {
            heartbeat: {
              pings: 1,
              lastPingAt: "2030-01-01T00:00:00Z",
              lastPingAgeSeconds: 1,
              durationSeconds: 1,
              sizeBytes: 1,
            },
          }
        : {}),
    },
  };
}

/** The CloudWatch custom metrics a check publishes: the CloudWatch sink's own datums for it. */
export function cloudWatchMetrics(check: CheckSpec): number {
  const sink = new CloudWatchSink({ client: { send: async () => ({}) } });
  return sink.datums([representativeResult(check)], { deadline: 0, runStartedAt: 0, location: "" }).length;
}

/** Prometheus series a check writes per run, from the one mapping. */
export function seriesPerRun(check: CheckSpec): number {
  return resultSeries(representativeResult(check), { location: "", timestampMs: 0 }).length;
}
