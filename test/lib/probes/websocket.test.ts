import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { parseCheckFile } from "../../../lib/checks/load.js";
import { seriesPerRun } from "../../../lib/cost/published.js";
import { resultSeries } from "../../../lib/metrics/series.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { check, probe } from "../../support/checks.js";
import { closedPort } from "../../support/servers.js";
import { type WebsocketTarget, websocketTarget } from "../../support/websocket-servers.js";

let pki: TestPki;
let dir: string;
let echo: WebsocketTarget;
let pushing: WebsocketTarget;
let secureEcho: WebsocketTarget;
let selfSigned: WebsocketTarget;
let refusing: WebsocketTarget;
let silent: WebsocketTarget;
let otherProtocol: WebsocketTarget;
let noProtocol: WebsocketTarget;
let closing: WebsocketTarget;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-websocket-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  [echo, pushing, secureEcho, selfSigned, refusing, silent, otherProtocol, noProtocol, closing] =
    await Promise.all([
      websocketTarget({ echo: true }),
      websocketTarget({ echo: true, greeting: '{"type":"hello","version":3}' }),
      websocketTarget({ echo: true }, pki.valid),
      websocketTarget({ echo: true }, pki.selfSigned),
      websocketTarget({ refuse: 403 }),
      websocketTarget({ silent: true }),
      websocketTarget({ subprotocol: "mqtt" }),
      websocketTarget({ subprotocol: false }),
      websocketTarget({ closeWith: 1011 }),
    ]);
}, 30_000);

afterAll(async () => {
  await Promise.all(
    [echo, pushing, secureEcho, selfSigned, refusing, silent, otherProtocol, noProtocol, closing].map((t) =>
      t?.close(),
    ),
  );
});

