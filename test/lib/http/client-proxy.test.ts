import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../../lib/http/client.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { startProxy, type TestProxy } from "../../support/proxy.js";
import { httpsTarget, httpTarget, type Target } from "../../support/servers.js";

const PROXY_ENV = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"];

let pki: TestPki;
let secure: Target;
let plain: Target;
let proxy: TestProxy;
const client = new HttpClient();

beforeAll(async () => {
  pki = await createTestPki();
  secure = await httpsTarget(pki.wrongHost, (_req, res) => res.writeHead(204).end());
  plain = await httpTarget((req, res) => res.writeHead(200).end(req.headers.host));
  proxy = await startProxy({
    hosts: { "wrong.example": "127.0.0.1", "hooks.example": "127.0.0.1" },
    credentials: "notifier:pw-1234",
  });
});

afterEach(() => {
  for (const name of PROXY_ENV) delete process.env[name];
  proxy.asked.length = 0;
});

afterAll(async () => {
  client.close();
  await Promise.all([secure, plain, proxy].map((server) => server.close()));
});

const withCredentials = (url: string) => url.replace("http://", "http://notifier:pw-1234@");

describe("the outbound HTTP client through a proxy", () => {
  it("tunnels https through HTTPS_PROXY with credentials, verifying the origin's certificate", async () => {
    process.env.HTTPS_PROXY = withCredentials(proxy.url);
    const answer = await client.request({
      url: new URL(`https://wrong.example:${secure.port}/api/v1/write`),
      method: "POST",
      headers: {},
      body: "x",
      tls: { ca: pki.caPem },
      signal: AbortSignal.timeout(5_000),
    });
    expect(answer.status).toBe(204);
    expect(proxy.asked).toEqual([`CONNECT wrong.example:${secure.port}`]);
  });

  it("sends http to HTTP_PROXY in absolute form, with the origin's Host", async () => {
    process.env.HTTP_PROXY = withCredentials(proxy.url);
    const answer = await client.request({
      url: new URL(`http://hooks.example:${plain.port}/hook`),
      method: "GET",
      headers: {},
      signal: AbortSignal.timeout(5_000),
    });
    expect(answer.body.toString()).toBe(`hooks.example:${plain.port}`);
    expect(proxy.asked).toEqual([`GET http://hooks.example:${plain.port}/hook`]);
  });

  it("goes directly to a host NO_PROXY names", async () => {
    process.env.HTTP_PROXY = "http://127.0.0.1:1";
    process.env.NO_PROXY = "127.0.0.1";
    const answer = await client.request({
      url: new URL(`${plain.url}/`),
      method: "GET",
      headers: {},
      signal: AbortSignal.timeout(5_000),
    });
    expect(answer.status).toBe(200);
  });

  it("ends a request whose proxy never answers CONNECT when its signal fires, the socket closed", async () => {
    const closed: Promise<void>[] = [];
    const silent = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.resume();
      closed.push(new Promise((resolve) => socket.once("close", () => resolve())));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      const started = performance.now();
      await expect(
        client.request({
          url: new URL("https://never.example/"),
          method: "POST",
          headers: {},
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toMatchObject({ name: "TimeoutError" });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(closed).toHaveLength(1);
      await Promise.all(closed);
    } finally {
      silent.close();
    }
  });

  it("says the proxy refused, and never shows its credentials", async () => {
    process.env.HTTPS_PROXY = proxy.url;
    const failure = await client
      .request({
        url: new URL(`https://wrong.example:${secure.port}/`),
        method: "GET",
        headers: {},
        tls: { ca: pki.caPem },
        signal: AbortSignal.timeout(5_000),
      })
      .catch((error: Error) => error);
    expect(String(failure)).toContain(
      `proxy 127.0.0.1:${proxy.port} refused the tunnel to wrong.example:${secure.port}: 407`,
    );
  });
});
