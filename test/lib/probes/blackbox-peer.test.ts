/**
 * The same misbehaving loopback targets through Watchpost and through prometheus-blackbox-exporter:
 * the verdicts must agree (up or degraded = probe_success 1, down = 0), and every down names its cause.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../lib/engine.js";
import { resultSeries } from "../../../lib/metrics/series.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check } from "../../support/checks.js";
import { startDnsServer } from "../../support/dns-server.js";
import { parseExposition, type Sample } from "../../support/exposition.js";
import { type Peer, peerAvailable, startBlackbox } from "../../support/peers.js";
import {
  closedPort,
  httpsTarget,
  httpTarget,
  routes,
  type Target,
  tcpTarget,
} from "../../support/servers.js";

const available = peerAvailable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");

let blackbox: Peer;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let dir: string;
let pki: TestPki;
const targets: Target[] = [];
const t: Record<string, string> = {};

beforeAll(async () => {
  if (!available) return;
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-blackbox-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  await writeFile(path.join(dir, "short-root.pem"), pki.shortRoot.caPem);
  dns = await startDnsServer({
    "zone.test": {
      answers: [{ type: "A", name: "", data: "10.0.0.9" }],
      authorities: [
        { type: "NS", name: "", data: "ns1.zone.test" },
        { type: "NS", name: "", data: "ns2.zone.test" },
      ],
      additionals: [{ type: "A", name: "ns1.zone.test", data: "10.0.0.53" }],
    },
  });
  await writeFile(
    path.join(dir, "blackbox.yml"),
    `modules:
  http:
    prober: http
    timeout: 2s
    http: { preferred_ip_protocol: ip4, tls_config: { ca_file: ${dir}/ca.pem } }
  tcp:
    prober: tcp
    timeout: 2s
    tcp: { preferred_ip_protocol: ip4 }
  tls:
    prober: tcp
    timeout: 2s
    tcp: { preferred_ip_protocol: ip4, tls: true, tls_config: { ca_file: ${dir}/ca.pem } }
  http_short:
    prober: http
    timeout: 2s
    http: { preferred_ip_protocol: ip4, tls_config: { ca_file: ${dir}/short-root.pem } }
  tls_short:
    prober: tcp
    timeout: 2s
    tcp: { preferred_ip_protocol: ip4, tls: true, tls_config: { ca_file: ${dir}/short-root.pem } }
  http_regex:
    prober: http
    timeout: 2s
    http: { preferred_ip_protocol: ip4, fail_if_body_not_matches_regexp: ["no such words"] }
  dns_zone:
    prober: dns
    timeout: 2s
    dns: { preferred_ip_protocol: ip4, query_name: zone.test, query_type: A }
  dns_missing:
    prober: dns
    timeout: 2s
    dns: { preferred_ip_protocol: ip4, query_name: nowhere.test, query_type: A }
`,
  );
  blackbox = await startBlackbox(`${dir}/blackbox.yml`);
  const web = await httpTarget(routes);
  targets.push(web);
  t.web = web.url;
  for (const name of ["valid", "expired", "selfSigned", "wrongHost", "shortRoot"] as const) {
    const target = await httpsTarget(pki[name], routes);
    targets.push(target);
    t[name] = target.url;
    t[`${name}Port`] = String(target.port);
  }
  const ssh = await tcpTarget((socket) => {
    socket.write("SSH-2.0-OpenSSH_9.2\r\n");
    socket.on("data", () => socket.end("Protocol mismatch.\n"));
  });
  targets.push(ssh);
  t.sshPort = String(ssh.port);
  t.closedPort = String(await closedPort());
}, 60_000);

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await dns?.close();
  await blackbox?.stop();
});

async function blackboxSuccess(module: string, target: string): Promise<number> {
  const url = `${blackbox.url}/probe?module=${module}&target=${encodeURIComponent(target)}`;
  const text = await (await fetch(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" } })).text();
  const match = /^probe_success (\d)$/m.exec(text);
  if (!match) throw new Error(`no probe_success from blackbox_exporter for ${target}:\n${text}`);
  return Number(match[1]);
}

interface Case {
  name: string;
  module: "http" | "tcp" | "tls";
  target: () => string;
  watchpost: () => Record<string, unknown>;
  cause: RegExp;
}

const http = (route: string, base = "web"): Pick<Case, "target" | "watchpost"> => ({
  target: () => `${t[base]}${route}`,
  watchpost: () => ({ http: { url: `${t[base]}${route}`, ca: "ca.pem" } }),
});

const cases: Case[] = [
  { name: "healthy endpoint", module: "http", ...http("/ok"), cause: /^200 OK$/ },
  { name: "slow but in time", module: "http", ...http("/slow-headers?ms=300"), cause: /^200 OK$/ },
  { name: "5xx", module: "http", ...http("/fail"), cause: /^status 503, expected 2xx$/ },
  {
    name: "hanging",
    module: "http",
    ...http("/hang"),
    cause: /^timed out after 2s while waiting for response headers/,
  },
  { name: "redirect loop", module: "http", ...http("/loop-a"), cause: /^redirect loop: / },
  { name: "redirect followed", module: "http", ...http("/redirect"), cause: /^200 OK after 1 redirect/ },
  { name: "trusted https", module: "http", ...http("/ok", "valid"), cause: /^200 OK$/ },
  {
    name: "expired certificate",
    module: "http",
    ...http("/ok", "expired"),
    cause: /^certificate has expired/,
  },
  {
    name: "self-signed certificate",
    module: "http",
    ...http("/ok", "selfSigned"),
    cause: /^self-signed certificate/,
  },
  {
    name: "wrong-host certificate",
    module: "http",
    ...http("/ok", "wrongHost"),
    cause: /^certificate is not valid for this host name/,
  },
  {
    name: "closed port (http)",
    module: "http",
    target: () => `http://127.0.0.1:${t.closedPort}/`,
    watchpost: () => ({ http: { url: `http://127.0.0.1:${t.closedPort}/` } }),
    cause: /^connection refused by 127\.0\.0\.1:\d+$/,
  },
  {
    name: "non-HTTP peer",
    module: "http",
    target: () => `http://127.0.0.1:${t.sshPort}/`,
    watchpost: () => ({ http: { url: `http://127.0.0.1:${t.sshPort}/` } }),
    cause: /did not answer with valid HTTP/,
  },
  ...(["valid", "expired", "selfSigned", "wrongHost"] as const).map(
    (name): Case => ({
      name: `tls ${name}`,
      module: "tls",
      target: () => `127.0.0.1:${t[`${name}Port`]}`,
      watchpost: () => ({ tls: { host: "127.0.0.1", port: Number(t[`${name}Port`]), ca: "ca.pem" } }),
      cause:
        name === "valid"
          ? /^TLSv1\.3, certificate valid until/
          : /^certificate (not trusted|is not valid for)/,
    }),
  ),
  {
    name: "tcp listening",
    module: "tcp",
    target: () => `127.0.0.1:${t.sshPort}`,
    watchpost: () => ({ tcp: { host: "127.0.0.1", port: Number(t.sshPort) } }),
    cause: /^connected to /,
  },
  {
    name: "tcp closed",
    module: "tcp",
    target: () => `127.0.0.1:${t.closedPort}`,
    watchpost: () => ({ tcp: { host: "127.0.0.1", port: Number(t.closedPort) } }),
    cause: /^connection refused/,
  },
];

describe.skipIf(!available)("verdicts agree with prometheus-blackbox-exporter", () => {
  it("on every misbehaving target", async () => {
    const specs = cases.map((c, i) => check({ name: `case-${i}`, timeout: "2s", ...c.watchpost() }, dir));
    const [ours, theirs] = await Promise.all([
      runChecks(specs),
      Promise.all(cases.map((c) => blackboxSuccess(c.module, c.target()))),
    ]);
    const table = cases.map((c, i) => ({
      case: c.name,
      blackbox: theirs[i],
      watchpost: ours[i]?.status,
      reason: ours[i]?.reason,
    }));
    for (const [i, row] of table.entries()) {
      const success = row.watchpost === "up" || row.watchpost === "degraded" ? 1 : 0;
      expect(
        success,
        `${row.case}: watchpost ${row.watchpost} (${row.reason}), blackbox ${row.blackbox}`,
      ).toBe(row.blackbox);
      expect(row.reason, row.case).toMatch(cases[i]?.cause as RegExp);
    }
    expect(table.filter((row) => row.blackbox === 0).length).toBeGreaterThanOrEqual(10);
  });
});

/** Watchpost's own labels (blackbox gets job and instance from Prometheus' relabelling). */
const ATTACHED = new Set(["check", "kind", "instance", "job", "location"]);

