/**
 * The one mapping from results to metric series, shared by every sink. For http, tls, tcp and dns
 * checks it writes every series blackbox_exporter writes for that prober, with its names, labels,
 * units and meanings (see the README's series table); Watchpost's own start `watchpost_`.
 */

import { SERVING_STATUSES } from "../probes/grpc/health.js";
import { ipAddressHash } from "../probes/timing.js";
import type { CheckResult } from "../result.js";
import { PHASES, STATUSES } from "../result.js";
import { failureCause } from "./cause.js";

/** The labels every series of a check carries, set by Watchpost. */
const CHECK_LABELS = ["check", "kind", "instance", "job", "location"] as const;
/**
 * The labels that tell a series from its siblings (`probe_http_duration_seconds{phase}`,
 * `probe_ssl_last_chain_info{fingerprint_sha256,…}` …).
 */
const EXTRA_LABELS = [
  "phase",
  "status",
  "version",
  "cipher",
  "fingerprint_sha256",
  "subject",
  "issuer",
  "subjectalternative",
  "cause",
  "serving_status",
  "step",
] as const;
type ExtraLabel = (typeof EXTRA_LABELS)[number];

/**
 * Every label name this mapping writes itself: a check's own labels may use none of them (nor
 * `__*`). The check-file schema takes its list from here, so the two can never disagree.
 */
export const RESERVED_LABELS: readonly string[] = [...CHECK_LABELS, ...EXTRA_LABELS];

/** What the `instance` label holds: the probed target (blackbox's usual relabelling), or the check's name. */
export const INSTANCE_MODES = ["target", "check"] as const;
export type InstanceMode = (typeof INSTANCE_MODES)[number];

/** The `job` label unless configured: the shipped rules and dashboards select on it. */
export const DEFAULT_JOB = "watchpost";

