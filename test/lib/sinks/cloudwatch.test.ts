import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { CheckResult } from "../../../lib/result.js";
import { CloudWatchSink } from "../../../lib/sinks/cloudwatch.js";

const cloudwatch = mockClient(CloudWatchClient);
afterEach(() => cloudwatch.reset());

const RUN = Date.parse("2026-11-22T00:00:00Z");
const context = { deadline: Date.now() + 10_000, runStartedAt: RUN, location: "eu-west-1" };
const fast = { backoff: { minMs: 1, maxMs: 2 } };

function result(name: string, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    name,
    kind: "http",
    target: `https://${name}.example.com`,
    status: "up",
    reason: "200 OK",
    attempts: 1,
    startedAt: new Date(RUN).toISOString(),
    durationMs: 123.4,
    severity: "critical",
    labels: {},
    conditions: [],
    phases: { resolve: 1, connect: 2, tls: 3, processing: 4, transfer: 5 },
    facts: { httpStatus: 200 },
    ...extra,
  };
}

function error(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe("CloudWatch sink", () => {
  it("puts datums with Check and Kind dimensions, units and the run's timestamp", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchSink({ client: new CloudWatchClient({}), namespace: "Team/Probes" });
    const cert = {
      subject: "",
      issuer: "",
      sans: [],
      notBefore: "",
      notAfter: "2026-12-22T00:00:00.000Z",
      earliestNotAfter: "2026-12-02T00:00:00.000Z",
      chain: [],
      trusted: true,
      fingerprint256: "",
      blackbox: {
        subject: "CN=api.example.com",
        issuer: "CN=CA",
        dnsNames: "api.example.com",
        fingerprint: "00",
      },
    };
    const report = await sink.write(
      [result("api", { facts: { httpStatus: 503, certificate: cert }, status: "down" })],
      context,
    );
    expect(report).toMatchObject({
      ok: true,
      samples: 4,
      requests: 1,
      retries: 0,
      sink: "cloudwatch Team/Probes",
    });
    const input = cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input;
    expect(input?.Namespace).toBe("Team/Probes");
    const dimensions = [
      { Name: "Check", Value: "api" },
      { Name: "Kind", Value: "http" },
    ];
    expect(input?.MetricData).toEqual([
      { MetricName: "Success", Value: 0, Unit: "None", Timestamp: new Date(RUN), Dimensions: dimensions },
      {
        MetricName: "Duration",
        Value: 123.4,
        Unit: "Milliseconds",
        Timestamp: new Date(RUN),
        Dimensions: dimensions,
      },
      {
        MetricName: "HttpStatusCode",
        Value: 503,
        Unit: "None",
        Timestamp: new Date(RUN),
        Dimensions: dimensions,
      },
      {
        MetricName: "CertificateExpiry",
        Value: 10 * 86_400,
        Unit: "Seconds",
        Timestamp: new Date(RUN),
        Dimensions: dimensions,
      },
    ]);
  });

  it("adds phases and high resolution only when asked", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchSink({ client: new CloudWatchClient({}), phases: true, highResolution: true });
    await sink.write([result("api")], context);
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input.MetricData ?? [];
    expect(
      data.filter((d) => d.MetricName === "PhaseDuration").map((d) => [d.Dimensions?.[2]?.Value, d.Value]),
    ).toEqual([
      ["resolve", 1],
      ["connect", 2],
      ["tls", 3],
      ["processing", 4],
      ["transfer", 5],
    ]);
    expect(data.every((d) => d.StorageResolution === 1)).toBe(true);
  });

  it("can leave per-check metrics out and keep only the heartbeat", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchSink({
      client: new CloudWatchClient({}),
      checkMetrics: false,
      heartbeatInterval: "5m",
    });
    const report = await sink.write([result("api"), result("db")], context);
    expect(report).toMatchObject({ ok: true, samples: 1 });
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input.MetricData).toEqual([
      {
        MetricName: "Results",
        Value: 2,
        Unit: "Count",
        Timestamp: new Date(RUN),
        Dimensions: [{ Name: "Interval", Value: "5m" }],
      },
    ]);
  });

  it("batches to the API's limit of 1,000 datums per request", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchSink({ client: new CloudWatchClient({}) });
    const results = Array.from({ length: 900 }, (_, i) => result(`check-${i}`));
    const report = await sink.write(results, context);
    const sizes = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((call) => call.args[0].input.MetricData?.length);
    expect(sizes).toEqual([1_000, 1_000, 700]);
    expect(report).toMatchObject({ ok: true, samples: 2_700, requests: 3 });
  });

  it("keeps each request under 1 MB", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchSink({ client: new CloudWatchClient({}) });
    const long = "x".repeat(240);
    await sink.write(
      Array.from({ length: 500 }, (_, i) => result(`${long}-${i}`)),
      context,
    );
    for (const call of cloudwatch.commandCalls(PutMetricDataCommand)) {
      expect(JSON.stringify(call.args[0].input).length).toBeLessThan(1_000_000 / 2);
    }
    expect(cloudwatch.commandCalls(PutMetricDataCommand).length).toBeGreaterThan(1);
  });

  it("retries throttling, then succeeds", async () => {
    cloudwatch
      .on(PutMetricDataCommand)
      .rejectsOnce(error("ThrottlingException", 400))
      .rejectsOnce(error("InternalFailure", 500))
      .resolves({});
    const report = await new CloudWatchSink({ client: new CloudWatchClient({}), ...fast }).write(
      [result("api")],
      context,
    );
    expect(report).toMatchObject({ ok: true, requests: 3, retries: 2 });
  });

  it("stops after its bounded attempts, and never retries a permission error", async () => {
    cloudwatch.on(PutMetricDataCommand).rejects(error("ThrottlingException", 400));
    const throttled = await new CloudWatchSink({
      client: new CloudWatchClient({}),
      maxAttempts: 3,
      ...fast,
    }).write([result("api")], context);
    expect(throttled).toMatchObject({ ok: false, requests: 3, samples: 3, failedSamples: 3 });
    expect(throttled.error).toBe(
      "ThrottlingException (HTTP 400): ThrottlingException happened; gave up after 3 attempts",
    );
    cloudwatch.reset();
    cloudwatch.on(PutMetricDataCommand).rejects(error("AccessDenied", 403));
    const denied = await new CloudWatchSink({ client: new CloudWatchClient({}), ...fast }).write(
      [result("api")],
      context,
    );
    expect(denied).toMatchObject({ ok: false, requests: 1, retries: 0 });
    expect(denied.error).toBe("AccessDenied (HTTP 403): AccessDenied happened (not retried)");
  });

  it("sends nothing once the run's deadline has passed, and counts no request and no retry", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const report = await new CloudWatchSink({ client: new CloudWatchClient({}), ...fast }).write(
      [result("api")],
      { ...context, deadline: Date.now() - 1 },
    );
    expect(report).toMatchObject({ ok: false, requests: 0, retries: 0, failedSamples: report.samples });
    expect(report.error).toBe("no time left before the run's deadline");
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it("gives a flow the check's Success and Duration, nothing per step", () => {
    const sink = new CloudWatchSink({ client: new CloudWatchClient({}) });
    const datums = sink.datums(
      [
        result("orders-flow", {
          kind: "steps",
          status: "down",
          durationMs: 321,
          phases: undefined,
          facts: undefined,
          steps: [{ name: "login", kind: "http", target: "", status: "down", reason: "x", durationMs: 300 }],
        }),
      ],
      context,
    );
    expect(datums.map((d) => [d.MetricName, d.Value, d.Dimensions])).toEqual([
      [
        "Success",
        0,
        [
          { Name: "Check", Value: "orders-flow" },
          { Name: "Kind", Value: "steps" },
        ],
      ],
      [
        "Duration",
        321,
        [
          { Name: "Check", Value: "orders-flow" },
          { Name: "Kind", Value: "steps" },
        ],
      ],
    ]);
  });
});
