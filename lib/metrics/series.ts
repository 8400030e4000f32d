/**
 * The one mapping from results to metric series, shared by every sink. Names follow
 * blackbox_exporter's so existing dashboards and alert rules work; Watchpost's own start `watchpost_`.
 */
import type { CheckResult } from "../result.js";
import { PHASES, STATUSES } from "../result.js";

/** The labels every series of a check carries, set by Watchpost. */
const CHECK_LABELS = ["check", "kind", "instance", "job", "location"] as const;
/** The labels that tell a series from its siblings (`probe_http_duration_seconds{phase}` …). */
const EXTRA_LABELS = ["phase", "status", "version"] as const;
type ExtraLabel = (typeof EXTRA_LABELS)[number];

/**
 * Every label name this mapping writes itself: a check's own labels may use none of them (nor
 * `__*`). The check-file schema takes its list from here, so the two can never disagree.
 */
export const RESERVED_LABELS: readonly string[] = [...CHECK_LABELS, ...EXTRA_LABELS];

export interface Series {
  /** The metric name (`probe_success`). */
  name: string;
  /** The check's labels, one object shared by all of its series. */
  labels: Record<string, string>;
  /** The one label that tells this series from its siblings (`phase`, `status`, `version`). */
  extra?: readonly [string, string];
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

export interface SeriesOptions {
  /** Where the probes ran: the AWS region in Lambda, `local` on a laptop. */
  location: string;
  /** The run's time: every sample of a run carries it. */
  timestampMs: number;
}

/** blackbox_exporter's version label values: `TLS 1.3`. */
function tlsVersionLabel(version: string): string {
  return version.replace(/^TLSv/, "TLS ").replace(/^TLS 1$/, "TLS 1.0");
}

export function resultSeries(result: CheckResult, options: SeriesOptions): Series[] {
  const own: Record<(typeof CHECK_LABELS)[number], string> = {
    check: result.name,
    kind: result.kind,
    instance: result.target,
    job: "watchpost",
    location: options.location,
  };
  const base = { ...result.labels, ...own };
  const out: Series[] = [];
  const add = (name: string, value: number, extra?: readonly [ExtraLabel, string]) =>
    out.push({ name, labels: base, ...(extra ? { extra } : {}), value, timestampMs: options.timestampMs });

  // A skipped check was not looked at: nothing about the target is known, so no probe_* series (a
  // probe_success of 0 would page through every blackbox alert rule for the monitor's own fault).
  const looked = result.status !== "skipped";
  if (looked) {
    add("probe_success", result.status === "up" || result.status === "degraded" ? 1 : 0);
    add("probe_duration_seconds", result.durationMs / 1000);
  }
  for (const status of STATUSES)
    add("watchpost_check_status", result.status === status ? 1 : 0, ["status", status]);
  if (!looked) return out;
  // More than 1 when a failed attempt was retried: a flaky target shows here even when it passed.
  add("watchpost_probe_attempts", result.attempts);

  const phases = result.phases ?? {};
  if (phases.resolve !== undefined) add("probe_dns_lookup_time_seconds", phases.resolve / 1000);
  const facts = result.facts ?? {};
  if (result.kind === "http") {
    for (const phase of PHASES) {
      const ms = phases[phase];
      if (ms !== undefined) add("probe_http_duration_seconds", ms / 1000, ["phase", phase]);
    }
    if (facts.httpStatus !== undefined) add("probe_http_status_code", facts.httpStatus);
    if (facts.bodyBytes !== undefined) add("probe_http_uncompressed_body_length", facts.bodyBytes);
    add("probe_http_redirects", facts.redirects?.length ?? 0);
    add("probe_http_ssl", result.target.startsWith("https:") ? 1 : 0);
  }
  if (facts.certificate) {
    add("probe_ssl_earliest_cert_expiry", Date.parse(facts.certificate.earliestNotAfter) / 1000);
    add("probe_ssl_last_chain_expiry_timestamp_seconds", Date.parse(facts.certificate.notAfter) / 1000);
    add("watchpost_ssl_cert_trusted", facts.certificate.trusted ? 1 : 0);
  }
  if (facts.tlsVersion) add("probe_tls_version_info", 1, ["version", tlsVersionLabel(facts.tlsVersion)]);
  if (facts.dnsAnswers) add("probe_dns_answer_rrs", facts.dnsAnswers.length);
  if (facts.backup) {
    add("probe_backup_age_seconds", facts.backup.ageSeconds);
    add("probe_backup_last_success_timestamp_seconds", Date.parse(facts.backup.newestAt) / 1000);
    if (facts.backup.sizeBytes !== undefined) add("probe_backup_size_bytes", facts.backup.sizeBytes);
  }
  return out;
}

/** All labels of a series, `__name__` included, as a plain object. */
export function seriesLabels(series: Series): Record<string, string> {
  return {
    __name__: series.name,
    ...series.labels,
    ...(series.extra ? { [series.extra[0]]: series.extra[1] } : {}),
  };
}

export function toSeries(results: readonly CheckResult[], options: SeriesOptions): Series[] {
  return results.flatMap((result) => resultSeries(result, options));
}
