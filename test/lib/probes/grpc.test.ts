import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { parseCheckFile } from "../../../lib/checks/load.js";
import { seriesPerRun } from "../../../lib/cost/published.js";
import { resultSeries } from "../../../lib/metrics/series.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check, probe } from "../../support/checks.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { closedPort, httpTarget, routes, type Target } from "../../support/servers.js";

let pki: TestPki;
let dir: string;
let plain: GrpcTarget;
let secure: GrpcTarget;
let selfSigned: GrpcTarget;
let bare: GrpcTarget;
let hanging: GrpcTarget;
let web: Target;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-grpc-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  const statuses = { "": "SERVING", payments: "NOT_SERVING", ledger: "SERVING" } as const;
  [plain, secure, selfSigned, bare, hanging, web] = await Promise.all([
    grpcTarget({ statuses }),
    grpcTarget({ statuses }, pki.valid),
    grpcTarget({ statuses }, pki.selfSigned),
    grpcTarget({ none: true }),
    grpcTarget({ hang: true }),
    httpTarget(routes),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([plain, secure, selfSigned, bare, hanging, web].map((t) => t?.close()));
});

const grpc = (target: GrpcTarget | Target, fields: Record<string, unknown> = {}) => ({
  grpc: { target: `127.0.0.1:${target.port}`, ...fields },
});

describe("grpc probe", () => {
  it("is up when the server as a whole is SERVING, timed by phase", async () => {
    const result = await probe(grpc(plain));
    expect(result).toMatchObject({ status: "up", reason: "the server is SERVING", kind: "grpc" });
    expect(result.facts?.grpc).toEqual({ statusCode: 0, servingStatus: "SERVING", ssl: false });
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "processing", "resolve"]);
    expect(result.target).toBe(`127.0.0.1:${plain.port}`);
  });

  it("is down when a service is NOT_SERVING, naming it", async () => {
    const result = await probe(grpc(plain, { service: "payments" }));
    expect(result).toMatchObject({ status: "down", reason: 'service "payments" is NOT_SERVING' });
    expect(result.facts?.grpc).toMatchObject({ statusCode: 0, servingStatus: "NOT_SERVING" });
  });

  it("can expect another serving status", async () => {
    const result = await probe(grpc(plain, { service: "payments", expect: { status: "NOT_SERVING" } }));
    expect(result).toMatchObject({ status: "up", reason: 'service "payments" is NOT_SERVING' });
    const wrong = await probe(grpc(plain, { service: "ledger", expect: { status: "NOT_SERVING" } }));
    expect(wrong.reason).toBe('service "ledger" is SERVING, expected NOT_SERVING');
  });

  it("is down when the server does not know the service", async () => {
    const result = await probe(grpc(plain, { service: "nope" }));
    expect(result).toMatchObject({
      status: "down",
      reason: 'NOT_FOUND: the server does not know service "nope"',
    });
    expect(result.facts?.grpc).toEqual({ statusCode: 5, ssl: false });
  });

  it("is down when the server has no health service", async () => {
    const result = await probe(grpc(bare));
    expect(result).toMatchObject({
      status: "down",
      reason: "UNIMPLEMENTED: the server has no health service",
    });
    expect(result.facts?.grpc?.statusCode).toBe(12);
  });

  it("times out, saying it waited for the health response, when the server never answers", async () => {
    const result = await probe({ timeout: "300ms", ...grpc(hanging) });
    expect(result).toMatchObject({
      status: "down",
      reason: `timed out after 300ms while waiting for the health response from 127.0.0.1:${hanging.port}`,
    });
  });

  it("speaks TLS with ALPN h2, reporting the certificate as the tls kind does", async () => {
    const result = await probe(grpc(secure, { tls: true, ca: "ca.pem", service: "ledger" }), dir);
    expect(result).toMatchObject({ status: "up", reason: 'service "ledger" is SERVING' });
    expect(result.facts).toMatchObject({
      grpc: { statusCode: 0, servingStatus: "SERVING", ssl: true },
      tlsAccepted: true,
      tlsVersion: "TLSv1.3",
      certificate: { trusted: true, hostnameMatches: true },
    });
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "processing", "resolve", "tls"]);
    const series = resultSeries(result, { location: "l", timestampMs: 0 });
    expect(series.find((s) => s.name === "probe_grpc_ssl")?.value).toBe(1);
    expect(series.some((s) => s.name === "probe_ssl_earliest_cert_expiry")).toBe(true);
    // What plan and cost count per run is what a healthy check writes.
    const spec = check(grpc(secure, { tls: true, ca: "ca.pem", service: "ledger" }), dir);
    expect(seriesPerRun(spec)).toBe(series.length);
    expect(seriesPerRun(check(grpc(plain)))).toBe(
      resultSeries(await probe(grpc(plain)), { location: "l", timestampMs: 0 }).length,
    );
  });

  it("refuses a certificate that does not verify before any metadata is sent, unless insecure", async () => {
    const metadata = { authorization: "Bearer ${env:WATCHPOST_TEST_GRPC_TOKEN}" };
    process.env.WATCHPOST_TEST_GRPC_TOKEN = "grpc-secret-token";
    selfSigned.lastMetadata = undefined;
    const refused = await probe(grpc(selfSigned, { tls: true, ca: "ca.pem", metadata }), dir);
    expect(refused).toMatchObject({
      status: "down",
      reason: `self-signed certificate (127.0.0.1:${selfSigned.port})`,
    });
    expect(refused.facts?.grpc).toEqual({ statusCode: 14, ssl: false });
    expect(refused.facts?.certificate?.trusted).toBe(false);
    const seen = () => selfSigned.lastMetadata;
    expect(seen()).toBeUndefined();
    const accepted = await probe(grpc(selfSigned, { tls: true, insecure: true, metadata }), dir);
    expect(accepted.status, accepted.reason).toBe("up");
    expect(seen()?.authorization).toBe("Bearer grpc-secret-token");
    expect(JSON.stringify(accepted)).not.toContain("grpc-secret-token");
  });

  it("sends metadata", async () => {
    const result = await probe(grpc(plain, { metadata: { "x-tenant": "blue" } }));
    expect(result.status, result.reason).toBe("up");
    expect(plain.lastMetadata?.["x-tenant"]).toBe("blue");
  });

  it("is down with UNAVAILABLE's code when nothing listens", async () => {
    const port = await closedPort();
    const result = await probe({ grpc: { target: `127.0.0.1:${port}` } });
    expect(result).toMatchObject({ status: "down", reason: `connection refused by 127.0.0.1:${port}` });
    expect(result.facts?.grpc).toEqual({ statusCode: 14, ssl: false });
  });

  it("is down when the peer speaks HTTP/1.1, not gRPC", async () => {
    const result = await probe(grpc(web));
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(new RegExp(`^127\\.0\\.0\\.1:${web.port} did not answer with HTTP/2`));
  });

  it("is down when a TLS server is asked in plain text", async () => {
    const result = await probe({ timeout: "2s", ...grpc(secure) });
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(/did not answer with HTTP\/2|reset|closed/);
  });

  it("writes blackbox's grpc series", async () => {
    const result = await probe(grpc(plain, { service: "payments" }));
    const series = resultSeries(result, { location: "l", timestampMs: 0 });
    const values = Object.fromEntries(
      series
        .filter((s) => s.name.startsWith("probe_grpc"))
        .map((s) => [`${s.name}${s.extra ? JSON.stringify(Object.fromEntries(s.extra)) : ""}`, s.value]),
    );
    expect(Object.keys(values).sort()).toEqual([
      'probe_grpc_duration_seconds{"phase":"check"}',
      'probe_grpc_duration_seconds{"phase":"resolve"}',
      'probe_grpc_healthcheck_response{"serving_status":"NOT_SERVING"}',
      'probe_grpc_healthcheck_response{"serving_status":"SERVICE_UNKNOWN"}',
      'probe_grpc_healthcheck_response{"serving_status":"SERVING"}',
      'probe_grpc_healthcheck_response{"serving_status":"UNKNOWN"}',
      "probe_grpc_ssl",
      "probe_grpc_status_code",
    ]);
    expect(values['probe_grpc_healthcheck_response{"serving_status":"NOT_SERVING"}']).toBe(1);
    expect(values['probe_grpc_healthcheck_response{"serving_status":"SERVING"}']).toBe(0);
    expect(series.find((s) => s.name === "probe_success")?.value).toBe(0);
  });
});

