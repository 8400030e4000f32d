/** The list prices the cost model uses: US East, in USD; each is printed with the estimate. */
export const PRICES = {
  lambdaPerRequest: 0.2 / 1e6,
  lambdaArmPerGbSecond: 0.0000133334,
  putMetricDataPerRequest: 0.01 / 1_000,
  /** Per metric-month, by tier: the first 10,000, the next 240,000, the next 750,000, the rest. */
  customMetricTiers: [
    [10_000, 0.3],
    [240_000, 0.1],
    [750_000, 0.05],
    [Number.POSITIVE_INFINITY, 0.02],
  ] as const,
  dynamoDbPerWrite: 0.625 / 1e6,
  dynamoDbPerRead: 0.125 / 1e6,
  logsPerGb: 0.5,
  s3PerPut: 0.005 / 1_000,
  ampPerSample: 0.9 / 1e7,
  cloudWatchSyntheticsPerRun: 0.0012,
  checklyApiPerRun: 2 / 10_000,
} as const;

/** What `metrics` custom metrics cost a month, each tier at its price. */
export function customMetricsUsd(metrics: number): number {
  let left = metrics;
  let usd = 0;
  for (const [size, price] of PRICES.customMetricTiers) {
    const inTier = Math.min(left, size);
    usd += inTier * price;
    left -= inTier;
  }
  return usd;
}
