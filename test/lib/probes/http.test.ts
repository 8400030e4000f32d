import { mkdtemp, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USER_AGENT } from "../../../lib/version.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { probe } from "../../support/checks.js";
import {
  closedPort,
  httpsTarget,
  httpTarget,
  routes,
  type Target,
  tcpTarget,
} from "../../support/servers.js";

let web: Target;
let pki: TestPki;
let caDir: string;
const tlsTargets: Record<string, Target> = {};

beforeAll(async () => {
  web = await httpTarget(routes);
  pki = await createTestPki();
  caDir = await mkdtemp(path.join(tmpdir(), "watchpost-ca-"));
  await writeFile(path.join(caDir, "ca.pem"), pki.caPem);
  for (const name of ["valid", "expiringSoon", "expired", "selfSigned", "wrongHost"] as const) {
    tlsTargets[name] = await httpsTarget(pki[name], routes);
  }
});

afterAll(async () => {
  await Promise.all([web, ...Object.values(tlsTargets)].map((target) => target.close()));
});

const get = (route: string, extra: Record<string, unknown> = {}, common: Record<string, unknown> = {}) =>
  probe({ timeout: "2s", ...common, http: { url: `${web.url}${route}`, ...extra } });

describe("http probe: verdicts and reasons", () => {
  const cases: {
    name: string;
    route: string;
    config?: Record<string, unknown>;
    common?: Record<string, unknown>;
    status: string;
    reason: RegExp;
  }[] = [
    { name: "a 200 is up", route: "/ok", status: "up", reason: /^200 OK$/ },
    { name: "a 503 is down", route: "/fail", status: "down", reason: /^status 503, expected 2xx$/ },
    {
      name: "an expected 503 is up",
      route: "/fail",
      config: { expect: { status: [503] } },
      status: "up",
      reason: /503/,
    },
    {
      name: "a 404 against [200, 204]",
      route: "/nope",
      config: { expect: { status: [200, 204] } },
      status: "down",
      reason: /^status 404, expected 200 or 204$/,
    },
    {
      name: "no headers before the timeout",
      route: "/hang",
      common: { timeout: "300ms" },
      status: "down",
      reason: /^timed out after 300ms while waiting for response headers from 127\.0\.0\.1:\d+$/,
    },
    {
      name: "a body that never ends",
      route: "/stall-body",
      common: { timeout: "300ms" },
      status: "down",
      reason: /^timed out after 300ms while reading the response body/,
    },
    {
      name: "slower than degraded",
      route: "/slow-headers?ms=150",
      config: { expect: { latency: { degraded: "50ms", fail: "1s" } } },
      status: "degraded",
      reason: /^took \d+ms, expected at most 50ms to be up$/,
    },
    {
      name: "slower than fail",
      route: "/slow-headers?ms=150",
      config: { expect: { latency: { fail: "50ms" } } },
      status: "down",
      reason: /^took \d+ms, expected at most 50ms$/,
    },
    { name: "a redirect is followed", route: "/redirect", status: "up", reason: /^200 OK after 1 redirect/ },
    {
      name: "a redirect loop",
      route: "/loop-a",
      status: "down",
      reason: /^redirect loop: http:\/\/127\.0\.0\.1:\d+\/loop-a → .*\/loop-b → .*\/loop-a$/,
    },
    {
      name: "too many redirects",
      route: "/chain?n=5",
      config: { maxRedirects: 3 },
      status: "down",
      reason: /^more than 3 redirects \(last to .*\/chain\?n=…\)$/,
    },
    {
      name: "redirects not followed",
      route: "/redirect",
      config: { followRedirects: false },
      status: "down",
      reason: /^status 301, expected 2xx$/,
    },
    {
      name: "a JSON assertion that holds",
      route: "/ok",
      config: {
        expect: {
          json: [
            { path: "$.status", equals: "ok" },
            { path: "$.items[0].id", equals: 7 },
          ],
        },
      },
      status: "up",
      reason: /^200 OK$/,
    },
    {
      name: "a JSON value that differs",
      route: "/ok",
      config: { expect: { json: [{ path: "$.status", equals: "degraded" }] } },
      status: "down",
      reason: /^\$\.status is "ok", expected "degraded"$/,
    },
    {
      name: "a JSON path that is missing",
      route: "/ok",
      config: { expect: { json: [{ path: "$.version", exists: true }] } },
      status: "down",
      reason: /^\$\.version is missing, expected it to exist$/,
    },
    {
      name: "invalid JSON",
      route: "/not-json",
      config: { expect: { json: [{ path: "$.status", equals: "ok" }] } },
      status: "down",
      reason: /^body is not valid JSON \(/,
    },
    {
      name: "body text missing",
      route: "/fail",
      config: { expect: { status: [503], bodyContains: ["healthy"] } },
      status: "down",
      reason: /^body does not contain "healthy"$/,
    },
    {
      name: "body regex",
      route: "/fail",
      config: { expect: { status: [503], bodyMatches: "maint[a-z]+" } },
      status: "up",
      reason: /^503/,
    },
    {
      name: "a header that does not match",
      route: "/ok",
      config: { expect: { headers: { "Content-Type": { matches: "^text/" } } } },
      status: "down",
      reason: /^header Content-Type is "application\/json", expected to match \/\^text\/\/$/,
    },
    {
      name: "an oversized body",
      route: "/stream?bytes=2097152",
      status: "down",
      reason: /^body larger than the 1MiB limit \(maxBodySize\)$/,
    },
    {
      name: "a raised body limit",
      route: "/stream?bytes=2097152",
      config: { maxBodySize: "4MiB" },
      status: "up",
      reason: /^200 OK$/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const result = await get(c.route, c.config, c.common);
      expect(result.status, result.reason).toBe(c.status);
      expect(result.reason).toMatch(c.reason);
    });
  }

  it("reports a refused connection", async () => {
    const port = await closedPort();
    const result = await probe({ http: { url: `http://127.0.0.1:${port}/` } });
    expect(result).toMatchObject({ status: "down", reason: `connection refused by 127.0.0.1:${port}` });
  });

  it("reports a peer that does not speak HTTP", async () => {
    const ssh = await tcpTarget((socket) => {
      socket.write("SSH-2.0-OpenSSH_9.2\r\n");
      socket.on("data", () => socket.end("Protocol mismatch.\n"));
    });
    try {
      const result = await probe({ http: { url: `http://127.0.0.1:${ssh.port}/` } });
      expect(result.status).toBe("down");
      expect(result.reason).toMatch(/^127\.0\.0\.1:\d+ did not answer with valid HTTP \(/);
    } finally {
      await ssh.close();
    }
  });

  it("ends processing at the response's first byte, not when the last header arrives", async () => {
    // The status line after 100 ms, the rest of the head 400 ms later: blackbox's processing phase
    // ends at the first byte (httptrace's GotFirstResponseByte), and so does Watchpost's.
    const slowHead = await tcpTarget((socket) =>
      socket.once("data", () => {
        setTimeout(() => socket.write("HTTP/1.1 200 OK\r\n"), 100);
        setTimeout(() => socket.end("content-length: 2\r\nconnection: close\r\n\r\nok"), 500);
      }),
    );
    try {
      const result = await probe({ http: { url: `http://127.0.0.1:${slowHead.port}/` } });
      expect(result.status).toBe("up");
      expect(result.phases?.processing).toBeGreaterThanOrEqual(95);
      expect(result.phases?.processing).toBeLessThan(400);
      expect(result.phases?.transfer).toBeGreaterThanOrEqual(300);
    } finally {
      await slowHead.close();
    }
  });

  it("reports a peer that closes without answering", async () => {
    const rude = await tcpTarget((socket) => socket.on("data", () => socket.destroy()));
    try {
      const result = await probe({ http: { url: `http://127.0.0.1:${rude.port}/` } });
      expect(result.status).toBe("down");
      expect(result.reason).toMatch(/^connection (closed|reset) by 127\.0\.0\.1:\d+/);
    } finally {
      await rude.close();
    }
  });
});

describe("http probe: legal but unusual peers, and hostile ones", () => {
  it("closes the socket of a TLS handshake that never finishes, so nothing outlives the attempt", async () => {
    let closedAt = 0;
    // Reads (so it sees the client hang up) but never answers the ClientHello.
    const silent = await tcpTarget((socket) => socket.resume().on("close", () => (closedAt = Date.now())));
    try {
      const result = await probe({ timeout: "500ms", http: { url: `https://127.0.0.1:${silent.port}/` } });
      expect(result.reason).toMatch(/^timed out after 500ms while TLS handshake with 127\.0\.0\.1:\d+$/);
      await expect.poll(() => closedAt, { timeout: 5_000 }).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });

  it("reads past 1xx informational responses to the final one", async () => {
    const peer = await tcpTarget((socket) =>
      socket.once("data", () =>
        socket.end(
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        ),
      ),
    );
    try {
      const result = await probe({
        http: { url: `http://127.0.0.1:${peer.port}/`, expect: { bodyContains: ["ok"] } },
      });
      expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
    } finally {
      await peer.close();
    }
  });

  it("sends credentials in the URL as basic auth, as curl does, and shows none of them", async () => {
    process.env.WATCHPOST_TEST_PASS = "pa55-w0rd-xyz";
    const seen: (string | undefined)[] = [];
    const guarded = await httpTarget((req, res) => {
      seen.push(req.headers.authorization);
      res
        .writeHead(
          req.headers.authorization === `Basic ${Buffer.from("ops:pa55-w0rd-xyz").toString("base64")}`
            ? 200
            : 401,
        )
        .end();
    });
    try {
      const result = await probe({
        http: { url: `http://ops:\${env:WATCHPOST_TEST_PASS}@127.0.0.1:${guarded.port}/` },
      });
      expect(result.status).toBe("up");
      expect(result.target).toBe(`http://127.0.0.1:${guarded.port}/`);
      expect(JSON.stringify(result)).not.toContain("pa55-w0rd-xyz");
    } finally {
      delete process.env.WATCHPOST_TEST_PASS;
      await guarded.close();
    }
  });

  it("names the header when a redirect's Location is not a URL", async () => {
    const odd = await httpTarget((_req, res) =>
      res.writeHead(302, { location: "http://[::1/x?sig=abc" }).end(),
    );
    try {
      const result = await probe({ http: { url: `${odd.url}/` } });
      expect(result).toMatchObject({
        status: "down",
        reason: 'redirect 302 with a Location header that is not an http(s) URL: "http://[::1/x?sig=…"',
      });
    } finally {
      await odd.close();
    }
  });

  it("shows no query value of a redirect loop's URLs in its reason or facts", async () => {
    const looping = await httpTarget((req, res) =>
      res
        .writeHead(302, {
          location: req.url?.startsWith("/a") ? "/b?token=t0p-s3cret" : "/a?token=t0p-s3cret",
        })
        .end(),
    );
    try {
      const result = await probe({ http: { url: `${looping.url}/a?token=t0p-s3cret` } });
      expect(result.reason).toMatch(
        /^redirect loop: http:\/\/127\.0\.0\.1:\d+\/a\?token=… → .*\/b\?token=… → .*\/a\?token=…$/,
      );
      expect(JSON.stringify(result)).not.toContain("t0p-s3cret");
    } finally {
      await looping.close();
    }
  });
});

describe("http probe: requests", () => {
  it("sends method, body, headers and its user agent, resolving env references", async () => {
    process.env.WATCHPOST_TEST_TOKEN = "s3cret";
    const result = await get("/headers", {
      headers: { Authorization: "Bearer ${env:WATCHPOST_TEST_TOKEN}" },
      expect: {
        json: [
          { path: "$.authorization", equals: "Bearer s3cret" },
          { path: "$['user-agent']", equals: USER_AGENT },
        ],
      },
    });
    expect(result.status, result.reason).toBe("up");
    expect(result.target).toBe(`${web.url}/headers`);
    const echoed = await get("/echo", {
      method: "PUT",
      body: '{"ping":true}',
      expect: { bodyContains: ['{"ping":true}'], headers: { "x-method": { equals: "PUT" } } },
    });
    expect(echoed.status, echoed.reason).toBe("up");
  });

  it("is unknown, naming the reference, when an env reference is not set", async () => {
    delete process.env.WATCHPOST_TEST_MISSING;
    const result = await get("/ok", { headers: { "X-Key": "${env:WATCHPOST_TEST_MISSING}" } });
    expect(result).toMatchObject({ status: "unknown", reason: "${env:WATCHPOST_TEST_MISSING} is not set" });
  });

  it("drops every header the check set on a redirect to another origin, and keeps them on its own", async () => {
    process.env.WATCHPOST_TEST_API_KEY = "k3y-for-origin-one";
    const seen: http.IncomingHttpHeaders[] = [];
    const other = await httpTarget((req, res) => {
      seen.push(req.headers);
      res.writeHead(200).end("ok");
    });
    const hop = await httpTarget((req, res) => {
      if (req.url === "/same") return res.writeHead(302, { location: "/here" }).end();
      if (req.url === "/here") return res.writeHead(200).end(JSON.stringify(req.headers));
      res.writeHead(302, { location: `${other.url}/` }).end();
    });
    const headers = {
      Authorization: "Bearer x",
      "X-Api-Key": "${env:WATCHPOST_TEST_API_KEY}",
      "X-Trace": "1",
      "Content-Type": "application/json",
    };
    try {
      const dropped = await probe({ http: { url: `${hop.url}/`, headers } });
      expect(dropped.status, dropped.reason).toBe("up");
      expect(dropped.facts?.redirects).toEqual([`${other.url}/`]);
      expect(Object.keys(seen[0] ?? {}).filter((name) => !["host", "connection"].includes(name))).toEqual([
        "user-agent",
      ]);
      expect(seen[0]?.["user-agent"]).toBe(USER_AGENT);

      const kept = await probe({ http: { url: `${hop.url}/`, headers, redirects: { keepHeaders: true } } });
      expect(kept.status, kept.reason).toBe("up");
      expect(seen[1]).toMatchObject({
        authorization: "Bearer x",
        "x-api-key": "k3y-for-origin-one",
        "x-trace": "1",
      });

      const same = await probe({
        http: {
          url: `${hop.url}/same`,
          headers,
          expect: { json: [{ path: "$['x-api-key']", equals: "${env:WATCHPOST_TEST_API_KEY}" }] },
        },
      });
      expect(same.status, same.reason).toBe("up");
    } finally {
      await Promise.all([other.close(), hop.close()]);
    }
  });

  it("never sends a body on to another origin", async () => {
    let reached = 0;
    const other = await httpTarget((_req, res) => {
      reached++;
      res.writeHead(200).end("ok");
    });
    const hop = await httpTarget((req, res) =>
      res.writeHead(req.url === "/see-other" ? 303 : 307, { location: `${other.url}/in` }).end(),
    );
    try {
      const result = await probe({
        http: {
          url: `${hop.url}/`,
          method: "POST",
          body: '{"card":"4111"}',
          redirects: { keepHeaders: true },
        },
      });
      expect(result).toMatchObject({
        status: "down",
        reason: `redirect 307 to ${other.url}/in, another origin, would send the request body there; not followed`,
      });
      expect(reached).toBe(0);
      // A 303 turns the POST into a GET without its body: that one may go.
      const seeOther = await probe({
        http: { url: `${hop.url}/see-other`, method: "POST", body: '{"card":"4111"}' },
      });
      expect(seeOther.status, seeOther.reason).toBe("up");
      expect(reached).toBe(1);
    } finally {
      await Promise.all([other.close(), hop.close()]);
    }
  });

  it("refuses an https → http hop that would carry a secret header, saying why", async () => {
    process.env.WATCHPOST_TEST_API_KEY = "k3y-for-origin-one";
    let reached = 0;
    const plain = await httpTarget((_req, res) => {
      reached++;
      res.writeHead(200).end("ok");
    });
    const secure = await httpsTarget(pki.valid, (_req, res) =>
      res.writeHead(302, { location: `${plain.url}/down?x=1` }).end(),
    );
    const https = (headers: Record<string, string>) =>
      probe(
        {
          http: { url: `${secure.url}/`, ca: "ca.pem", headers, redirects: { keepHeaders: true } },
        },
        caDir,
      );
    try {
      const refused = await https({ "X-Api-Key": "${env:WATCHPOST_TEST_API_KEY}", "X-Trace": "1" });
      expect(refused).toMatchObject({
        status: "down",
        reason: `redirect 302 to ${plain.url}/down?x=… would send x-api-key over plain http; not followed (the header holds a secret)`,
      });
      expect(JSON.stringify(refused)).not.toContain("k3y-for-origin-one");
      expect(reached).toBe(0);
      // Headers with nothing secret in them may follow the check's opt-in.
      const allowed = await https({ "X-Trace": "1" });
      expect(allowed.status, allowed.reason).toBe("up");
      expect(reached).toBe(1);
    } finally {
      await Promise.all([plain.close(), secure.close()]);
    }
  });

  it("uses a fresh connection for every probe and every redirect hop", async () => {
    let opened = 0;
    const tracked = http.createServer(routes).on("connection", () => opened++);
    await new Promise<void>((resolve) => tracked.listen(0, "127.0.0.1", resolve));
    const port = (tracked.address() as { port: number }).port;
    try {
      await probe({ http: { url: `http://127.0.0.1:${port}/ok` } });
      await probe({ http: { url: `http://127.0.0.1:${port}/redirect` } });
      expect(opened).toBe(3);
    } finally {
      tracked.closeAllConnections();
      await new Promise((resolve) => tracked.close(resolve));
    }
  });

  it("measures phases that add up and place a server delay in processing", async () => {
    const result = await get("/slow-headers?ms=200");
    const phases = result.phases ?? {};
    expect(Object.keys(phases).sort()).toEqual(["connect", "processing", "resolve", "tls", "transfer"]);
    expect(phases.processing).toBeGreaterThanOrEqual(195);
    expect(phases.tls).toBe(0);
    const sum = Object.values(phases).reduce((a, b) => a + (b ?? 0), 0);
    expect(sum).toBeLessThanOrEqual(result.durationMs + 1);
    const body = await get("/slow-body?ms=200");
    expect(body.phases?.transfer).toBeGreaterThanOrEqual(195);
  });
});

describe("http probe: TLS", () => {
  const https = (name: string, extra: Record<string, unknown> = {}) =>
    probe({ timeout: "2s", http: { url: `${tlsTargets[name]?.url}/ok`, ca: "ca.pem", ...extra } }, caDir);

  it("is up against a trusted certificate and reports its facts", async () => {
    const result = await https("valid", { expect: { certificate: { validFor: "30d" } } });
    expect(result.status, result.reason).toBe("up");
    expect(result.phases?.tls).toBeGreaterThan(0);
    expect(result.facts?.certificate).toMatchObject({
      subject: "CN=localhost",
      issuer: "CN=Watchpost Test Root",
      sans: ["DNS:localhost", "IP Address:127.0.0.1"],
      trusted: true,
      notAfter: pki.valid.notAfter.toISOString().replace(/\.\d+Z$/, ".000Z"),
    });
  });

  it("sees the certificate on every probe (no TLS session resumption)", async () => {
    for (let i = 0; i < 3; i++) {
      const result = await https("valid");
      expect(result.facts?.certificate?.fingerprint256).toMatch(/^[0-9A-F:]+$/);
    }
  });

  const cases = [
    {
      name: "expiringSoon",
      extra: { expect: { certificate: { validFor: "14d" } } },
      reason: /^certificate expires in 4d2[23]h, expected at least 14d$/,
    },
    { name: "expired", extra: {}, reason: /^certificate has expired \(127\.0\.0\.1:\d+\)$/ },
    { name: "selfSigned", extra: {}, reason: /^self-signed certificate \(127\.0\.0\.1:\d+\)$/ },
    {
      name: "wrongHost",
      extra: {},
      reason: /^certificate is not valid for this host name \(127\.0\.0\.1:\d+\)$/,
    },
  ];
  for (const c of cases) {
    it(`is down for a ${c.name} certificate, with facts`, async () => {
      const result = await https(c.name, c.extra);
      expect(result.status).toBe("down");
      expect(result.reason).toMatch(c.reason);
      const presented = pki[c.name as "valid" | "expiringSoon" | "expired" | "selfSigned" | "wrongHost"];
      expect(result.facts?.certificate?.notAfter).toBe(
        presented.notAfter.toISOString().replace(/\.\d+Z$/, ".000Z"),
      );
    });
  }

  it("accepts an untrusted certificate with insecure: true", async () => {
    const result = await https("selfSigned", { insecure: true });
    expect(result.status, result.reason).toBe("up");
    expect(result.facts?.certificate?.trusted).toBe(false);
  });

  it("rejects a certificate the system does not trust when no ca is given", async () => {
    const result = await probe({ http: { url: `${tlsTargets.valid?.url}/ok` } });
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(/^certificate issuer is not trusted/);
  });
});
