import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../../../support/certs.js";
import { probe } from "../../../support/checks.js";
import { startProxy, type TestProxy } from "../../../support/proxy.js";
import { closedPort, httpsTarget, httpTarget, type Target } from "../../../support/servers.js";

const PROXY_ENV = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"];

let pki: TestPki;
let dir: string;
let secure: Target;
let plain: Target;
let open: TestProxy;
let guarded: TestProxy;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-proxy-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  // Certified for wrong.example, a name only the proxies resolve: reachable through them alone.
  secure = await httpsTarget(pki.wrongHost, (_req, res) => res.writeHead(200).end("ok"));
  plain = await httpTarget((req, res) => res.writeHead(200).end(req.headers.host));
  const hosts = { "wrong.example": "127.0.0.1", "plain.example": "127.0.0.1" };
  open = await startProxy({ hosts });
  guarded = await startProxy({ hosts, credentials: "probe:s3cret-pass" });
});

afterEach(() => {
  for (const name of PROXY_ENV) delete process.env[name];
  delete process.env.WATCHPOST_TEST_PROXY_PASS;
  open.asked.length = 0;
  guarded.asked.length = 0;
});

afterAll(async () => {
  await Promise.all([secure, plain, open, guarded].map((server) => server.close()));
});

const secureCheck = (extra: Record<string, unknown> = {}) =>
  probe(
    { timeout: "3s", http: { url: `https://wrong.example:${secure.port}/`, ca: "ca.pem", ...extra } },
    dir,
  );

describe("http probe through a proxy", () => {
  it("reaches an https target through HTTPS_PROXY with a CONNECT tunnel, TLS end to end", async () => {
    process.env.HTTPS_PROXY = open.url;
    const result = await secureCheck();
    expect(result.status).toBe("up");
    expect(open.asked).toEqual([`CONNECT wrong.example:${secure.port}`]);
    // The certificate checked is the target's, named by the URL's host, not the proxy's.
    expect(result.facts?.certificate?.hostnameMatches).toBe(true);
    // What was connected to, and resolved, is the proxy.
    expect(result.facts?.remoteAddress).toBe("127.0.0.1");
    expect(result.phases?.tls).toBeGreaterThan(0);
  });

  it("sends plain http to HTTP_PROXY in absolute form", async () => {
    process.env.HTTP_PROXY = open.url;
    const result = await probe({ timeout: "3s", http: { url: `http://plain.example:${plain.port}/x?y=1` } });
    expect(result.status).toBe("up");
    expect(open.asked).toEqual([`GET http://plain.example:${plain.port}/x?y=1`]);
  });

  it("goes through the check's own proxy, with credentials by reference shown nowhere", async () => {
    process.env.HTTPS_PROXY = "http://127.0.0.1:1";
    process.env.WATCHPOST_TEST_PROXY_PASS = "s3cret-pass";
    const own = { url: guarded.url, username: "probe", password: "${env:WATCHPOST_TEST_PROXY_PASS}" };
    const result = await secureCheck({ proxy: own });
    expect(result.status).toBe("up");
    expect(guarded.asked).toEqual([`CONNECT wrong.example:${secure.port}`]);
    const plainResult = await probe({
      timeout: "3s",
      http: { url: `http://plain.example:${plain.port}/`, proxy: own },
    });
    expect(plainResult.status).toBe("up");
    // In the URL as well, as curl's -x http://user:pass@host.
    const inUrl = await secureCheck({
      proxy: `http://probe:\${env:WATCHPOST_TEST_PROXY_PASS}@127.0.0.1:${guarded.port}`,
    });
    expect(inUrl.status).toBe("up");
    expect(JSON.stringify([result, plainResult, inUrl])).not.toContain("s3cret-pass");
  });

  it("names the proxy and its answer when it refuses the tunnel", async () => {
    process.env.WATCHPOST_TEST_PROXY_PASS = "wrong-pass";
    const result = await secureCheck({
      proxy: { url: guarded.url, username: "probe", password: "${env:WATCHPOST_TEST_PROXY_PASS}" },
    });
    expect(result.status).toBe("down");
    expect(result.reason).toBe(
      `proxy 127.0.0.1:${guarded.port} refused the tunnel to wrong.example:${secure.port}: 407 Proxy Authentication Required`,
    );
    expect(JSON.stringify(result)).not.toContain("wrong-pass");
  });

  it("says the proxy, not the target, refused the connection", async () => {
    const port = await closedPort();
    process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`;
    const result = await secureCheck();
    expect(result.status).toBe("down");
    expect(result.reason).toBe(`connection refused by proxy 127.0.0.1:${port}`);
  });

  it("connects directly to a host NO_PROXY names", async () => {
    const direct = await httpsTarget(pki.valid, (_req, res) => res.writeHead(200).end("ok"));
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${await closedPort()}`;
      process.env.NO_PROXY = "example.com, 127.0.0.0/8";
      const result = await probe({ timeout: "3s", http: { url: `${direct.url}/`, ca: "ca.pem" } }, dir);
      expect(result.status).toBe("up");
      process.env.NO_PROXY = "example.com";
      const proxied = await probe({ timeout: "3s", http: { url: `${direct.url}/`, ca: "ca.pem" } }, dir);
      expect(proxied.reason).toMatch(/^connection refused by proxy 127\.0\.0\.1:\d+$/);
    } finally {
      await direct.close();
    }
  });

  it("refuses a proxy that is not http:// as the check's setup", async () => {
    const result = await secureCheck({ proxy: "socks5://127.0.0.1:1080" });
    expect(result.status).toBe("unknown");
    expect(result.reason).toMatch(/^the check's proxy must be an http:\/\/ proxy/);
  });
});
