/**
 * End to end: `watchpost run --remote-write` into a stock Prometheus (Debian's 2.42, remote-write
 * receiver on), then the series read back through /api/v1/query under blackbox names and labels.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../../lib/cli/main.js";
import { createTestPki, type TestPki } from "../../../support/certs.js";
import { startDnsServer } from "../../../support/dns-server.js";
import { type Peer, peerAvailable, startPrometheus } from "../../../support/peers.js";
import { httpsTarget, routes, type Target } from "../../../support/servers.js";

const available = peerAvailable("prometheus", "prometheus");

let prometheus: Peer;
let web: Target;
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-prometheus-"));
  prometheus = await startPrometheus(dir);
  pki = await createTestPki();
  web = await httpsTarget(pki.valid, routes);
  await mkdir(path.join(dir, "checks"));
  await writeFile(path.join(dir, "checks", "ca.pem"), pki.caPem);
  await writeFile(
    path.join(dir, "checks", "checks.yml"),
    `defaults:
  labels: { team: payments }
checks:
  - name: api
    http: { url: "${web.url}/slow-headers?ms=50", ca: ca.pem }
  - name: api-broken
    http: { url: "${web.url}/fail", ca: ca.pem }
  - name: api-cert
    tls: { host: 127.0.0.1, port: ${web.port}, ca: ca.pem }
`,
  );
}, 90_000);

afterAll(async () => {
  await web?.close();
  await prometheus?.stop();
});

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(
    `${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${Date.now() / 1000}`,
  );
  const body = (await response.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe("success");
  return body.data.result;
}

describe.skipIf(!available)("remote-write into Prometheus", () => {
  it("stores every result under blackbox names and labels, phases and certificate expiry included", async () => {
    const out = new PassThrough();
    let printed = "";
    out.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const code = await main(
      [
        "run",
        "--checks",
        path.join(dir, "checks"),
        "--state",
        path.join(dir, "state.json"),
        "--location",
        "test-lab",
        "--remote-write",
        `${prometheus.url}/api/v1/write`,
      ],
      { stdout: out as unknown as NodeJS.WriteStream, stderr: out as unknown as NodeJS.WriteStream },
    );
    expect(code, printed).toBe(1);
    expect(printed).toMatch(
      /remote-write http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: \d+ samples sent in 1 request, 0 retries/,
    );

    const success = await query('probe_success{job="watchpost"}');
    expect(Object.fromEntries(success.map((s) => [s.metric.check, s.value[1]]))).toEqual({
      api: "1",
      "api-broken": "0",
      "api-cert": "1",
    });
    expect(success.find((s) => s.metric.check === "api")?.metric).toEqual({
      __name__: "probe_success",
      check: "api",
      // The one redaction rule: query values never leave Watchpost, the parameter names do.
      instance: `${web.url}/slow-headers?ms=…`,
      job: "watchpost",
      kind: "http",
      location: "test-lab",
      team: "payments",
    });

    const phases = await query('probe_http_duration_seconds{check="api"}');
    expect(phases.map((s) => s.metric.phase).sort()).toEqual([
      "connect",
      "processing",
      "resolve",
      "tls",
      "transfer",
    ]);
    const processing = Number(phases.find((s) => s.metric.phase === "processing")?.value[1]);
    expect(processing).toBeGreaterThanOrEqual(0.045);
    expect(Number(phases.find((s) => s.metric.phase === "tls")?.value[1])).toBeGreaterThan(0);

    expect((await query('probe_http_status_code{check="api-broken"}'))[0]?.value[1]).toBe("503");
    const expiry = await query('probe_ssl_earliest_cert_expiry{check="api-cert"}');
    expect(Number(expiry[0]?.value[1])).toBe(Math.floor(pki.valid.notAfter.getTime() / 1000));
    expect((await query('watchpost_check_status{check="api-broken",status="down"}'))[0]?.value[1]).toBe("1");
    expect((await query('probe_tls_version_info{check="api-cert"}'))[0]?.metric.version).toBe("TLS 1.3");
  });

  it("answers queries written for blackbox_exporter, for every kind, under the job they selected", async () => {
    const dns = await startDnsServer({
      "zone.test": {
        answers: [{ type: "A", name: "", data: "10.0.0.9" }],
        authorities: [{ type: "NS", name: "", data: "ns1.zone.test" }],
        additionals: [{ type: "A", name: "ns1.zone.test", data: "10.0.0.53" }],
      },
    });
    const checks = path.join(dir, "blackbox-checks");
    await mkdir(checks);
    await writeFile(path.join(checks, "ca.pem"), pki.caPem);
    await writeFile(
      path.join(checks, "checks.yml"),
      `checks:
  - name: bb-https
    http: { url: "${web.url}/ok", ca: ca.pem }
  - name: bb-broken
    retries: 0
    http: { url: "${web.url}/fail", ca: ca.pem }
  - name: bb-tls
    tls: { host: 127.0.0.1, port: ${web.port}, ca: ca.pem }
  - name: bb-tcp
    tcp: { host: 127.0.0.1, port: ${web.port} }
  - name: bb-dns
    dns: { name: zone.test, resolver: "${dns.address}" }
`,
    );
    try {
      const out = new PassThrough();
      out.resume();
      const code = await main(
        ["run", "--checks", checks, "--remote-write", `${prometheus.url}/api/v1/write`, "--job", "blackbox"],
        { stdout: out as unknown as NodeJS.WriteStream, stderr: out as unknown as NodeJS.WriteStream },
      );
      expect(code).toBe(1);
      const kinds = async (expr: string) =>
        [...new Set((await query(expr)).map((s) => s.metric.kind))].sort();
      // Panels and alert rules of the kind blackbox users keep (dashboard 7587, the mixin,
      // awesome-prometheus-alerts), each returning data for every kind it is about.
      expect(await kinds('probe_success{job="blackbox"}')).toEqual(["dns", "http", "tcp", "tls"]);
      expect(await kinds('probe_success{job="blackbox"} == 0')).toEqual(["http"]);
      expect(await kinds('avg_over_time(probe_duration_seconds{job="blackbox"}[1m]) > 0')).toEqual([
        "dns",
        "http",
        "tcp",
        "tls",
      ]);
      expect(await kinds('probe_dns_lookup_time_seconds{job="blackbox"}')).toEqual([
        "dns",
        "http",
        "tcp",
        "tls",
      ]);
      expect(await kinds('probe_ip_protocol{job="blackbox"} == 4')).toEqual(["dns", "http", "tcp", "tls"]);
      expect(await kinds('probe_ip_addr_hash{job="blackbox"} > 0')).toEqual(["dns", "http", "tcp", "tls"]);
      expect(
        await query('count(probe_http_ssl{job="blackbox"} == 1) / count(probe_http_version{job="blackbox"})'),
      ).toHaveLength(1);
      expect(await kinds('probe_http_version{job="blackbox"} >= 1.1')).toEqual(["http"]);
      expect(
        await kinds(
          'probe_http_status_code{job="blackbox"} <= 199 OR probe_http_status_code{job="blackbox"} >= 400',
        ),
      ).toEqual(["http"]);
      expect(await kinds('probe_failed_due_to_regex{job="blackbox"} == 0')).toEqual(["http", "tcp", "tls"]);
      expect(await kinds('probe_ssl_earliest_cert_expiry{job="blackbox"} - time() > 86400 * 30')).toEqual([
        "http",
        "tls",
      ]);
      expect(
        await kinds('probe_ssl_last_chain_expiry_timestamp_seconds{job="blackbox"} - time() > 0'),
      ).toEqual(["http", "tls"]);
      expect(await kinds('probe_ssl_last_chain_info{job="blackbox", subject="CN=localhost"}')).toEqual([
        "http",
        "tls",
      ]);
      expect(await kinds('probe_tls_version_info{job="blackbox", version="TLS 1.3"}')).toEqual([
        "http",
        "tls",
      ]);
      expect(await kinds('probe_dns_duration_seconds{job="blackbox", phase="request"}')).toEqual(["dns"]);
      expect(await kinds('probe_dns_query_succeeded{job="blackbox"} == 1')).toEqual(["dns"]);
      expect(await kinds('probe_dns_authority_rrs{job="blackbox"} == 1')).toEqual(["dns"]);
      expect(await kinds('probe_dns_additional_rrs{job="blackbox"} == 1')).toEqual(["dns"]);
      const [dnsSeries] = await query('probe_dns_answer_rrs{job="blackbox"}');
      expect(dnsSeries?.metric.instance).toBe(dns.address);
    } finally {
      await dns.close();
    }
  });
});