describe("websocket probe", () => {
  it("upgrades, sends, reads the echo and closes cleanly", async () => {
    const result = await probe({
      websocket: { url: `${echo.url}/feed`, send: "ping", expect: { message: { contains: "ping" } } },
    });
    expect(result).toMatchObject({ status: "up", reason: 'upgraded, answered "ping"', kind: "websocket" });
    expect(result.facts?.websocket).toEqual({ status: 101, message: "ping", closedCleanly: true });
    expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "processing", "resolve", "transfer"]);
    expect(echo.closeCodes).toContain(1000);
  });

  it("sends headers with references resolved, and keeps their values out of the result", async () => {
    process.env.WATCHPOST_TEST_WS_TOKEN = "ws-secret-token";
    const result = await probe({
      websocket: {
        url: echo.url,
        headers: { Authorization: "Bearer ${env:WATCHPOST_TEST_WS_TOKEN}", Origin: "https://app.test" },
      },
    });
    expect(result).toMatchObject({ status: "up", reason: "upgraded" });
    expect(echo.lastHeaders?.authorization).toBe("Bearer ws-secret-token");
    expect(echo.lastHeaders?.origin).toBe("https://app.test");
    expect(JSON.stringify(result)).not.toContain("ws-secret-token");
  });

  it("checks a message the server pushes, as JSON", async () => {
    const up = await probe({
      websocket: { url: pushing.url, expect: { message: { json: [{ path: "$.type", equals: "hello" }] } } },
    });
    expect(up.status, up.reason).toBe("up");
    const down = await probe({
      websocket: { url: pushing.url, expect: { message: { json: [{ path: "$.version", equals: 4 }] } } },
    });
    expect(down).toMatchObject({ status: "down", reason: "$.version is 3, expected 4" });
    expect(down.facts?.contentMismatch).toBe(true);
    const pattern = await probe({
      websocket: { url: pushing.url, expect: { message: { matches: "^bye" } } },
    });
    expect(pattern.reason).toBe("message does not match /^bye/");
  });

  it("speaks TLS, reporting the certificate as the tls kind does", async () => {
    const result = await probe({ websocket: { url: secureEcho.url, ca: "ca.pem", send: "x" } }, dir);
    expect(result.status, result.reason).toBe("up");
    expect(result.facts).toMatchObject({ tlsAccepted: true, certificate: { trusted: true } });
    expect(Object.keys(result.phases ?? {})).toContain("tls");
    const series = resultSeries(result, { location: "l", timestampMs: 0 });
    expect(series.some((s) => s.name === "probe_ssl_earliest_cert_expiry")).toBe(true);
    // What plan and cost count per run is what a healthy check writes.
    expect(seriesPerRun(check({ websocket: { url: secureEcho.url, ca: "ca.pem", send: "x" } }, dir))).toBe(
      series.length,
    );
  });

  it("refuses a certificate that does not verify before sending the upgrade, unless insecure", async () => {
    selfSigned.lastHeaders = undefined;
    const refused = await probe({ websocket: { url: selfSigned.url, ca: "ca.pem" } }, dir);
    expect(refused).toMatchObject({
      status: "down",
      reason: `self-signed certificate (127.0.0.1:${selfSigned.port})`,
    });
    const seen = () => selfSigned.lastHeaders;
    expect(seen()).toBeUndefined();
    const accepted = await probe({ websocket: { url: selfSigned.url, insecure: true } }, dir);
    expect(accepted.status, accepted.reason).toBe("up");
  });

  it("is down when the upgrade is refused, naming the status", async () => {
    const result = await probe({ websocket: { url: refusing.url } });
    expect(result).toMatchObject({ status: "down", reason: "status 403, expected 101" });
    expect(result.facts?.websocket?.status).toBe(403);
    const expected = await probe({ websocket: { url: refusing.url, expect: { status: 403 } } });
    expect(expected).toMatchObject({ status: "up", reason: "status 403 Forbidden" });
  });

  it("is down when the server chooses another subprotocol, or none", async () => {
    const other = await probe({ websocket: { url: otherProtocol.url, subprotocols: ["graphql-ws"] } });
    expect(other).toMatchObject({
      status: "down",
      reason: `127.0.0.1:${otherProtocol.port} chose subprotocol "mqtt", expected one of "graphql-ws"`,
    });
    const none = await probe({ websocket: { url: noProtocol.url, subprotocols: ["graphql-ws", "v2"] } });
    expect(none.reason).toBe(
      `127.0.0.1:${noProtocol.port} chose no subprotocol, expected one of "graphql-ws", "v2"`,
    );
    const chosen = await probe({ websocket: { url: otherProtocol.url, subprotocols: ["v1", "mqtt"] } });
    expect(chosen).toMatchObject({ status: "up", reason: 'upgraded to "mqtt"' });
  });

  it("times out, saying it waited for a message, when none comes", async () => {
    const result = await probe({ timeout: "300ms", websocket: { url: silent.url, send: "hello?" } });
    expect(result).toMatchObject({
      status: "down",
      reason: `timed out after 300ms while waiting for a message from 127.0.0.1:${silent.port}`,
    });
  });

  it("is down when the server closes before answering", async () => {
    const result = await probe({ websocket: { url: closing.url, send: "hello?" } });
    expect(result).toMatchObject({
      status: "down",
      reason: `127.0.0.1:${closing.port} closed the connection (code 1011 "going away now") before sending a message`,
    });
  });

  it("is down when nothing listens", async () => {
    const port = await closedPort();
    const result = await probe({ websocket: { url: `ws://127.0.0.1:${port}/` } });
    expect(result).toMatchObject({ status: "down", reason: `connection refused by 127.0.0.1:${port}` });
  });

  it("writes Watchpost's own websocket series beside blackbox's network ones", async () => {
    const result = await probe({ websocket: { url: echo.url, send: "x" } });
    const names = resultSeries(result, { location: "l", timestampMs: 0 }).map(
      (s) => `${s.name}${s.extra ? JSON.stringify(Object.fromEntries(s.extra)) : ""}`,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "probe_success",
        "probe_dns_lookup_time_seconds",
        "watchpost_websocket_status_code",
        'watchpost_websocket_duration_seconds{"phase":"upgrade"}',
        'watchpost_websocket_duration_seconds{"phase":"message"}',
      ]),
    );
  });
});

describe("websocket check validation", () => {
  const problems = (block: unknown) =>
    parseCheckFile(
      "w.yml",
      `checks:\n  - name: w\n    websocket: ${JSON.stringify(block)}\n`,
      dir,
    ).diagnostics.map(formatDiagnostic);

  it("names the field, what was expected and what was found", () => {
    expect(problems({ url: "https://api.test/socket" })).toEqual([
      expect.stringMatching(
        /^w\.yml:3:\d+: checks\[0\]\.websocket\.url: expected an absolute ws:\/\/ or wss:\/\/ URL/,
      ),
    ]);
    expect(problems({ url: "wss://api.test", subprotocols: ["a b"] })).toEqual([
      expect.stringMatching(/websocket\.subprotocols\[0\]: expected a subprotocol name/),
    ]);
    expect(problems({ url: "wss://api.test", expect: { message: { equals: "x" } } })).toEqual([
      expect.stringMatching(/websocket\.expect\.message\.equals: unknown field/),
    ]);
    expect(problems({ url: "${env:WS_URL}", headers: { Authorization: "${secret:ws}" } })).toEqual([]);
  });
});
