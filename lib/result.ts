/** What a check run produces: the probe's observation, and the engine's verdict on it. */
import type { ResolvedAddress } from "./probes/timing.js";

/**
 * `skipped` is the monitor's fault, not the target's: the run's deadline left no time to start or
 * finish the check. It never advances alert state and writes no probe_* series.
 */
export type Status = "up" | "degraded" | "down" | "unknown" | "skipped";
export const STATUSES: readonly Status[] = ["up", "degraded", "down", "unknown", "skipped"];

/** blackbox_exporter's phase names, in the order they happen. */
export type Phase = "resolve" | "connect" | "tls" | "processing" | "transfer";
export const PHASES: readonly Phase[] = ["resolve", "connect", "tls", "processing", "transfer"];

/**
 * One evaluated expectation with its resolved text, so the alert message is written when the check
 * finishes: `status 503, expected 200`. A failed `fail` condition makes the check down, a failed
 * `degrade` condition makes it degraded, a failed `unknown` one (the probe could not tell: access
 * denied, an API error) makes it unknown, whatever else failed.
 */
export interface Condition {
  ok: boolean;
  effect: "fail" | "degrade" | "unknown";
  text: string;
  /** A limit on how long something took: what was measured, and the limit (ms). */
  timing?: { tookMs: number; limitMs: number };
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  sans: string[];
  /** Leaf certificate not-after, ISO 8601. */
  notAfter: string;
  notBefore: string;
  /** Minimum not-after over the chain (blackbox's probe_ssl_earliest_cert_expiry). */
  earliestNotAfter: string;
  /** The chain the server presented, leaf first (as blackbox_exporter reads it). */
  chain: { subject: string; notAfter: string }[];
  /** Whether the chain verified against the trusted roots, and why not. */
  trusted: boolean;
  verifyError?: string;
  hostnameMatches?: boolean;
  fingerprint256: string;
  /**
   * The latest, over the chains that verify to a trusted root, of each chain's earliest expiry (the
   * root from the trust store included); absent when no chain verified.
   */
  verifiedChainNotAfter?: string;
  /** The leaf as blackbox_exporter labels it (Go's forms), for probe_ssl_last_chain_info. */
  blackbox: { subject: string; issuer: string; dnsNames: string; fingerprint: string };
}

/** Kind-specific facts, for people reading a result and for the metrics sinks. */
export interface Facts {
  /** The http request's method (`GET`): OpenTelemetry's `http.request.method`. */
  httpMethod?: string;
  httpStatus?: number;
  /** The final response's protocol version: `1.1`, `1.0`. */
  httpVersion?: string;
  redirects?: string[];
  bodyBytes?: number;
  /** The final response's Content-Length, -1 when it had none (chunked, or read to close). */
  contentLength?: number;
  /** The final response's Last-Modified, epoch seconds, when it had a valid one. */
  lastModified?: number;
  /** The final response came over TLS (blackbox's probe_http_ssl). */
  finalTls?: boolean;
  /** A body or header assertion failed (bodyContains, bodyMatches, json, headers; a tcp `expect`). */
  contentMismatch?: boolean;
  tlsVersion?: string;
  /** The negotiated cipher suite, by its IANA name (`TLS_AES_128_GCM_SHA256`). */
  tlsCipher?: string;
  certificate?: CertificateFacts;
  /**
   * The TLS handshake was accepted: the chain verified and named the host, or the check did not ask
   * it to. blackbox_exporter writes its certificate series only then.
   */
  tlsAccepted?: boolean;
  remoteAddress?: string;
  /** The address the name resolved to (the first hop's for http), and how long that took. */
  resolved?: ResolvedAddress;
  banner?: string;
  dnsAnswers?: string[];
  dns?: DnsFacts;
  backup?: BackupFacts;
  heartbeat?: HeartbeatFacts;
  grpc?: GrpcFacts;
  websocket?: WebsocketFacts;
}

/** What a WebSocket endpoint answered. */
export interface WebsocketFacts {
  /** The upgrade request's status: 101 when it switched protocols. */
  status: number;
  /** The subprotocol the server chose. */
  subprotocol?: string;
  /** The first message (its first KiB), when one was awaited and came. */
  message?: string;
  /** The server answered the close handshake (code 1000) within a second. */
  closedCleanly?: boolean;
}

