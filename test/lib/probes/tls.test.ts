import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { probe } from "../../support/checks.js";
import { closedPort, type Target, tcpTarget } from "../../support/servers.js";

type CertName = "valid" | "expiringSoon" | "expired" | "selfSigned" | "wrongHost";
let pki: TestPki;
let caDir: string;
const servers: Record<string, { port: number; close(): Promise<void> }> = {};

function tlsServer(options: tls.TlsOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = tls.createServer(options, (socket) => socket.end());
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

beforeAll(async () => {
  pki = await createTestPki();
  caDir = await mkdtemp(path.join(tmpdir(), "watchpost-tls-"));
  await writeFile(path.join(caDir, "ca.pem"), pki.caPem);
  for (const name of ["valid", "expiringSoon", "expired", "selfSigned", "wrongHost"] as CertName[]) {
    servers[name] = await tlsServer(pki[name]);
  }
  servers.tls12 = await tlsServer({ ...pki.valid, maxVersion: "TLSv1.2" });
  servers.shortIntermediate = await tlsServer(pki.shortIntermediate);
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

const check = (server: string, extra: Record<string, unknown> = {}) =>
  probe(
    { timeout: "2s", tls: { host: "127.0.0.1", port: servers[server]?.port, ca: "ca.pem", ...extra } },
    caDir,
  );

const iso = (date: Date) => date.toISOString().replace(/\.\d+Z$/, ".000Z");

describe("tls probe", () => {
  it("is up for a trusted certificate, with its facts and phases", async () => {
    const result = await check("valid", { expect: { validFor: "30d" } });
    expect(result.status, result.reason).toBe("up");
    expect(result.reason).toMatch(/^TLSv1\.3, certificate valid until \d{4}-\d\d-\d\d \(8\dd left\)$/);
    expect(result.facts).toMatchObject({
      tlsVersion: "TLSv1.3",
      certificate: {
        subject: "CN=localhost",
        issuer: "CN=Watchpost Test Root",
        notAfter: iso(pki.valid.notAfter),
        trusted: true,
        hostnameMatches: true,
      },
    });
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "resolve", "tls"]);
  });

  const cases: { server: string; extra?: Record<string, unknown>; reason: RegExp; trusted: boolean }[] = [
    {
      server: "expiringSoon",
      extra: { expect: { validFor: "14d" } },
      reason: /^certificate expires in 4d2[23]h, expected at least 14d$/,
      trusted: true,
    },
    {
      server: "expired",
      extra: { expect: { validFor: "14d" } },
      reason:
        /^certificate not trusted: certificate has expired; certificate expired 24h ago \(\d{4}-[^)]+\)$/,
      trusted: false,
    },
    { server: "selfSigned", reason: /^certificate not trusted: self-signed certificate$/, trusted: false },
    {
      server: "wrongHost",
      reason: /^certificate is not valid for 127\.0\.0\.1 \(it names DNS:wrong\.example\)$/,
      trusted: true,
    },
    {
      server: "tls12",
      extra: { expect: { minVersion: "TLSv1.3" } },
      reason: /^negotiated TLSv1\.2, expected at least TLSv1\.3$/,
      trusted: true,
    },
  ];
  for (const c of cases) {
    it(`is down for ${c.server}, and still reports the certificate`, async () => {
      const result = await check(c.server, c.extra);
      expect(result.status).toBe("down");
      expect(result.reason).toMatch(c.reason);
      expect(result.facts?.certificate?.trusted).toBe(c.trusted);
      expect(result.facts?.certificate?.notAfter).toMatch(/^\d{4}-/);
    });
  }

  it("holds every certificate of the presented chain to validFor, naming the one that expires first", async () => {
    const result = await check("shortIntermediate", { expect: { validFor: "14d" } });
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(
      /^chain certificate "CN=Watchpost Test Intermediate" expires in 2d2[23]h, expected at least 14d$/,
    );
    expect(result.facts?.certificate).toMatchObject({
      notAfter: iso(pki.shortIntermediate.notAfter),
      earliestNotAfter: iso(pki.shortIntermediate.intermediateNotAfter),
      chain: [
        { subject: "CN=localhost", notAfter: iso(pki.shortIntermediate.notAfter) },
        {
          subject: "CN=Watchpost Test Intermediate",
          notAfter: iso(pki.shortIntermediate.intermediateNotAfter),
        },
      ],
      trusted: true,
    });
    const lenient = await check("shortIntermediate", { expect: { validFor: "1d" } });
    expect(lenient.status, lenient.reason).toBe("up");
  });

  it("can skip trust and hostname for a private endpoint, still checking expiry", async () => {
    const result = await check("selfSigned", {
      ca: undefined,
      expect: { trusted: false, hostname: false, validFor: "30d" },
    });
    expect(result.status, result.reason).toBe("up");
  });

  it("checks the name given as serverName", async () => {
    const result = await check("wrongHost", { serverName: "wrong.example" });
    expect(result.status, result.reason).toBe("up");
  });

  it("reports a refused connection and a peer that does not speak TLS", async () => {
    const port = await closedPort();
    const refused = await probe({ tls: { host: "127.0.0.1", port } });
    expect(refused).toMatchObject({ status: "down", reason: `connection refused by 127.0.0.1:${port}` });
    const plain: Target = await tcpTarget((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    try {
      const result = await probe({ tls: { host: "127.0.0.1", port: plain.port } });
      expect(result.status).toBe("down");
      expect(result.reason).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed|connection (reset|closed)/);
    } finally {
      await plain.close();
    }
  });

  it("times out on a peer that accepts and stays silent", async () => {
    const silent = await tcpTarget(() => {});
    try {
      const result = await probe({ timeout: "300ms", tls: { host: "127.0.0.1", port: silent.port } });
      expect(result).toMatchObject({
        status: "down",
        reason: `timed out after 300ms while TLS handshake with 127.0.0.1:${silent.port}`,
      });
    } finally {
      await silent.close();
    }
  });
});
