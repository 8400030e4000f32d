import { describe, expect, it } from "vitest";
import type { CostEstimate } from "../../../lib/cost/estimate.js";
import { formatEstimate } from "../../../lib/cost/format.js";

const estimate: CostEstimate = {
  checks: 3,
  runsPerMonth: 129_600,
  invocationsPerMonth: 43_200,
  secondsPerInvocation: 0.4,
  lines: [
    { item: "Lambda requests", quantity: 43_200, unit: "requests", usd: 0.00864 },
    { item: "CloudWatch Logs ingestion", quantity: 0.07, unit: "GB", usd: 0.035 },
    { item: "CloudWatch custom metrics", quantity: 13, unit: "metric-months", usd: 3.9 },
  ],
  usdPerMonth: 123.456,
  usdPerMillionRuns: 952.59,
  syntheticsUsdPerMonth: 155.52,
  checklyUsdPerMonth: 25.92,
};

describe("the cost table", () => {
  it("aligns quantities and amounts, totals them, and compares with the list prices it was given", () => {
    expect(formatEstimate(estimate)).toBe(
      [
        "3 checks, 129,600 runs a month, 43,200 invocations of about 0.40 s",
        "  Lambda requests             43,200 requests  $0.0086",
        "  CloudWatch Logs ingestion           0.07 GB  $0.0350",
        "  CloudWatch custom metrics  13 metric-months    $3.90",
        "  total a month                                   $123",
        "",
        "per million check runs: $953 (CloudWatch Synthetics: $1200, Checkly API checks: $200)",
        "the same runs on CloudWatch Synthetics: $156 a month; on Checkly: $25.92",
        "List prices (US East), no free tier; see docs/cost.md for the model and its assumptions.",
      ].join("\n"),
    );
  });
});