/** What a gRPC health check answered (blackbox's probe_grpc_* series). */
export interface GrpcFacts {
  /** The call's gRPC status code: 0 OK, 12 UNIMPLEMENTED, 14 UNAVAILABLE when it never connected … */
  statusCode: number;
  /** The health service's answer (`SERVING`, `NOT_SERVING` …), when the call succeeded. */
  servingStatus?: string;
  /** The call succeeded over TLS (blackbox's probe_grpc_ssl). */
  ssl: boolean;
}

/** What a DNS server answered, section by section (blackbox's probe_dns_* series). */
export interface DnsFacts {
  /** A response arrived (whatever its rcode). */
  answered: boolean;
  rcode?: string;
  answerRrs: number;
  authorityRrs: number;
  additionalRrs: number;
  /** The zone's serial, for SOA queries. */
  serial?: number;
}

/** The newest good backup artifact a backup check found. */
export interface BackupFacts {
  /** The recovery point ARN, S3 key, snapshot or backup identifier. */
  identifier: string;
  /** When it was taken (ISO 8601). */
  newestAt: string;
  ageSeconds: number;
  sizeBytes?: number;
}

/** What a heartbeat check knows of its job's latest pings. */
export interface HeartbeatFacts {
  /** Pings recorded, all kinds. */
  pings: number;
  lastPingAt?: string;
  lastPingAgeSeconds?: number;
  /** When the latest finish was a success: its time. */
  lastSuccessAt?: string;
  /** The latest finished run's duration (from its start ping). */
  durationSeconds?: number;
  /** The latest finished run's reported size (`size=`). */
  sizeBytes?: number;
  exitCode?: number;
  /** The failed run's log tail (the ping's body, last 4 KiB): quoted in the notification. */
  log?: string;
}

/** What a probe returns: what it saw, never a verdict. */
export interface Observation {
  conditions: Condition[];
  /** One line describing a healthy outcome (`200 OK`), used as the reason when nothing failed. */
  summary: string;
  phases?: Partial<Record<Phase, number>>;
  facts?: Facts;
  /** A steps check's: what each step saw, in order. */
  steps?: StepResult[];
}

/**
 * One step of a steps check. `skipped` when it did not run: an earlier step failed (and it is not
 * `always`), a value it uses was never extracted, or the flow's time ran out before it.
 */
export interface StepResult {
  name: string;
  kind: string;
  /** What the step targets, as written (`${var:…}` and other references unresolved). */
  target: string;
  status: Status;
  reason: string;
  durationMs: number;
  phases?: Partial<Record<Phase, number>>;
}

export interface CheckResult {
  name: string;
  kind: string;
  /** What was probed, as written in the check file (references unresolved, so no secret leaks). */
  target: string;
  /**
   * The `instance` label when it is not the target: a DNS check's resolver, as blackbox_exporter's
   * DNS targets are.
   */
  instance?: string;
  status: Status;
  reason: string;
  /** Probe attempts this run: more than 1 when a failed attempt was retried (see lib/retry.ts). */
  attempts: number;
  /** ISO 8601 start of the run. */
  startedAt: string;
  /** How long the final attempt took (a retried run took longer: its attempts and pauses). */
  durationMs: number;
  /**
   * The worst event-loop delay during the final attempt, ms: timings were taken that late at most. A
   * `degraded` verdict the delay could explain is measured again before it counts.
   */
  loopDelayMs?: number;
  severity: string;
  labels: Record<string, string>;
  /** With `trace: true`: the W3C trace id its requests carried (`traceparent`), for the tracing backend. */
  traceId?: string;
  /**
   * With several locations, the result alerting decides on is the quorum's (lib/runtime/quorum.ts):
   * what each location that reported saw. Absent on a location's own result.
   */
  locations?: LocationVerdict[];
  conditions: Condition[];
  /** Phase durations in milliseconds. */
  phases?: Partial<Record<Phase, number>>;
  facts?: Facts;
  /** A steps check's steps, in order: each one's status, reason, phases and duration. */
  steps?: StepResult[];
}

/** What one location saw of a check in its latest run. */
export interface LocationVerdict {
  location: string;
  status: Status;
  reason: string;
  /** When that location's run started (ISO 8601). */
  at: string;
}
