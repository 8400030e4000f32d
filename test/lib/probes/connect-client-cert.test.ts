/**
 * Mutual TLS for grpc and websocket checks, as for http: a client certificate from a file and its key
 * from a reference, never shown; a server that demands one and gets none is said to have demanded it
 * (not "certificate rejected", which would read as the server's certificate being wrong).
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkDeployProblems, compile } from "../../../lib/deploy/compile.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check, probe } from "../../support/checks.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { type WebsocketTarget, websocketTarget } from "../../support/websocket-servers.js";

let pki: TestPki;
let dir: string;
let mutualGrpc: GrpcTarget;
let mutualFeed: WebsocketTarget;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-client-cert-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  await writeFile(path.join(dir, "client.pem"), pki.valid.cert);
  [mutualGrpc, mutualFeed] = await Promise.all([
    grpcTarget({ statuses: { "": "SERVING" } }, { ...pki.valid, clientCa: pki.caPem }),
    websocketTarget(
      { echo: true },
      { ...pki.valid, ca: pki.caPem, requestCert: true, rejectUnauthorized: true },
    ),
  ]);
}, 30_000);

afterEach(() => {
  delete process.env.WATCHPOST_TEST_CLIENT_KEY;
});

afterAll(() => Promise.all([mutualGrpc, mutualFeed].map((t) => t?.close())));

const keyBody = () => pki.valid.key.split("\n")[1] as string;

describe("client certificates for grpc and websocket checks", () => {
  it("let a gRPC check through a server that demands one, its key by reference and never shown", async () => {
    process.env.WATCHPOST_TEST_CLIENT_KEY = pki.valid.key;
    const grpc = {
      target: `localhost:${mutualGrpc.port}`,
      tls: true,
      ca: "ca.pem",
      clientCert: "client.pem",
      clientKey: "${env:WATCHPOST_TEST_CLIENT_KEY}",
    };
    const result = await probe({ grpc }, dir);
    expect(result).toMatchObject({ status: "up", reason: "the server is SERVING" });
    expect(JSON.stringify(result)).not.toContain(keyBody());
  });

  it("say a gRPC server demanded a certificate when the check sends none", async () => {
    const result = await probe(
      { grpc: { target: `localhost:${mutualGrpc.port}`, tls: true, ca: "ca.pem" } },
      dir,
    );
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(/client certificate/);
    expect(result.reason).not.toMatch(/^certificate rejected/);
  });

  it("let a WebSocket check through a server that demands one", async () => {
    process.env.WATCHPOST_TEST_CLIENT_KEY = pki.valid.key;
    const websocket = {
      url: `wss://localhost:${mutualFeed.port}/feed`,
      ca: "ca.pem",
      send: "ping",
      expect: { message: { contains: "ping" } },
      clientCert: "client.pem",
      clientKey: "${env:WATCHPOST_TEST_CLIENT_KEY}",
    };
    const result = await probe({ websocket }, dir);
    expect(result).toMatchObject({ status: "up", reason: 'upgraded, answered "ping"' });
    expect(JSON.stringify(result)).not.toContain(keyBody());
    const without = await probe(
      { websocket: { url: `wss://localhost:${mutualFeed.port}/`, ca: "ca.pem" } },
      dir,
    );
    expect(without.status).toBe("down");
    expect(without.reason).toMatch(/client certificate/);
  });

  it("refuse a certificate without its key, and one where no TLS is spoken", () => {
    expect(() =>
      check({ grpc: { target: "localhost:50051", tls: true, clientCert: "client.pem" } }, dir),
    ).toThrow(/clientCert and clientKey together/);
    expect(() => check({ websocket: { url: "wss://localhost/", clientKey: "client.key" } }, dir)).toThrow(
      /clientCert and clientKey together/,
    );
    expect(() =>
      check({ grpc: { target: "localhost:50051", clientCert: "client.pem", clientKey: "client.pem" } }, dir),
    ).toThrow(/tls: true for clientCert to apply/);
  });

  it("deploy a key only as a reference, and carry a certificate file's PEM", () => {
    const byFile = check(
      { grpc: { target: "localhost:50051", tls: true, clientCert: "client.pem", clientKey: "client.pem" } },
      dir,
    );
    expect(checkDeployProblems([byFile]).map((d) => d.message)).toEqual([
      "expected the client key as a reference such as ${secret:ID} to deploy (a key file would be copied into the function's code), found the file client.pem",
    ]);
    const byReference = check(
      {
        websocket: {
          url: "wss://localhost/",
          clientCert: "client.pem",
          clientKey: "${secret:prod/client-key}",
        },
      },
      dir,
    );
    expect(checkDeployProblems([byReference])).toEqual([]);
    const compiled = compile([{ id: "1m-0", intervalMs: 60_000, checks: [byReference] }]);
    const config = compiled.shards["1m-0"]?.[0]?.config as { clientCert: string; clientKey: string };
    expect(config.clientCert).toBe(pki.valid.cert);
    expect(config.clientKey).toBe("${secret:prod/client-key}");
  });
});
