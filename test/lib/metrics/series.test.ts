import { describe, expect, it } from "vitest";
import { RESERVED_LABELS, resultSeries, seriesLabels } from "../../../lib/metrics/series.js";
import type { CheckResult } from "../../../lib/result.js";

const base: CheckResult = {
  name: "payments-api",
  kind: "http",
  target: "https://api.example.com/health",
  status: "degraded",
  reason: "took 450ms, expected at most 300ms to be up",
  attempts: 1,
  startedAt: "2026-11-22T00:00:00.000Z",
  durationMs: 450,
  severity: "critical",
  labels: { team: "payments" },
  conditions: [],
  phases: { resolve: 5, connect: 10, tls: 20, processing: 400, transfer: 15 },
  facts: {
    httpStatus: 200,
    httpVersion: "1.1",
    bodyBytes: 17,
    contentLength: 17,
    finalTls: true,
    tlsAccepted: true,
    tlsCipher: "TLS_AES_128_GCM_SHA256",
    resolved: { address: "10.0.0.1", family: 4, lookupMs: 5 },
    redirects: ["https://api.example.com/health/"],
    tlsVersion: "TLSv1.3",
    certificate: {
      subject: "CN=api.example.com",
      issuer: "CN=CA",
      sans: [],
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      earliestNotAfter: "2026-12-01T00:00:00.000Z",
      verifiedChainNotAfter: "2026-11-30T00:00:00.000Z",
      chain: [],
      trusted: true,
      fingerprint256: "AA",
      blackbox: {
        subject: "CN=api.example.com",
        issuer: "CN=CA",
        dnsNames: "api.example.com",
        fingerprint: "00",
      },
    },
  },
};

const T = 1_795_000_000_000;

describe("results as series", () => {
  it("maps an HTTP result to blackbox_exporter's names and Watchpost's own, one sample each", () => {
    const series = resultSeries(base, { location: "eu-west-1", timestampMs: T });
    const byKey = Object.fromEntries(
      series.map((s) => [
        `${s.name}${s.extra ? `{${s.extra.map(([k, v]) => `${k}=${v}`).join(",")}}` : ""}`,
        s.value,
      ]),
    );
    expect(byKey).toEqual({
      probe_success: 1,
      probe_duration_seconds: 0.45,
      "watchpost_check_status{status=up}": 0,
      "watchpost_check_status{status=degraded}": 1,
      "watchpost_check_status{status=down}": 0,
      "watchpost_check_status{status=unknown}": 0,
      "watchpost_check_status{status=skipped}": 0,
      watchpost_probe_attempts: 1,
      probe_dns_lookup_time_seconds: 0.005,
      probe_ip_protocol: 4,
      probe_ip_addr_hash: 1_817_209_388,
      "probe_http_duration_seconds{phase=resolve}": 0.005,
      "probe_http_duration_seconds{phase=connect}": 0.01,
      "probe_http_duration_seconds{phase=tls}": 0.02,
      "probe_http_duration_seconds{phase=processing}": 0.4,
      "probe_http_duration_seconds{phase=transfer}": 0.015,
      probe_http_status_code: 200,
      probe_http_content_length: 17,
      probe_http_uncompressed_body_length: 17,
      probe_http_redirects: 1,
      probe_http_ssl: 1,
      probe_http_version: 1.1,
      probe_failed_due_to_regex: 0,
      probe_ssl_earliest_cert_expiry: Date.parse("2026-12-01T00:00:00Z") / 1000,
      probe_ssl_last_chain_expiry_timestamp_seconds: Date.parse("2026-11-30T00:00:00Z") / 1000,
      "probe_ssl_last_chain_info{fingerprint_sha256=00,subject=CN=api.example.com,issuer=CN=CA,subjectalternative=api.example.com}": 1,
      "probe_tls_version_info{version=TLS 1.3}": 1,
      "probe_tls_cipher_info{cipher=TLS_AES_128_GCM_SHA256}": 1,
      watchpost_ssl_cert_trusted: 1,
    });
    expect(series.every((s) => s.timestampMs === T)).toBe(true);
    expect(seriesLabels(series[0] as never)).toEqual({
      __name__: "probe_success",
      check: "payments-api",
      instance: "https://api.example.com/health",
      job: "watchpost",
      kind: "http",
      location: "eu-west-1",
      team: "payments",
    });
  });

  it("reports down and unknown as probe_success 0, with only what the result holds", () => {
    const down = resultSeries(
      {
        ...base,
        kind: "dns",
        status: "unknown",
        phases: { resolve: 2 },
        facts: { dnsAnswers: ["10.0.0.1", "10.0.0.2"] },
      },
      { location: "local", timestampMs: T },
    );
    expect(down.map((s) => [s.name, s.extra?.[0]?.[1] ?? "", s.value])).toEqual([
      ["probe_success", "", 0],
      ["probe_duration_seconds", "", 0.45],
      ["watchpost_check_status", "up", 0],
      ["watchpost_check_status", "degraded", 0],
      ["watchpost_check_status", "down", 0],
      ["watchpost_check_status", "unknown", 1],
      ["watchpost_check_status", "skipped", 0],
      ["watchpost_probe_attempts", "", 1],
      ["watchpost_check_failure", "indeterminate", 1],
      ["probe_dns_lookup_time_seconds", "", 0.002],
      ["probe_ip_protocol", "", 0],
      ["probe_ip_addr_hash", "", 0],
      ["probe_dns_duration_seconds", "resolve", 0.002],
      ["probe_dns_duration_seconds", "connect", 0],
      ["probe_dns_duration_seconds", "request", 0],
      ["probe_dns_answer_rrs", "", 0],
      ["probe_dns_authority_rrs", "", 0],
      ["probe_dns_additional_rrs", "", 0],
      ["probe_dns_query_succeeded", "", 0],
    ]);
  });

  it("writes only the status for a skipped check: the monitor's fault says nothing of the target", () => {
    const skipped = resultSeries(
      { ...base, status: "skipped", reason: "not started before the run's deadline" },
      { location: "local", timestampMs: T },
    );
    expect(skipped.map((s) => [s.name, s.extra?.[0]?.[1] ?? "", s.value])).toEqual([
      ["watchpost_check_status", "up", 0],
      ["watchpost_check_status", "degraded", 0],
      ["watchpost_check_status", "down", 0],
      ["watchpost_check_status", "unknown", 0],
      ["watchpost_check_status", "skipped", 1],
    ]);
  });

  it("reserves every label name the mapping writes, and a check's labels cannot collide with them", () => {
    const written = new Set(
      resultSeries({ ...base, labels: {} }, { location: "local", timestampMs: T }).flatMap((s) => [
        ...Object.keys(s.labels),
        ...(s.extra ?? []).map(([name]) => name),
      ]),
    );
    for (const name of written) expect(RESERVED_LABELS).toContain(name);
    expect(RESERVED_LABELS).toContain("version");
  });

  it("maps a backup result's age, time and size", () => {
    const series = resultSeries(
      {
        ...base,
        kind: "backup",
        target: "s3://backups/exports/",
        status: "down",
        phases: {},
        facts: {
          backup: {
            identifier: "exports/a.dump",
            newestAt: "2026-11-20T18:00:00.000Z",
            ageSeconds: 108_000,
            sizeBytes: 2048,
          },
        },
      },
      { location: "local", timestampMs: T },
    );
    expect(series.filter((s) => s.name.startsWith("probe_backup")).map((s) => [s.name, s.value])).toEqual([
      ["probe_backup_age_seconds", 108_000],
      ["probe_backup_last_success_timestamp_seconds", Date.parse("2026-11-20T18:00:00Z") / 1000],
      ["probe_backup_size_bytes", 2048],
    ]);
  });
});

