/**
 * The OTLP sink through `watchpost run --otlp` and through the standard environment variables: what
 * a loopback receiver gets is decoded with OpenTelemetry's official proto definitions (compiled by
 * the OpenTelemetry project into @opentelemetry/otlp-transformer 0.200's generated root) and checked
 * against the run's own JSON results: names, units, attributes and values.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../../lib/cli/main.js";
import { otlpSettings } from "../../../../lib/sinks/otlp/config.js";
import { stream } from "../../../support/cli.js";
import { httpTarget, type Target } from "../../../support/servers.js";

interface Decoded {
  resourceMetrics: {
    resource: { attributes: KeyValue[] };
    scopeMetrics: { scope: { name: string }; metrics: Metric[] }[];
  }[];
}
interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | { toNumber(): number }; doubleValue?: number };
}
interface Metric {
  name: string;
  unit: string;
  gauge?: { dataPoints: Point[] };
  histogram?: {
    aggregationTemporality: number;
    dataPoints: (Point & { count: number; sum: number; bucketCounts: number[]; explicitBounds: number[] })[];
  };
}
interface Point {
  attributes: KeyValue[];
  asDouble?: number;
  startTimeUnixNano: unknown;
  timeUnixNano: unknown;
}

const official = createRequire(import.meta.url)("otlp-proto-decoder/build/src/generated/root.js");
const Request = official.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

function decode(body: Buffer): Decoded {
  return Request.toObject(Request.decode(body), { longs: Number, defaults: false }) as Decoded;
}

const attrs = (list: KeyValue[]): Record<string, string | number> =>
  Object.fromEntries(
    list.map((kv) => [
      kv.key,
      kv.value.stringValue ??
        (typeof kv.value.intValue === "object" ? kv.value.intValue.toNumber() : kv.value.intValue) ??
        (kv.value.doubleValue as number),
    ]),
  );

let dir: string;
let service: Target;
let collector: Target;
const received: { path: string; headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];

beforeAll(async () => {
  service = await httpTarget((req, res) => {
    res.writeHead(req.url === "/down" ? 503 : 200).end("ok");
  });
  collector = await httpTarget((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-otlp-"));
  await writeFile(
    path.join(dir, "checks.yml"),
    `defaults:
  retries: 0
  alert: { confirmAfter: false }
checks:
  - name: api
    http: { url: "${service.url}/up", method: POST, body: "{}" }
    labels: { team: payments }
  - name: broken
    http: { url: "${service.url}/down" }
  - name: port
    tcp: { host: 127.0.0.1, port: ${service.port} }
`,
  );
});

afterAll(async () => {
  await Promise.all([service?.close(), collector?.close()]);
});

async function run(args: string[], env: Record<string, string> = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const stdout = stream();
    const stderr = stream();
    const code = await main(["run", "--checks", path.join(dir, "checks.yml"), "--json", ...args], {
      stdout,
      stderr,
    });
    return { code, json: JSON.parse(stdout.text()), stderr: stderr.text() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("OTLP metrics export", () => {
  it("exports each check as a resource with semantic-convention http durations and watchpost.* metrics", async () => {
    received.length = 0;
    const { code, json, stderr } = await run(["--otlp", collector.url]);
    expect(code, stderr).toBe(1);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.path).toBe("/v1/metrics");
    expect(request?.headers["content-type"]).toBe("application/x-protobuf");
    const decoded = decode(request?.body as Buffer);
    const byCheck = new Map(
      decoded.resourceMetrics.map((rm) => {
        const metrics = rm.scopeMetrics.flatMap((s) => s.metrics);
        const check = metrics[0]?.gauge?.dataPoints[0] ?? metrics[0]?.histogram?.dataPoints[0];
        return [
          attrs(check?.attributes ?? [])["watchpost.check"],
          { resource: attrs(rm.resource.attributes), metrics },
        ];
      }),
    );
    expect([...byCheck.keys()].sort()).toEqual(["api", "broken", "port"]);
    const results = new Map<string, { status: string; durationMs: number; facts?: { httpStatus?: number } }>(
      json.map((r: { name: string }) => [r.name, r]),
    );

    const api = byCheck.get("api") as { resource: Record<string, unknown>; metrics: Metric[] };
    expect(api.resource).toMatchObject({
      "service.name": "watchpost",
      "watchpost.location": "local",
      team: "payments",
    });
    expect(api.resource).not.toHaveProperty("cloud.region");
    const http = api.metrics.find((m) => m.name === "http.client.request.duration") as Metric;
    expect(http.unit).toBe("s");
    expect(http.histogram?.aggregationTemporality).toBe(1); // DELTA: one run's observations
    const point = http.histogram?.dataPoints[0];
    expect(point?.count).toBe(1);
    expect(point?.sum).toBeCloseTo((results.get("api")?.durationMs ?? 0) / 1000, 6);
    expect(point?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(point?.explicitBounds).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
    expect(attrs(point?.attributes ?? [])).toEqual({
      "watchpost.check": "api",
      "watchpost.check.kind": "http",
      "http.request.method": "POST",
      "server.address": "127.0.0.1",
      "server.port": service.port,
      "url.scheme": "http",
      "http.response.status_code": 200,
      "user_agent.synthetic.type": "test",
    });
    const gauge = (m: Metric[], name: string) => m.find((x) => x.name === name);
    expect(gauge(api.metrics, "watchpost.check.success")?.gauge?.dataPoints[0]?.asDouble).toBe(1);
    expect(gauge(api.metrics, "watchpost.check.duration")?.unit).toBe("s");
    expect(gauge(api.metrics, "watchpost.check.duration")?.gauge?.dataPoints[0]?.asDouble).toBeCloseTo(
      (results.get("api")?.durationMs ?? 0) / 1000,
      6,
    );
    const status = gauge(api.metrics, "watchpost.check.status")?.gauge?.dataPoints ?? [];
    expect(
      status.filter((p) => p.asDouble === 1).map((p) => attrs(p.attributes)["watchpost.check.status"]),
    ).toEqual([results.get("api")?.status]);

    const broken = byCheck.get("broken") as { metrics: Metric[] };
    expect(gauge(broken.metrics, "watchpost.check.success")?.gauge?.dataPoints[0]?.asDouble).toBe(0);
    const failed = attrs(
      gauge(broken.metrics, "http.client.request.duration")?.histogram?.dataPoints[0]?.attributes ?? [],
    );
    expect(failed).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 503,
      "error.type": "503",
    });

    // A tcp check has no http histogram, only watchpost.* metrics.
    const port = byCheck.get("port") as { metrics: Metric[] };
    expect(port.metrics.map((m) => m.name)).not.toContain("http.client.request.duration");
    expect(gauge(port.metrics, "watchpost.check.success")?.gauge?.dataPoints[0]?.asDouble).toBe(1);
    expect(stderr).toMatch(/otlp http:\/\/127\.0\.0\.1:\d+\/v1\/metrics: \d+ samples sent in 1 request/);
  });

  it("is configured by OTEL_EXPORTER_OTLP_* like every OpenTelemetry tool, headers included", async () => {
    received.length = 0;
    const { stderr } = await run([], {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${collector.url}/custom/metrics`,
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=k%3D1,x-tenant=acme",
      OTEL_SERVICE_NAME: "edge-monitor",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod",
    });
    expect(received, stderr).toHaveLength(1);
    expect(received[0]?.path).toBe("/custom/metrics");
    expect(received[0]?.headers).toMatchObject({ "x-api-key": "k=1", "x-tenant": "acme" });
    const resource = attrs(decode(received[0]?.body as Buffer).resourceMetrics[0]?.resource.attributes ?? []);
    expect(resource).toMatchObject({ "service.name": "edge-monitor", "deployment.environment.name": "prod" });
    // The key is never printed.
    expect(stderr).not.toContain("k=1");
  });

  it("reads the settings as the OpenTelemetry specification writes them, and refuses what it cannot speak", () => {
    expect(otlpSettings(undefined, {})).toBeUndefined();
    expect(otlpSettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })?.endpoint).toBe(
      "http://c:4318/v1/metrics",
    );
    expect(otlpSettings("http://c:4318/otlp/v1/metrics", {})?.endpoint).toBe("http://c:4318/otlp/v1/metrics");
    expect(
      otlpSettings(undefined, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_METRICS_EXPORTER: "none",
      }),
    ).toBeUndefined();
    expect(
      otlpSettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_TIMEOUT: "2500" })
        ?.requestTimeoutMs,
    ).toBe(2500);
    expect(() =>
      otlpSettings(undefined, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toThrow('OTEL_EXPORTER_OTLP_PROTOCOL: Watchpost speaks http/protobuf, found "grpc"');
    expect(() =>
      otlpSettings(undefined, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_EXPORTER_OTLP_HEADERS: "novalue",
      }),
    ).toThrow('OTEL_EXPORTER_OTLP_HEADERS: expected name=value pairs separated by commas, found "novalue"');
  });
});