export interface Series {
  /** The metric name (`probe_success`). */
  name: string;
  /** The check's labels, one object shared by all of its series. */
  labels: Record<string, string>;
  /** The labels that tell this series from its siblings (`phase`, `status`, `version` …). */
  extra?: readonly (readonly [string, string])[];
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

/** The `job` and `instance` labels, as configured (deploy prop, `watchpost run --job/--instance`). */
export interface JobLabels {
  /** Default `watchpost`. */
  job?: string;
  /** Default `target`. */
  instance?: InstanceMode;
}

export interface SeriesOptions extends JobLabels {
  /** Where the probes ran: the AWS region in Lambda, `local` on a laptop. */
  location: string;
  /** The run's time: every sample of a run carries it. */
  timestampMs: number;
}

/** blackbox_exporter's version label values: `TLS 1.3`. */
function tlsVersionLabel(version: string): string {
  return version.replace(/^TLSv/, "TLS ").replace(/^TLS 1$/, "TLS 1.0");
}

/** The kinds blackbox_exporter has a prober for: they get its whole set of series. */
const NETWORK_KINDS = new Set(["http", "tls", "tcp", "dns", "grpc", "websocket"]);

/** The websocket probe's phases, by the names its series give them. */
const WEBSOCKET_PHASES = [
  ["resolve", "resolve"],
  ["connect", "connect"],
  ["tls", "tls"],
  ["processing", "upgrade"],
  ["transfer", "message"],
] as const;

/** Go's zero time in Unix seconds: blackbox's chain expiry when no chain was verified (insecure). */
const GO_ZERO_TIME = -62_135_596_800;

export function resultSeries(result: CheckResult, options: SeriesOptions): Series[] {
  const own: Record<(typeof CHECK_LABELS)[number], string> = {
    check: result.name,
    kind: result.kind,
    instance: options.instance === "check" ? result.name : (result.instance ?? result.target),
    job: options.job ?? DEFAULT_JOB,
    location: options.location,
  };
  const base = { ...result.labels, ...own };
  const out: Series[] = [];
  const add = (name: string, value: number, extra?: Partial<Record<ExtraLabel, string>>) =>
    out.push({
      name,
      labels: base,
      ...(extra ? { extra: Object.entries(extra) as [string, string][] } : {}),
      value,
      timestampMs: options.timestampMs,
    });

  // A skipped check was not looked at: nothing about the target is known, so no probe_* series (a
  // probe_success of 0 would page through every blackbox alert rule for the monitor's own fault).
  const looked = result.status !== "skipped";
  if (looked) {
    add("probe_success", result.status === "up" || result.status === "degraded" ? 1 : 0);
    add("probe_duration_seconds", result.durationMs / 1000);
  }
  for (const status of STATUSES) add("watchpost_check_status", result.status === status ? 1 : 0, { status });
  if (!looked) return out;
  // More than 1 when a failed attempt was retried: a flaky target shows here even when it passed.
  add("watchpost_probe_attempts", result.attempts);
  const cause = failureCause(result);
  if (cause) add("watchpost_check_failure", 1, { cause });
  // A flow's steps that ran, each under its name; one that did not run was not looked at.
  for (const step of result.steps ?? []) {
    if (step.status === "skipped") continue;
    add("watchpost_step_success", step.status === "up" || step.status === "degraded" ? 1 : 0, {
      step: step.name,
    });
    add("watchpost_step_duration_seconds", step.durationMs / 1000, { step: step.name });
  }

  const phases = result.phases ?? {};
  const facts = result.facts ?? {};
  if (NETWORK_KINDS.has(result.kind)) {
    // blackbox resolves the target first (probe_dns_lookup_time_seconds, probe_ip_*), 0 when it could not.
    const resolved = facts.resolved;
    add("probe_dns_lookup_time_seconds", (resolved?.lookupMs ?? phases.resolve ?? 0) / 1000);
    add("probe_ip_protocol", resolved?.family ?? 0);
    add("probe_ip_addr_hash", resolved ? ipAddressHash(resolved.address) : 0);
  }
  if (result.kind === "http") {
    // Until the name resolved, blackbox has only the resolve phase; then all five, 0 where not reached.
    for (const phase of facts.resolved ? PHASES : (["resolve"] as const))
      add("probe_http_duration_seconds", (phases[phase] ?? 0) / 1000, { phase });
    add("probe_http_status_code", facts.httpStatus ?? 0);
    add("probe_http_content_length", facts.contentLength ?? 0);
    add("probe_http_uncompressed_body_length", facts.bodyBytes ?? 0);
    add("probe_http_redirects", facts.redirects?.length ?? 0);
    add("probe_http_ssl", facts.finalTls ? 1 : 0);
    add("probe_http_version", facts.httpVersion ? Number(facts.httpVersion) : 0);
    add("probe_failed_due_to_regex", facts.contentMismatch ? 1 : 0);
    if (facts.lastModified !== undefined)
      add("probe_http_last_modified_timestamp_seconds", facts.lastModified);
  }
  if (result.kind === "tcp" || result.kind === "tls")
    add("probe_failed_due_to_regex", facts.contentMismatch ? 1 : 0);
  if (result.kind === "grpc") grpcSeries(result, add);
  // blackbox has no websocket prober: Watchpost's own names, phases as the upgrade names them.
  if (result.kind === "websocket") {
    for (const [phase, name] of WEBSOCKET_PHASES)
      if (phases[phase] !== undefined)
        add("watchpost_websocket_duration_seconds", (phases[phase] ?? 0) / 1000, { phase: name });
    add("watchpost_websocket_status_code", facts.websocket?.status ?? 0);
  }
  const certificate = facts.certificate;
  // blackbox writes what it knows of TLS only for a handshake it accepted (for http, the final hop's;
  // for grpc, a call's that succeeded), and its grpc prober only these three.
  const grpc = result.kind === "grpc";
  const tlsKnown = result.kind === "http" ? facts.finalTls : grpc ? facts.grpc?.ssl : true;
  if (certificate && facts.tlsAccepted && tlsKnown) {
    add("probe_ssl_earliest_cert_expiry", Date.parse(certificate.earliestNotAfter) / 1000);
  }
  if (certificate && facts.tlsAccepted && tlsKnown && !grpc) {
    add(
      "probe_ssl_last_chain_expiry_timestamp_seconds",
      certificate.verifiedChainNotAfter ? Date.parse(certificate.verifiedChainNotAfter) / 1000 : GO_ZERO_TIME,
    );
  }
  if (certificate && facts.tlsAccepted && tlsKnown) {
    add("probe_ssl_last_chain_info", 1, {
      fingerprint_sha256: certificate.blackbox.fingerprint,
      subject: certificate.blackbox.subject,
      issuer: certificate.blackbox.issuer,
      subjectalternative: certificate.blackbox.dnsNames,
    });
    if (facts.tlsVersion) add("probe_tls_version_info", 1, { version: tlsVersionLabel(facts.tlsVersion) });
    if (facts.tlsCipher && !grpc) add("probe_tls_cipher_info", 1, { cipher: facts.tlsCipher });
  }
  if (certificate) add("watchpost_ssl_cert_trusted", certificate.trusted ? 1 : 0);
  if (result.kind === "dns") {
    const dns = facts.dns;
    add("probe_dns_duration_seconds", (phases.resolve ?? 0) / 1000, { phase: "resolve" });
    add("probe_dns_duration_seconds", (phases.connect ?? 0) / 1000, { phase: "connect" });
    add("probe_dns_duration_seconds", (phases.processing ?? 0) / 1000, { phase: "request" });
    add("probe_dns_answer_rrs", dns?.answerRrs ?? 0);
    add("probe_dns_authority_rrs", dns?.authorityRrs ?? 0);
    add("probe_dns_additional_rrs", dns?.additionalRrs ?? 0);
    add("probe_dns_query_succeeded", dns?.answered ? 1 : 0);
    if (dns?.serial !== undefined) add("probe_dns_serial", dns.serial);
  }
  if (facts.backup) {
    add("probe_backup_age_seconds", facts.backup.ageSeconds);
    add("probe_backup_last_success_timestamp_seconds", Date.parse(facts.backup.newestAt) / 1000);
    if (facts.backup.sizeBytes !== undefined) add("probe_backup_size_bytes", facts.backup.sizeBytes);
  }
  // blackbox has nothing like a heartbeat: Watchpost's own names.
  const heartbeat = facts.heartbeat;
  if (heartbeat?.lastPingAt !== undefined) {
    add("watchpost_heartbeat_last_ping_timestamp_seconds", Date.parse(heartbeat.lastPingAt) / 1000);
    add("watchpost_heartbeat_last_ping_age_seconds", heartbeat.lastPingAgeSeconds ?? 0);
  }
  if (heartbeat?.durationSeconds !== undefined)
    add("watchpost_heartbeat_last_duration_seconds", heartbeat.durationSeconds);
  if (heartbeat?.sizeBytes !== undefined) add("watchpost_heartbeat_last_size_bytes", heartbeat.sizeBytes);
  return out;
}

/**
 * blackbox's grpc prober: the resolve phase always; once the name resolved, the check phase (dial,
 * TLS and the call) and every serving status, 1 for the one answered.
 */
function grpcSeries(
  result: CheckResult,
  add: (name: string, value: number, extra?: Partial<Record<ExtraLabel, string>>) => void,
): void {
  const phases = result.phases ?? {};
  const grpc = result.facts?.grpc;
  add("probe_grpc_duration_seconds", (phases.resolve ?? 0) / 1000, { phase: "resolve" });
  if (grpc) {
    const check = (phases.connect ?? 0) + (phases.tls ?? 0) + (phases.processing ?? 0);
    add("probe_grpc_duration_seconds", check / 1000, { phase: "check" });
    for (const status of SERVING_STATUSES)
      add("probe_grpc_healthcheck_response", grpc.servingStatus === status ? 1 : 0, {
        serving_status: status,
      });
  }
  add("probe_grpc_ssl", grpc?.ssl ? 1 : 0);
  add("probe_grpc_status_code", grpc?.statusCode ?? 0);
}

/**
 * The monitor's own heartbeat, per shard and location: when its last run started, and how often it
 * runs. The shipped rules fire when it stops (docs/prometheus/rules.yml, WatchpostMonitorStopped).
 */
export function heartbeatSeries(
  shard: { id: string; intervalMs: number },
  lastRunMs: number,
  options: Omit<SeriesOptions, "instance">,
): Series[] {
  const labels = { job: options.job ?? DEFAULT_JOB, location: options.location, shard: shard.id };
  return [
    {
      name: "watchpost_last_run_timestamp_seconds",
      labels,
      value: lastRunMs / 1000,
      timestampMs: options.timestampMs,
    },
    {
      name: "watchpost_run_interval_seconds",
      labels,
      value: shard.intervalMs / 1000,
      timestampMs: options.timestampMs,
    },
  ];
}

/** All labels of a series, `__name__` included, as a plain object. */
export function seriesLabels(series: Series): Record<string, string> {
  return {
    __name__: series.name,
    ...series.labels,
    ...Object.fromEntries(series.extra ?? []),
  };
}

export function toSeries(results: readonly CheckResult[], options: SeriesOptions): Series[] {
  return results.flatMap((result) => resultSeries(result, options));
}
