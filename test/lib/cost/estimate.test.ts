import { describe, expect, it } from "vitest";
import { estimateCost } from "../../../lib/cost/estimate.js";
import { PRICES } from "../../../lib/cost/prices.js";
import { check } from "../../support/checks.js";

const https = (n: number, interval = "1m") =>
  Array.from({ length: n }, (_, i) =>
    check({ name: `c${i}`, interval, http: { url: `https://s${i}.example.com/` } }),
  );

describe("cost model", () => {
  it("prices 200 one-minute HTTPS checks: one shard, four waves of 64 at 300 ms", () => {
    const e = estimateCost(https(200));
    expect(e.runsPerMonth).toBe(200 * 43_200);
    expect(e.invocationsPerMonth).toBe(43_200);
    expect(e.secondsPerInvocation).toBeCloseTo(0.1 + 4 * 0.3);
    const line = (item: string) => e.lines.find((l) => l.item === item);
    expect(line("Lambda compute (arm64)")?.quantity).toBeCloseTo(43_200 * 1.3);
    expect(line("Lambda requests")?.usd).toBeCloseTo(43_200 * PRICES.lambdaPerRequest);
    // Success, Duration, HttpStatusCode, CertificateExpiry per check, and one heartbeat.
    expect(line("CloudWatch custom metrics")?.quantity).toBe(801);
    expect(e.usdPerMillionRuns).toBeLessThan((PRICES.cloudWatchSyntheticsPerRun * 1e6) / 30);
  });

  it("prices three locations: each runs, logs and keeps metrics; each reports every run; the home alone decides", () => {
    const one = estimateCost(https(200));
    const three = estimateCost(https(200), { locations: 3 });
    const line = (e: typeof one, item: string) => e.lines.find((l) => l.item === item)?.quantity ?? 0;
    expect(three.invocationsPerMonth).toBe(3 * one.invocationsPerMonth);
    expect(three.runsPerMonth).toBe(3 * one.runsPerMonth);
    expect(line(three, "CloudWatch custom metrics")).toBe(3 * line(one, "CloudWatch custom metrics"));
    // 200 checks' report is about 40 KB: 40 write units per location and run, read by the home as
    // ten read units per other location.
    expect(line(three, "DynamoDB state writes") - line(one, "DynamoDB state writes")).toBe(43_200 * 3 * 40);
    expect(line(three, "DynamoDB state reads") - line(one, "DynamoDB state reads")).toBe(43_200 * 2 * 10);
  });

  it("drops the custom metrics when per-check CloudWatch metrics are off, and prices them in tiers", () => {
    const on = estimateCost(https(10_000));
    const off = estimateCost(https(10_000), { checkMetrics: false });
    const metrics = (e: typeof on) => e.lines.find((l) => l.item === "CloudWatch custom metrics");
    expect(metrics(on)?.quantity).toBe(40_001);
    expect(metrics(on)?.usd).toBeCloseTo(10_000 * 0.3 + 30_001 * 0.1);
    expect(metrics(off)?.quantity).toBe(1);
    // Without them, a million runs cost less than a thousandth of CloudWatch Synthetics' $1,200.
    expect(off.usdPerMillionRuns).toBeLessThan(1.5);
    expect(off.syntheticsUsdPerMonth / off.usdPerMonth).toBeGreaterThan(800);
  });

  it("adds Managed Prometheus ingestion from the series the mapping writes", () => {
    const e = estimateCost(https(1), { amp: true });
    const amp = e.lines.find((l) => l.item === "Managed Prometheus ingestion");
    // 29 series per run of the check, and the shard's two heartbeat series.
    expect(amp?.quantity).toBe(43_200 * (29 + 2));
  });

  it("prices the re-sending of an hourly check's latest samples between its runs", () => {
    const e = estimateCost(https(1, "1h"), { amp: true });
    const line = (item: string) => e.lines.find((l) => l.item === item)?.quantity;
    // 720 runs, and one refresh every two minutes: 21,600 invocations.
    expect(e.invocationsPerMonth).toBe(720 + 21_600);
    // Each run's samples re-sent 28 times (every 2 minutes until 90 s before the next run).
    expect(line("Managed Prometheus ingestion")).toBe(720 * 31 + 720 * 28 * 31);
    expect(line("CloudWatch PutMetricData")).toBe(720 + 720 * 28);
    // The refresh adds about $0.24 a month: 21,600 short invocations and 20,160 PutMetricData requests.
    expect(e.usdPerMonth).toBeLessThan(2);
  });

  it("times a flow by its steps' requests, one after another, and publishes its step series", () => {
    const flow = (name: string, steps: number) =>
      check({
        name,
        steps: Array.from({ length: steps }, (_, i) => ({
          name: `s${i}`,
          http: { url: `https://x.example/${i}` },
        })),
      });
    const four = estimateCost([flow("f", 4)], { amp: true });
    const one = estimateCost([flow("f", 1)], { amp: true });
    expect(four.secondsPerInvocation).toBeCloseTo(0.1 + 4 * 0.3);
    expect(one.secondsPerInvocation).toBeCloseTo(0.1 + 0.3);
    // 64 single checks fill one wave; with a flow of four among them, the shard takes four.
    expect(estimateCost([...https(63), flow("f", 4)]).secondsPerInvocation).toBeCloseTo(0.1 + 4 * 0.3);
    // Two series more per step: watchpost_step_success and watchpost_step_duration_seconds.
    const samples = (e: typeof one) =>
      e.lines.find((l) => l.item === "Managed Prometheus ingestion")?.quantity ?? 0;
    expect(samples(four) - samples(one)).toBe(43_200 * 3 * 2);
    // CloudWatch: the check's Success and Duration, whatever its steps.
    expect(four.lines.find((l) => l.item === "CloudWatch custom metrics")?.quantity).toBe(3);
  });
});