describe("grpc check validation", () => {
  const problems = (grpcBlock: unknown) =>
    parseCheckFile(
      "g.yml",
      `checks:\n  - name: g\n    grpc: ${JSON.stringify(grpcBlock)}\n`,
      dir,
    ).diagnostics.map(formatDiagnostic);

  it("names the field, what was expected and what was found", () => {
    expect(problems({ target: "http://api:50051/x" })).toEqual([
      expect.stringMatching(/^g\.yml:3:\d+: checks\[0\]\.grpc\.target: expected host:port, such as /),
    ]);
    expect(problems({ target: "api:50051", ca: "ca.pem" })).toEqual([
      expect.stringMatching(/checks\[0\]\.grpc\.ca: expected tls: true for ca to apply/),
    ]);
    expect(problems({ target: "api:50051", expect: { status: "UP" } })).toEqual([
      expect.stringMatching(
        /grpc\.expect\.status: expected one of UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN/,
      ),
    ]);
    expect(problems({ target: "api:50051", metadata: { "grpc-timeout": "1S" } })).toEqual([
      expect.stringMatching(/grpc\.metadata\.grpc-timeout: .*metadata name gRPC does not reserve/),
    ]);
    expect(
      problems({ target: "${env:GRPC_TARGET}", metadata: { authorization: "Bearer ${secret:t}" } }),
    ).toEqual([]);
  });
});
