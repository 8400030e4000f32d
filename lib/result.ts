/** What a check run produces: the probe's observation, and the engine's verdict on it. */

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
}

/** Kind-specific facts, for people reading a result and for the metrics sinks. */
export interface Facts {
  httpStatus?: number;
  httpVersion?: string;
  redirects?: string[];
  bodyBytes?: number;
  tlsVersion?: string;
  tlsCipher?: string;
  certificate?: CertificateFacts;
  remoteAddress?: string;
  banner?: string;
  dnsAnswers?: string[];
  backup?: BackupFacts;
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

/** What a probe returns: what it saw, never a verdict. */
export interface Observation {
  conditions: Condition[];
  /** One line describing a healthy outcome (`200 OK`), used as the reason when nothing failed. */
  summary: string;
  phases?: Partial<Record<Phase, number>>;
  facts?: Facts;
}

export interface CheckResult {
  name: string;
  kind: string;
  /** What was probed, as written in the check file (references unresolved, so no secret leaks). */
  target: string;
  status: Status;
  reason: string;
  /** Probe attempts this run: more than 1 when a failed attempt was retried (see lib/retry.ts). */
  attempts: number;
  /** ISO 8601 start of the run. */
  startedAt: string;
  /** How long the final attempt took (a retried run took longer: its attempts and pauses). */
  durationMs: number;
  severity: string;
  labels: Record<string, string>;
  conditions: Condition[];
  /** Phase durations in milliseconds. */
  phases?: Partial<Record<Phase, number>>;
  facts?: Facts;
}