describe("job and instance", () => {
  it("take the configured job, and the check's name as instance when asked", () => {
    const [first] = resultSeries(base, { location: "l", timestampMs: T, job: "blackbox", instance: "check" });
    expect(first?.labels).toMatchObject({ job: "blackbox", instance: "payments-api" });
  });

  it("give a DNS check's server as instance, as blackbox's DNS targets are", () => {
    const [first] = resultSeries(
      { ...base, kind: "dns", target: "example.com A @1.1.1.1", instance: "1.1.1.1" },
      { location: "l", timestampMs: T },
    );
    expect(first?.labels.instance).toBe("1.1.1.1");
  });

  it("writes a flow's probe series and, per step that ran, watchpost_step_success and _duration_seconds", () => {
    const flow: CheckResult = {
      ...base,
      kind: "steps",
      status: "down",
      reason: 'step "read": status 500, expected 2xx',
      durationMs: 80,
      phases: undefined,
      facts: undefined,
      steps: [
        { name: "login", kind: "http", target: "", status: "up", reason: "200 OK", durationMs: 20 },
        { name: "read", kind: "http", target: "", status: "down", reason: "status 500", durationMs: 50 },
        { name: "more", kind: "http", target: "", status: "skipped", reason: "not run", durationMs: 0 },
      ],
    };
    const written = resultSeries(flow, { location: "local", timestampMs: 1 }).map((s) => [
      seriesLabels(s).__name__,
      seriesLabels(s).step,
      s.value,
    ]);
    expect(written).toContainEqual(["probe_success", undefined, 0]);
    expect(written).toContainEqual(["probe_duration_seconds", undefined, 0.08]);
    expect(written.filter(([name]) => String(name).startsWith("watchpost_step_"))).toEqual([
      ["watchpost_step_success", "login", 1],
      ["watchpost_step_duration_seconds", "login", 0.02],
      ["watchpost_step_success", "read", 0],
      ["watchpost_step_duration_seconds", "read", 0.05],
    ]);
    expect(RESERVED_LABELS).toContain("step");
    expect(written.some(([name]) => String(name).startsWith("probe_http_"))).toBe(false);
  });
});
