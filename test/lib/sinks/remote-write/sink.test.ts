import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Series } from "../../../../lib/metrics/series.js";
import type { CheckResult } from "../../../../lib/result.js";
import { RemoteWriteConfigError, RemoteWriteSink } from "../../../../lib/sinks/remote-write/index.js";
import { USER_AGENT } from "../../../../lib/version.js";
import { decodeWriteRequest } from "../../../support/remote-write.js";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

/** A receiver that answers each request with the next scripted status (the last one repeats). */
async function receiver(
  script: (number | "hang" | { status: number; headers?: Record<string, string>; body?: string })[],
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const step = script[Math.min(received.length, script.length - 1)] as (typeof script)[number];
      if (step === "hang") {
        received.push({ headers: req.headers, body: Buffer.concat(chunks), status: 0 });
        return;
      }
      const answer = typeof step === "number" ? { status: step } : step;
      received.push({ headers: req.headers, body: Buffer.concat(chunks), status: answer.status });
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url, received, accepted: () => received.filter((r) => r.status >= 200 && r.status < 300) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const series: Series[] = [
  { name: "probe_success", labels: { check: "api" }, value: 1, timestampMs: Date.now() - 1_000 },
  { name: "probe_duration_seconds", labels: { check: "api" }, value: 0.25, timestampMs: Date.now() - 1_000 },
];
const fast = { backoff: { minMs: 5, maxMs: 20, random: () => 1 } };

describe("remote-write sink", () => {
  it("leaves out a series it cannot encode, alone, and says so: the rest still arrives", async () => {
    const rx = await receiver([204]);
    const sink = new RemoteWriteSink({ url: rx.url });
    const bad: Series = {
      name: "probe_tls_version_info",
      labels: { check: "api", version: "x" },
      extra: [["version", "TLS 1.3"]],
      value: 1,
      timestampMs: Date.now() - 1_000,
    };
    const report = await sink.writeSeries([...series, bad], Date.now() + 5_000);
    await sink.close();
    expect(report).toMatchObject({
      ok: false,
      samples: 3,
      failedSamples: 1,
      requests: 1,
      error: 'dropped: duplicate label "version" on probe_tls_version_info',
    });
    const names = decodeWriteRequest(rx.received[0]?.body as Buffer).map(
      (s) => Object.fromEntries(s.labels).__name__,
    );
    expect(names).toEqual(["probe_success", "probe_duration_seconds"]);
  });

  it("sends the protocol's headers, which custom headers cannot replace", async () => {
    const rx = await receiver([204]);
    const sink = new RemoteWriteSink({
      url: rx.url,
      headers: { "X-Scope-OrgID": "tenant-1" },
      bearerToken: "t0ken",
    });
    const report = await sink.writeSeries(series, Date.now() + 5_000);
    await sink.close();
    expect(report).toMatchObject({ ok: true, samples: 2, failedSamples: 0, requests: 1, retries: 0 });
    expect(rx.received[0]?.headers).toMatchObject({
      "content-encoding": "snappy",
      "content-type": "application/x-protobuf",
      "x-prometheus-remote-write-version": "0.1.0",
      "user-agent": USER_AGENT,
      "x-scope-orgid": "tenant-1",
      authorization: "Bearer t0ken",
    });
    expect(decodeWriteRequest(rx.received[0]?.body as Buffer).map((s) => s.samples[0]?.value)).toEqual([
      1, 0.25,
    ]);
    expect(() => new RemoteWriteSink({ url: rx.url, headers: { "Content-Type": "text/plain" } })).toThrow(
      RemoteWriteConfigError,
    );
    expect(() => new RemoteWriteSink({ url: "ftp://x" })).toThrow("must be http:// or https://");
  });

  it("sends basic auth", async () => {
    const rx = await receiver([204]);
    const sink = new RemoteWriteSink({ url: rx.url, basicAuth: { username: "u", password: "p:w" } });
    await sink.writeSeries(series, Date.now() + 5_000);
    await sink.close();
    expect(rx.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from("u:p:w").toString("base64")}`);
  });

  it("retries 503 twice, then the data arrives exactly once", async () => {
    const rx = await receiver([503, 503, 204]);
    const sink = new RemoteWriteSink({ url: rx.url, ...fast });
    const report = await sink.writeSeries(series, Date.now() + 5_000);
    await sink.close();
    expect(report).toMatchObject({ ok: true, requests: 3, retries: 2, failedSamples: 0 });
    expect(rx.received.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(rx.accepted()).toHaveLength(1);
    expect(rx.received[2]?.body.equals(rx.received[0]?.body as Buffer)).toBe(true);
  });

  it("retries 429, waiting as long as Retry-After says", async () => {
    const rx = await receiver([{ status: 429, headers: { "retry-after": "0" } }, 204]);
    const sink = new RemoteWriteSink({ url: rx.url, backoff: { minMs: 60_000, maxMs: 60_000 } });
    const report = await sink.writeSeries(series, Date.now() + 5_000);
    await sink.close();
    expect(report).toMatchObject({ ok: true, requests: 2, retries: 1 });
  });

  it("sends a 400 once, never again, and passes on the receiver's words as they are", async () => {
    const rx = await receiver([{ status: 400, body: "out of bounds" }]);
    const logged: string[] = [];
    const sink = new RemoteWriteSink({ url: rx.url, ...fast, log: (line) => logged.push(line) });
    const report = await sink.writeSeries(series, Date.now() + 5_000);
    await sink.close();
    expect(rx.received).toHaveLength(1);
    expect(report).toMatchObject({ ok: false, requests: 1, retries: 0, samples: 2, failedSamples: 2 });
    expect(report.error).toMatch(/^400 from 127\.0\.0\.1:\d+: out of bounds \(not retried\)$/);
    expect(logged).toEqual([`remote-write ${rx.url} rejected the samples: 400 out of bounds`]);
  });

  it("gives up on a failing receiver at the deadline, saying how often it tried", async () => {
    const rx = await receiver([500]);
    const sink = new RemoteWriteSink({ url: rx.url, ...fast });
    const report = await sink.writeSeries(series, Date.now() + 300);
    await sink.close();
    expect(report.ok).toBe(false);
    expect(report.requests).toBe(rx.received.length);
    expect(report.requests).toBeGreaterThan(3);
    expect(report.error).toMatch(
      /^500 from 127\.0\.0\.1:\d+; gave up at the deadline after \d+ attempt\(s\)$/,
    );
  });

  it("costs at most the deadline when the receiver never answers", async () => {
    const rx = await receiver(["hang"]);
    const sink = new RemoteWriteSink({ url: rx.url, ...fast });
    const started = performance.now();
    const report = await sink.writeSeries(series, Date.now() + 400);
    const elapsed = performance.now() - started;
    await sink.close();
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/^no answer within \d+ms from 127\.0\.0\.1:\d+/);
    expect(elapsed).toBeLessThan(400 + 150);
  });

  it("never sends a timestamp from the future", async () => {
    const rx = await receiver([204]);
    const sink = new RemoteWriteSink({ url: rx.url });
    const before = Date.now();
    await sink.writeSeries(
      [{ name: "m", labels: {}, value: 1, timestampMs: before + 3_600_000 }],
      Date.now() + 5_000,
    );
    await sink.close();
    const [decoded] = decodeWriteRequest(rx.received[0]?.body as Buffer);
    expect(decoded?.samples[0]?.timestamp).toBeLessThanOrEqual(Date.now());
    expect(decoded?.samples[0]?.timestamp).toBeGreaterThanOrEqual(before);
  });

  it("splits large writes by size and counts what did not arrive", async () => {
    const rx = await receiver([204, { status: 400, body: "bad" }, 204]);
    const many: Series[] = Array.from({ length: 300 }, (_, i) => ({
      name: "probe_success",
      labels: { check: `c${i}` },
      value: i,
      timestampMs: Date.now(),
    }));
    const sink = new RemoteWriteSink({ url: rx.url, maxBodyBytes: 4_096, concurrency: 1, log: () => {} });
    const report = await sink.writeSeries(many, Date.now() + 5_000);
    await sink.close();
    const delivered = rx
      .accepted()
      .flatMap((r) => decodeWriteRequest(r.body).map((s) => s.samples[0]?.value));
    const rejected = decodeWriteRequest(rx.received[1]?.body as Buffer).length;
    expect(report.samples).toBe(300);
    expect(report.failedSamples).toBe(rejected);
    expect(delivered.length + rejected).toBe(300);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it("writes results through the one mapping", async () => {
    const rx = await receiver([204]);
    const sink = new RemoteWriteSink({ url: rx.url });
    const result = {
      name: "api",
      kind: "tcp",
      target: "db:5432",
      status: "down",
      reason: "connection refused",
      attempts: 1,
      startedAt: "",
      durationMs: 3,
      severity: "critical",
      labels: {},
      conditions: [],
    } as CheckResult;
    const report = await sink.write([result], {
      deadline: Date.now() + 5_000,
      runStartedAt: Date.now() - 10,
      location: "eu-west-1",
    });
    await sink.close();
    expect(report).toMatchObject({ ok: true, samples: 13 });
    const decoded = decodeWriteRequest(rx.received[0]?.body as Buffer).map((s) =>
      Object.fromEntries(s.labels),
    );
    expect(decoded.find((labels) => labels.__name__ === "probe_success")).toEqual({
      __name__: "probe_success",
      check: "api",
      instance: "db:5432",
      job: "watchpost",
      kind: "tcp",
      location: "eu-west-1",
    });
  });
});