async function blackboxSeries(module: string, target: string): Promise<Sample[]> {
  const url = `${blackbox.url}/probe?module=${module}&target=${encodeURIComponent(target)}`;
  return parseExposition(
    await (await fetch(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" } })).text(),
  );
}

/** A series' identity: its name and the names of its labels. */
const shape = (s: Sample) => `${s.name}{${Object.keys(s.labels).sort().join(",")}}`;
/** Series whose values both measure the same way (timings differ by nature). */
const SAME_VALUE = new Set([
  "probe_success",
  "probe_http_status_code",
  "probe_http_content_length",
  "probe_http_uncompressed_body_length",
  "probe_http_redirects",
  "probe_http_ssl",
  "probe_http_version",
  "probe_http_last_modified_timestamp_seconds",
  "probe_failed_due_to_regex",
  "probe_ip_protocol",
  "probe_ip_addr_hash",
  "probe_ssl_earliest_cert_expiry",
  "probe_ssl_last_chain_expiry_timestamp_seconds",
  "probe_ssl_last_chain_info",
  "probe_tls_version_info",
  "probe_dns_answer_rrs",
  "probe_dns_authority_rrs",
  "probe_dns_additional_rrs",
  "probe_dns_query_succeeded",
]);
/** Written by blackbox_exporter 0.26 and later only (the peer here is Debian's 0.23). */
const NEWER_THAN_PEER = new Set(["probe_tls_cipher_info"]);

interface SeriesCase {
  name: string;
  module: string;
  target: () => string;
  watchpost: () => Record<string, unknown>;
}

const seriesCases: SeriesCase[] = [
  { name: "http 200", module: "http", ...http("/ok") },
  {
    name: "http redirecting to https",
    module: "http",
    target: () => `${t.web}/to?url=${encodeURIComponent(`${t.valid}/ok`)}`,
    watchpost: () => ({
      http: { url: `${t.web}/to?url=${encodeURIComponent(`${t.valid}/ok`)}`, ca: "ca.pem" },
    }),
  },
  {
    name: "https, chain whose root expires first",
    module: "http_short",
    target: () => `${t.shortRoot}/ok`,
    watchpost: () => ({ http: { url: `${t.shortRoot}/ok`, ca: "short-root.pem" } }),
  },
  { name: "http chunked, Last-Modified", module: "http", ...http("/modified") },
  { name: "http 503", module: "http", ...http("/fail") },
  {
    name: "http body not matching",
    module: "http_regex",
    target: () => `${t.web}/ok`,
    watchpost: () => ({ http: { url: `${t.web}/ok`, expect: { bodyMatches: "no such words" } } }),
  },
  {
    name: "tls, chain whose root expires first",
    module: "tls_short",
    target: () => `127.0.0.1:${t.shortRootPort}`,
    watchpost: () => ({ tls: { host: "127.0.0.1", port: Number(t.shortRootPort), ca: "short-root.pem" } }),
  },
  {
    name: "tls valid",
    module: "tls",
    target: () => `127.0.0.1:${t.validPort}`,
    watchpost: () => ({ tls: { host: "127.0.0.1", port: Number(t.validPort), ca: "ca.pem" } }),
  },
  {
    name: "tcp listening",
    module: "tcp",
    target: () => `127.0.0.1:${t.sshPort}`,
    watchpost: () => ({ tcp: { host: "127.0.0.1", port: Number(t.sshPort) } }),
  },
  {
    name: "tcp closed",
    module: "tcp",
    target: () => `127.0.0.1:${t.closedPort}`,
    watchpost: () => ({ tcp: { host: "127.0.0.1", port: Number(t.closedPort) } }),
  },
  {
    name: "dns answer with authority and additional records",
    module: "dns_zone",
    target: () => dns.address,
    watchpost: () => ({ dns: { name: "zone.test", resolver: dns.address } }),
  },
  {
    name: "dns NXDOMAIN",
    module: "dns_missing",
    target: () => dns.address,
    watchpost: () => ({ dns: { name: "nowhere.test", resolver: dns.address } }),
  },
];

describe.skipIf(!available)("series agree with prometheus-blackbox-exporter", () => {
  it("names, label names and (where both measure) values, for every kind", async () => {
    const specs = seriesCases.map((c, i) =>
      check({ name: `series-${i}`, timeout: "2s", ...c.watchpost() }, dir),
    );
    const [ours, theirs] = await Promise.all([
      runChecks(specs),
      Promise.all(seriesCases.map((c) => blackboxSeries(c.module, c.target()))),
    ]);
    for (const [i, c] of seriesCases.entries()) {
      const result = ours[i];
      if (!result) throw new Error(`no result for ${c.name}`);
      const mine: Sample[] = resultSeries(result, { location: "local", timestampMs: 0 })
        .filter((s) => !s.name.startsWith("watchpost_") && !NEWER_THAN_PEER.has(s.name))
        .map((s) => ({
          name: s.name,
          labels: Object.fromEntries(
            [...Object.entries(s.labels).filter(([k]) => !ATTACHED.has(k)), ...(s.extra ?? [])].filter(
              ([, v]) => v !== "",
            ),
          ),
          value: s.value,
        }));
      const blackboxSet = theirs[i] as Sample[];
      const context = `${c.name} (watchpost: ${result.status}, ${result.reason})`;
      expect([...new Set(mine.map(shape))].sort(), context).toEqual(
        [...new Set(blackboxSet.map(shape))].sort(),
      );
      const valued = (samples: Sample[]) =>
        samples
          .filter((s) => SAME_VALUE.has(s.name))
          .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`)
          .sort();
      expect(valued(mine), context).toEqual(valued(blackboxSet));
    }
    // The cases that make the point, spelled out.
    const value = (i: number, name: string) =>
      resultSeries(ours[i] as never, { location: "l", timestampMs: 0 }).find((s) => s.name === name)?.value;
    expect(value(1, "probe_http_ssl")).toBe(1);
    expect(value(2, "probe_ssl_last_chain_expiry_timestamp_seconds")).toBe(
      pki.shortRoot.rootNotAfter.getTime() / 1000,
    );
    expect(value(2, "probe_ssl_earliest_cert_expiry")).toBe(pki.shortRoot.notAfter.getTime() / 1000);
    expect(value(10, "probe_dns_authority_rrs")).toBe(2);
    expect(value(10, "probe_dns_additional_rrs")).toBe(1);
  });
});
