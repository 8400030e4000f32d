/**
 * gRPC and WebSocket checks through a forward proxy, as http checks go: a CONNECT tunnel (their
 * protocols are not requests a proxy could forward), the check's own `proxy` with credentials or the
 * environment's HTTPS_PROXY / HTTP_PROXY, NO_PROXY honoured, the target's certificate still checked
 * inside the tunnel, and a refusal named by the proxy's answer.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { probe } from "../../support/checks.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { startProxy, type TestProxy } from "../../support/proxy.js";
import { type WebsocketTarget, websocketTarget } from "../../support/websocket-servers.js";

let pki: TestPki;
let dir: string;
let proxy: TestProxy;
let secureGrpc: GrpcTarget;
let plainGrpc: GrpcTarget;
let echo: WebsocketTarget;
const saved = { ...process.env };

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-connect-proxy-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  // Names only the proxy resolves: a check can reach them through it alone.
  proxy = await startProxy({
    hosts: { "health.vpc.example": "127.0.0.1", "feed.vpc.example": "127.0.0.1" },
    credentials: "probe:s3cret-proxy-pass",
  });
  [secureGrpc, plainGrpc, echo] = await Promise.all([
    grpcTarget({ statuses: { "": "SERVING" } }, pki.valid),
    grpcTarget({ statuses: { "": "SERVING" } }),
    websocketTarget({ echo: true }),
  ]);
}, 30_000);

afterEach(() => {
  for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "WATCHPOST_TEST_PROXY_PASS"])
    for (const spelled of [name, name.toLowerCase()])
      if (saved[spelled] === undefined) delete process.env[spelled];
      else process.env[spelled] = saved[spelled];
});

afterAll(() => Promise.all([proxy, secureGrpc, plainGrpc, echo].map((t) => t?.close())));

describe("grpc and websocket checks through a proxy", () => {
  it("reach a gRPC server over TLS through the check's own proxy, its password by reference and never shown", async () => {
    process.env.WATCHPOST_TEST_PROXY_PASS = "s3cret-proxy-pass";
    const result = await probe(
      {
        grpc: {
          target: `health.vpc.example:${secureGrpc.port}`,
          tls: true,
          ca: "ca.pem",
          serverName: "localhost",
          proxy: { url: proxy.url, username: "probe", password: "${env:WATCHPOST_TEST_PROXY_PASS}" },
        },
      },
      dir,
    );
    expect(result).toMatchObject({ status: "up", reason: "the server is SERVING" });
    expect(proxy.asked).toContain(`CONNECT health.vpc.example:${secureGrpc.port}`);
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "processing", "resolve", "tls"]);
    expect(result.facts?.certificate).toBeDefined();
    expect(JSON.stringify(result)).not.toContain("s3cret-proxy-pass");
  });

  it("reach a WebSocket through HTTP_PROXY, and go direct where NO_PROXY says", async () => {
    process.env.HTTP_PROXY = proxy.url.replace("//", "//probe:s3cret-proxy-pass@");
    const before = proxy.asked.length;
    const through = await probe({
      websocket: {
        url: `ws://feed.vpc.example:${echo.port}/feed`,
        send: "ping",
        expect: { message: { contains: "ping" } },
      },
    });
    expect(through).toMatchObject({ status: "up", reason: 'upgraded, answered "ping"' });
    expect(proxy.asked.slice(before)).toEqual([`CONNECT feed.vpc.example:${echo.port}`]);

    process.env.NO_PROXY = "127.0.0.1";
    const direct = await probe({ websocket: { url: `ws://127.0.0.1:${echo.port}/feed` } });
    expect(direct).toMatchObject({ status: "up" });
    expect(proxy.asked.slice(before)).toHaveLength(1);
  });

  it("reach plain HTTP/2 through a proxy that sends the server's first frame with its 200", async () => {
    const coalescing = await startProxy({ hosts: { "health.vpc.example": "127.0.0.1" }, coalesce: true });
    try {
      const result = await probe({
        grpc: { target: `health.vpc.example:${plainGrpc.port}`, proxy: coalescing.url },
      });
      expect(result).toMatchObject({ status: "up", reason: "the server is SERVING" });
      expect(coalescing.asked).toEqual([`CONNECT health.vpc.example:${plainGrpc.port}`]);
    } finally {
      await coalescing.close();
    }
  });

  it("take a proxy setting or a client key that cannot be used as the check's setup: unknown, not down", async () => {
    const badProxy = await probe({
      grpc: { target: `127.0.0.1:${plainGrpc.port}`, proxy: "socks5://127.0.0.1:1080" },
    });
    expect(badProxy.status).toBe("unknown");
    expect(badProxy.reason).toMatch(/proxy/);
    process.env.WATCHPOST_TEST_PROXY_PASS =
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
    await writeFile(path.join(dir, "client.pem"), pki.valid.cert);
    const badKey = await probe(
      {
        websocket: {
          url: `wss://localhost:${echo.port}/`,
          clientCert: "client.pem",
          clientKey: "${env:WATCHPOST_TEST_PROXY_PASS}",
        },
      },
      dir,
    );
    expect(badKey.status).toBe("unknown");
    expect(badKey.reason).toMatch(/^the client certificate and key cannot be used/);
    expect(badKey.reason).not.toContain("bm90IGEga2V5");
  });

  it("name the proxy and its answer when it refuses the tunnel", async () => {
    const result = await probe(
      {
        grpc: { target: `health.vpc.example:${secureGrpc.port}`, tls: true, ca: "ca.pem", proxy: proxy.url },
      },
      dir,
    );
    expect(result.status).toBe("down");
    expect(result.reason).toContain(
      `proxy 127.0.0.1:${proxy.port} refused the tunnel to health.vpc.example:${secureGrpc.port}: 407`,
    );
    // Connected to the proxy, refused by it: connect runs to the refusal, as a direct connect's would.
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "resolve"]);
  });

  it("still check the target's certificate inside the tunnel", async () => {
    process.env.HTTPS_PROXY = proxy.url.replace("//", "//probe:s3cret-proxy-pass@");
    const result = await probe(
      { grpc: { target: `health.vpc.example:${secureGrpc.port}`, tls: true, ca: "ca.pem" } },
      dir,
    );
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(/certificate/i);
    expect(result.reason).toContain("health.vpc.example");
  });
});
