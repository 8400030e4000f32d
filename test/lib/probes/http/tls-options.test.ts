import { mkdtemp, writeFile } from "node:fs/promises";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDeployProblems, compile } from "../../../../lib/deploy/compile.js";
import { createTestPki, type TestPki } from "../../../support/certs.js";
import { check, probe } from "../../../support/checks.js";
import { httpsTarget, httpTarget, type Target } from "../../../support/servers.js";

let pki: TestPki;
let dir: string;
let plain: Target;
let wrongHost: Target;
let mutual: Target;
/** What the TLS targets were last asked for: SNI, and the Host header. */
const seen: { servername?: string | false | null; host?: string } = {};

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-tls-options-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  await writeFile(path.join(dir, "client.pem"), pki.valid.cert);
  await writeFile(path.join(dir, "client.key"), pki.valid.key);
  plain = await httpTarget((req, res) => {
    res.writeHead(req.headers.host === "api.example.test" ? 200 : 404).end(req.headers.host);
  });
  const remember: http.RequestListener = (req, res) => {
    seen.servername = (req.socket as TLSSocket).servername;
    seen.host = req.headers.host;
    res.writeHead(200).end("ok");
  };
  wrongHost = await httpsTarget(pki.wrongHost, remember);
  mutual = await httpsTarget(
    { ...pki.valid, ...{ ca: pki.caPem, requestCert: true, rejectUnauthorized: true } },
    remember,
  );
});

afterAll(async () => {
  await Promise.all([plain, wrongHost, mutual].map((target) => target.close()));
  delete process.env.WATCHPOST_TEST_CLIENT_KEY;
});

describe("http probe: Host, server name and client certificates", () => {
  it("sends a Host header as given, whatever the URL's address", async () => {
    const sent = await probe({ http: { url: `${plain.url}/`, headers: { Host: "api.example.test" } } });
    expect(sent.status).toBe("up");
    const without = await probe({ http: { url: `${plain.url}/` } });
    expect(without.reason).toBe("status 404, expected 2xx");
  });

  it("uses the Host header's name for SNI and the certificate's name", async () => {
    const result = await probe(
      {
        http: {
          url: `${wrongHost.url}/`,
          ca: "ca.pem",
          headers: { Host: `wrong.example:${wrongHost.port}` },
        },
      },
      dir,
    );
    expect(result.status).toBe("up");
    expect(seen).toEqual({ servername: "wrong.example", host: `wrong.example:${wrongHost.port}` });
    const byAddress = await probe({ http: { url: `${wrongHost.url}/`, ca: "ca.pem" } }, dir);
    expect(byAddress.status).toBe("down");
    expect(byAddress.reason).toMatch(/^certificate is not valid for this host name/);
  });

  it("lets tls.serverName name the TLS peer apart from the Host header", async () => {
    const result = await probe(
      {
        http: {
          url: `${wrongHost.url}/`,
          ca: "ca.pem",
          headers: { Host: "virtual.example" },
          tls: { serverName: "wrong.example" },
        },
      },
      dir,
    );
    expect(result.status).toBe("up");
    expect(seen).toEqual({ servername: "wrong.example", host: "virtual.example" });
  });

  it("says the server demanded a client certificate when the check sends none", async () => {
    const result = await probe({ http: { url: `${mutual.url}/`, ca: "ca.pem" } }, dir);
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(/^the server demanded a client certificate and the check sends none/);
    expect(result.reason).not.toMatch(/^certificate rejected/);
  });

  it("sends a client certificate from a file, its key from a reference, and never shows the key", async () => {
    process.env.WATCHPOST_TEST_CLIENT_KEY = pki.valid.key;
    const result = await probe(
      {
        http: {
          url: `${mutual.url}/`,
          ca: "ca.pem",
          tls: { clientCert: "client.pem", clientKey: "${env:WATCHPOST_TEST_CLIENT_KEY}" },
        },
      },
      dir,
    );
    expect(result.status).toBe("up");
    const keyBody = pki.valid.key.split("\n")[1] as string;
    expect(JSON.stringify(result)).not.toContain(keyBody);
  });

  it("reports a key that is not PEM as the check's setup, naming no key text", async () => {
    process.env.WATCHPOST_TEST_CLIENT_KEY =
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
    const result = await probe(
      {
        http: {
          url: `${mutual.url}/`,
          ca: "ca.pem",
          tls: { clientCert: "client.pem", clientKey: "${env:WATCHPOST_TEST_CLIENT_KEY}" },
        },
      },
      dir,
    );
    expect(result.status).toBe("unknown");
    expect(result.reason).toMatch(/^the client certificate and key cannot be used/);
    expect(result.reason).not.toContain("bm90IGEga2V5");
  });

  it("refuses a certificate without its key when the file is read", () => {
    expect(() =>
      check({ http: { url: "https://example.com/", tls: { clientCert: "client.pem" } } }, dir),
    ).toThrow(/clientCert and clientKey together/);
    expect(() =>
      check(
        { http: { url: "https://example.com/", tls: { clientCert: "nope.pem", clientKey: "${secret:k}" } } },
        dir,
      ),
    ).toThrow(/expected a PEM file relative to this check file, found no file at .*nope\.pem/);
  });

  it("deploys a key only as a reference, and carries a certificate file's PEM", () => {
    const byFile = check(
      { http: { url: "https://example.com/", tls: { clientCert: "client.pem", clientKey: "client.key" } } },
      dir,
    );
    expect(checkDeployProblems([byFile]).map((d) => d.message)).toEqual([
      "expected the client key as a reference such as ${secret:ID} to deploy (a key file would be copied into the function's code), found the file client.key",
    ]);
    const byReference = check(
      {
        http: {
          url: "https://example.com/",
          tls: { clientCert: "client.pem", clientKey: "${secret:prod/client-key}" },
        },
      },
      dir,
    );
    expect(checkDeployProblems([byReference])).toEqual([]);
    const compiled = compile([{ id: "1m-0", intervalMs: 60_000, checks: [byReference] }]);
    const config = compiled.shards["1m-0"]?.[0]?.config as { tls: { clientCert: string; clientKey: string } };
    expect(config.tls.clientCert).toBe(pki.valid.cert);
    expect(config.tls.clientKey).toBe("${secret:prod/client-key}");
  });
});
