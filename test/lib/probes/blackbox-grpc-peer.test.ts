/**
 * The same gRPC servers (grpc-js, on loopback) through Watchpost's grpc kind and through
 * prometheus-blackbox-exporter's grpc prober (Debian's 0.23): verdicts, and every probe_* series with
 * its labels and, where both measure the same thing, its value.
 *
 * Where 0.23 differs from later releases, Watchpost follows the later ones and the test says so:
 * 0.23 registers probe_ssl_earliest_cert_expiry for every grpc probe, so it writes 0 when the call did
 * not succeed over TLS (0.24 and later write it only with the TLS facts).
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../lib/engine.js";
import { resultSeries } from "../../../lib/metrics/series.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check } from "../../support/checks.js";
import { parseExposition, type Sample } from "../../support/exposition.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { type Peer, peerAvailable, startBlackbox } from "../../support/peers.js";
import { closedPort } from "../../support/servers.js";

const available = peerAvailable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");

let blackbox: Peer;
let dir: string;
let pki: TestPki;
const servers: Record<string, GrpcTarget> = {};
let closed: number;

beforeAll(async () => {
  if (!available) return;
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-blackbox-grpc-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  const module = (service: string, tls = false) =>
    `    prober: grpc\n    timeout: 2s\n    grpc: { preferred_ip_protocol: ip4, service: "${service}"${tls ? `, tls: true, tls_config: { ca_file: ${dir}/ca.pem }` : ""} }\n`;
  await writeFile(
    path.join(dir, "blackbox.yml"),
    `modules:\n  grpc:\n${module("")}  grpc_payments:\n${module("payments")}  grpc_nope:\n${module("nope")}  grpc_tls:\n${module("", true)}  grpc_tls_payments:\n${module("payments", true)}`,
  );
  const statuses = { "": "SERVING", payments: "NOT_SERVING" } as const;
  const [plain, secure, selfSigned, bare] = await Promise.all([
    grpcTarget({ statuses }),
    grpcTarget({ statuses }, pki.valid),
    grpcTarget({ statuses }, pki.selfSigned),
    grpcTarget({ none: true }),
  ]);
  Object.assign(servers, { plain, secure, selfSigned, bare });
  closed = await closedPort();
  blackbox = await startBlackbox(`${dir}/blackbox.yml`);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  await blackbox?.stop();
});

interface Case {
  name: string;
  module: string;
  target: () => string;
  watchpost: () => Record<string, unknown>;
  reason: RegExp;
}

const grpcCase = (
  name: string,
  server: string,
  module: string,
  fields: Record<string, unknown>,
  reason: RegExp,
): Case => ({
  name,
  module,
  target: () => (server === "closed" ? `127.0.0.1:${closed}` : (servers[server] as GrpcTarget).target),
  watchpost: () => ({
    grpc: {
      target: server === "closed" ? `127.0.0.1:${closed}` : (servers[server] as GrpcTarget).target,
      ...fields,
    },
  }),
  reason,
});

const cases: Case[] = [
  grpcCase("serving", "plain", "grpc", {}, /^the server is SERVING$/),
  grpcCase(
    "not serving",
    "plain",
    "grpc_payments",
    { service: "payments" },
    /^service "payments" is NOT_SERVING$/,
  ),
  grpcCase(
    "unknown service",
    "plain",
    "grpc_nope",
    { service: "nope" },
    /^NOT_FOUND: the server does not know service "nope"$/,
  ),
  grpcCase("no health service", "bare", "grpc", {}, /^UNIMPLEMENTED: the server has no health service$/),
  grpcCase("tls serving", "secure", "grpc_tls", { tls: true, ca: "ca.pem" }, /^the server is SERVING$/),
  grpcCase(
    "tls not serving",
    "secure",
    "grpc_tls_payments",
    { tls: true, ca: "ca.pem", service: "payments" },
    /^service "payments" is NOT_SERVING$/,
  ),
  grpcCase(
    "tls self-signed",
    "selfSigned",
    "grpc_tls",
    { tls: true, ca: "ca.pem" },
    /^self-signed certificate \(/,
  ),
  grpcCase("closed port", "closed", "grpc", {}, /^connection refused by 127\.0\.0\.1:\d+$/),
];

/** Series both write with the same meaning and value (timings differ by nature). */
const SAME_VALUE = new Set([
  "probe_success",
  "probe_grpc_status_code",
  "probe_grpc_healthcheck_response",
  "probe_grpc_ssl",
  "probe_ip_protocol",
  "probe_ip_addr_hash",
  "probe_ssl_earliest_cert_expiry",
  "probe_ssl_last_chain_info",
  "probe_tls_version_info",
]);
const ATTACHED = new Set(["check", "kind", "instance", "job", "location"]);
const shape = (s: Sample) => `${s.name}{${Object.keys(s.labels).sort().join(",")}}`;
const valued = (samples: Sample[]) =>
  samples
    .filter((s) => SAME_VALUE.has(s.name))
    .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`)
    .sort();

/** 0.23's probe_ssl_earliest_cert_expiry 0, written where no TLS call succeeded (see the header). */
const only023 = (samples: Sample[]) =>
  samples.filter((s) => !(s.name === "probe_ssl_earliest_cert_expiry" && s.value === 0));

describe.skipIf(!available)("grpc: verdicts and series agree with prometheus-blackbox-exporter", () => {
  it("on serving, not serving, unknown and missing services, TLS and a closed port", async () => {
    const specs = cases.map((c, i) => check({ name: `grpc-${i}`, timeout: "2s", ...c.watchpost() }, dir));
    const [ours, theirs] = await Promise.all([
      runChecks(specs),
      Promise.all(
        cases.map(async (c) => {
          const url = `${blackbox.url}/probe?module=${c.module}&target=${encodeURIComponent(c.target())}`;
          const response = await fetch(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" } });
          return parseExposition(await response.text());
        }),
      ),
    ]);
    for (const [i, c] of cases.entries()) {
      const result = ours[i];
      if (!result) throw new Error(`no result for ${c.name}`);
      const context = `${c.name} (watchpost: ${result.status}, ${result.reason})`;
      expect(result.reason, context).toMatch(c.reason);
      const mine: Sample[] = resultSeries(result, { location: "local", timestampMs: 0 })
        .filter((s) => !s.name.startsWith("watchpost_"))
        .map((s) => ({
          name: s.name,
          labels: Object.fromEntries(
            [...Object.entries(s.labels).filter(([k]) => !ATTACHED.has(k)), ...(s.extra ?? [])].filter(
              ([, v]) => v !== "",
            ),
          ),
          value: s.value,
        }));
      const blackboxSet = only023(theirs[i] as Sample[]);
      expect([...new Set(mine.map(shape))].sort(), context).toEqual(
        [...new Set(blackboxSet.map(shape))].sort(),
      );
      expect(valued(mine), context).toEqual(valued(blackboxSet));
    }
    const success = (i: number) => (theirs[i] as Sample[]).find((s) => s.name === "probe_success")?.value;
    expect(cases.map((_, i) => success(i))).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  }, 60_000);
});
