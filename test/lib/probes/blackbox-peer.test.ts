/**
 * The same misbehaving loopback targets through Watchpost and through prometheus-blackbox-exporter:
 * the verdicts must agree (up or degraded = probe_success 1, down = 0), and every down names its cause.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../lib/engine.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check } from "../../support/checks.js";
import { freePort, type Peer, peerAvailable, startPeer } from "../../support/peers.js";
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
let dir: string;
let pki: TestPki;
const targets: Target[] = [];
const t: Record<string, string> = {};

beforeAll(async () => {
  if (!available) return;
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-blackbox-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
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
`,
  );
  const port = await freePort();
  blackbox = await startPeer(
    "prometheus-blackbox-exporter",
    [`--config.file=${dir}/blackbox.yml`, `--web.listen-address=127.0.0.1:${port}`],
    port,
    "/-/healthy",
  );
  const web = await httpTarget(routes);
  targets.push(web);
  t.web = web.url;
  for (const name of ["valid", "expired", "selfSigned", "wrongHost"] as const) {
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
