/**
 * What a deployment of given checks costs a month: its usage (lib/cost/usage.ts) at list prices, and
 * the same runs on CloudWatch Synthetics and Checkly. A model, not a bill: it says its assumptions so
 * they can be checked against yours (region, free tier and discounts are not modelled).
 */
import type { CheckSpec } from "../checks/load.js";
import { customMetricsUsd, PRICES } from "./prices.js";
import { type CostOptions, monthlyUsage } from "./usage.js";

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface CostEstimate {
  checks: number;
  runsPerMonth: number;
  invocationsPerMonth: number;
  secondsPerInvocation: number;
  lines: CostLine[];
  usdPerMonth: number;
  usdPerMillionRuns: number;
  /** The same runs elsewhere. */
  syntheticsUsdPerMonth: number;
  checklyUsdPerMonth: number;
}

export function estimateCost(checks: readonly CheckSpec[], options: CostOptions = {}): CostEstimate {
  const use = monthlyUsage(checks, options);
  const lines: CostLine[] = [
    {
      item: "Lambda requests",
      quantity: use.invocations,
      unit: "requests",
      usd: use.invocations * PRICES.lambdaPerRequest,
    },
    {
      item: "Lambda compute (arm64)",
      quantity: use.gbSeconds,
      unit: "GB-seconds",
      usd: use.gbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: "DynamoDB state writes",
      quantity: use.stateWrites,
      unit: "write units",
      usd: use.stateWrites * PRICES.dynamoDbPerWrite,
    },
    {
      item: "DynamoDB state reads",
      quantity: use.stateReads,
      unit: "read units",
      usd: use.stateReads * PRICES.dynamoDbPerRead,
    },
    ...(options.history === false
      ? []
      : [
          {
            item: "DynamoDB history writes",
            quantity: use.historyWrites,
            unit: "write units",
            usd: use.historyWrites * PRICES.dynamoDbPerWrite,
          },
          {
            item: "DynamoDB history reads",
            quantity: use.historyReads,
            unit: "read units",
            usd: use.historyReads * PRICES.dynamoDbPerRead,
          },
        ]),
    ...(use.pagePuts > 0
      ? [
          {
            item: "S3 status page writes",
            quantity: use.pagePuts,
            unit: "PUT requests",
            usd: use.pagePuts * PRICES.s3PerPut,
          },
        ]
      : []),
    { item: "CloudWatch Logs ingestion", quantity: use.logGb, unit: "GB", usd: use.logGb * PRICES.logsPerGb },
    {
      item: "CloudWatch PutMetricData",
      quantity: use.putRequests,
      unit: "requests",
      usd: use.putRequests * PRICES.putMetricDataPerRequest,
    },
    {
      item: "CloudWatch custom metrics",
      quantity: use.customMetrics,
      unit: "metric-months",
      usd: customMetricsUsd(use.customMetrics),
    },
    ...(use.ampSamples !== undefined
      ? [
          {
            item: "Managed Prometheus ingestion",
            quantity: use.ampSamples,
            unit: "samples",
            usd: use.ampSamples * PRICES.ampPerSample,
          },
        ]
      : []),
  ];
  const usdPerMonth = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    checks: checks.length,
    runsPerMonth: use.runsPerMonth,
    invocationsPerMonth: use.invocations,
    secondsPerInvocation: use.invocations ? use.secondsWeighted / use.invocations : 0,
    lines,
    usdPerMonth,
    usdPerMillionRuns: use.runsPerMonth ? (usdPerMonth / use.runsPerMonth) * 1e6 : 0,
    syntheticsUsdPerMonth: use.runsPerMonth * PRICES.cloudWatchSyntheticsPerRun,
    checklyUsdPerMonth: use.runsPerMonth * PRICES.checklyApiPerRun,
  };
}
