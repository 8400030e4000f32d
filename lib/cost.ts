/**
 * What a deployment of given checks costs a month, from public list prices and the measured cost
 * of one invocation (bench/deploy.ts). A model, not a bill: it says its assumptions so they can be
 * checked against yours (region, free tier and discounts are not modelled).
 */
import { gzipSync } from "node:zlib";
import type { CheckSpec } from "./checks/load.js";
import { cutShards } from "./deploy/compile.js";
import { DEFAULT_CONCURRENCY } from "./engine.js";
import { encodeDayJson } from "./history/encoding.js";
import {
  type CheckDay,
  DAY_MS,
  type Latest,
  latencyBucket,
  SLOT_MS,
  SLOTS_PER_DAY,
} from "./history/model.js";
import { resultSeries } from "./metrics/series.js";
import type { CheckResult } from "./result.js";
import { needsRefresh, REFRESH_EVERY_MS, REFRESH_STOP_BEFORE_MS } from "./runtime/freshness.js";
import { CloudWatchSink } from "./sinks/cloudwatch.js";

/** US East list prices (USD) as used here; each is printed with the estimate. */
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

export interface CostOptions {
  maxChecksPerShard?: number;
  memoryMb?: number;
  /** A typical check's wall time against real targets (DNS, TCP, TLS, the answer). Default 300 ms. */
  latencyMs?: number;
  /** The invocation's own time besides probing (measured: about 80 ms). Default 100 ms. */
  overheadMs?: number;
  /** Per-check CloudWatch metrics (the construct's `checkMetrics`). Default true. */
  checkMetrics?: boolean;
  /** Remote-write to Amazon Managed Service for Prometheus. Default false. */
  amp?: boolean;
  /**
   * Locations (regions) probing every check; the first decides. Default 1. Each runs and pays for
   * its own invocations, logs and CloudWatch metrics (CloudWatch is regional); each writes its report
   * to the home's table every run, and the home reads the others' before deciding.
   */
  locations?: number;
  /** A logged result (one that is not up). Default 1,200 bytes. */
  logBytesPerResult?: number;
  /** The run's summary line, logged once per invocation. Default 1,500 bytes. */
  logBytesPerInvocation?: number;
  /** History kept in the state table (status page, SLOs). Default true. */
  history?: boolean;
  /** The status page, rewritten after each run of the shortest interval. Default true (with history). */
  statusPage?: boolean;
  /**
   * Share of check runs that change alert state (a failure, a recovery, a notification): only those
   * write state and log a line. Default 0.01.
   */
  changeRate?: number;
}

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

const MONTH_MS = 30 * 86_400_000;

/** A healthy result of `check` carrying every fact its kind can report: what the sinks price. */
function representativeResult(check: CheckSpec): CheckResult {
  const https =
    check.kind === "tls" ||
    (check.kind === "http" && String((check.config as { url?: string }).url).startsWith("https:"));
  return {
    name: check.name,
    kind: check.kind,
    target: "",
    status: "up",
    reason: "",
    attempts: 1,
    startedAt: "",
    durationMs: 1,
    severity: check.severity,
    labels: check.labels,
    conditions: [],
    ...(check.kind === "http"
      ? { phases: { resolve: 1, connect: 1, tls: 1, processing: 1, transfer: 1 } }
      : { phases: { resolve: 1 } }),
    facts: {
      resolved: { address: "192.0.2.1", family: 4, lookupMs: 1 },
      ...(check.kind === "http"
        ? { httpStatus: 200, httpVersion: "1.1", bodyBytes: 1, contentLength: 1, redirects: [] }
        : {}),
      ...(https
        ? {
            finalTls: true,
            tlsAccepted: true,
            tlsVersion: "TLSv1.3",
            tlsCipher: "TLS_AES_128_GCM_SHA256",
            certificate: {
              subject: "",
              issuer: "",
              sans: [],
              notBefore: "",
              notAfter: "2030-01-01T00:00:00Z",
              earliestNotAfter: "2030-01-01T00:00:00Z",
              chain: [],
              trusted: true,
              fingerprint256: "",
              blackbox: {
                subject: "CN=api.example.com",
                issuer: "CN=CA",
                dnsNames: "api.example.com",
                fingerprint: "00",
              },
            },
          }
        : {}),
      ...(check.kind === "dns"
        ? { dnsAnswers: ["a"], dns: { answered: true, answerRrs: 1, authorityRrs: 0, additionalRrs: 0 } }
        : {}),
      ...(check.kind === "backup"
        ? { backup: { identifier: "", newestAt: "2030-01-01T00:00:00Z", ageSeconds: 1, sizeBytes: 1 } }
        : {}),
      ...(check.kind === "heartbeat"
        ? {
            heartbeat: {
              pings: 1,
              lastPingAt: "2030-01-01T00:00:00Z",
              lastPingAgeSeconds: 1,
              durationSeconds: 1,
              sizeBytes: 1,
            },
          }
        : {}),
    },
  };
}

/** The CloudWatch custom metrics a check publishes: the CloudWatch sink's own datums for it. */
function cloudWatchMetrics(check: CheckSpec): number {
  const sink = new CloudWatchSink({ client: { send: async () => ({}) } });
  return sink.datums([representativeResult(check)], { deadline: 0, runStartedAt: 0, location: "" }).length;
}

/** Prometheus series a check writes per run, from the one mapping. */
function seriesPerRun(check: CheckSpec): number {
  return resultSeries(representativeResult(check), { location: "", timestampMs: 0 }).length;
}

function tiered(metrics: number): number {
  let left = metrics;
  let usd = 0;
  for (const [size, price] of PRICES.customMetricTiers) {
    const inTier = Math.min(left, size);
    usd += inTier * price;
    left -= inTier;
  }
  return usd;
}

export function estimateCost(checks: readonly CheckSpec[], options: CostOptions = {}): CostEstimate {
  const perShard = options.maxChecksPerShard ?? 200;
  const memoryGb = (options.memoryMb ?? 1024) / 1024;
  const latency = options.latencyMs ?? 300;
  const overhead = options.overheadMs ?? 100;
  const shards = cutShards(checks, perShard);
  const runs = (intervalMs: number) => MONTH_MS / intervalMs;
  let invocations = 0;
  let gbSeconds = 0;
  let putRequests = 0;
  let secondsWeighted = 0;
  for (const shard of shards) {
    const count = runs(shard.intervalMs);
    const waves = Math.ceil(shard.checks.length / DEFAULT_CONCURRENCY);
    const seconds = (overhead + waves * latency) / 1000;
    invocations += count;
    gbSeconds += count * seconds * memoryGb;
    secondsWeighted += count * seconds;
    const datums =
      1 + (options.checkMetrics === false ? 0 : shard.checks.reduce((n, c) => n + cloudWatchMetrics(c), 0));
    putRequests += count * Math.ceil(datums / 1_000);
  }
  // Slow shards: a record written each run, and their latest samples re-sent every two minutes by
  // one more schedule (lib/runtime/freshness.ts). About 200 bytes of gzipped result per check.
  const slow = shards.filter((shard) => needsRefresh(shard.intervalMs));
  let recordWrites = 0;
  let recordReads = 0;
  let refreshSamples = 0;
  if (slow.length > 0) {
    const refreshes = MONTH_MS / REFRESH_EVERY_MS;
    invocations += refreshes;
    gbSeconds += refreshes * (overhead / 1000) * memoryGb;
    secondsWeighted += refreshes * (overhead / 1000);
    for (const shard of slow) {
      const units = Math.ceil((shard.checks.length * 200) / 1024);
      recordWrites += runs(shard.intervalMs) * units;
      recordReads += refreshes * Math.ceil(units / 4);
      const resends = Math.max(
        0,
        Math.floor((shard.intervalMs - REFRESH_STOP_BEFORE_MS - 60_000) / REFRESH_EVERY_MS),
      );
      refreshSamples +=
        runs(shard.intervalMs) * resends * (2 + shard.checks.reduce((n, c) => n + seriesPerRun(c), 0));
      if (options.checkMetrics !== false) putRequests += runs(shard.intervalMs) * resends;
    }
  }
  // Every location runs what one location runs; the home alone reads and writes alert state.
  const places = Math.max(1, options.locations ?? 1);
  invocations *= places;
  gbSeconds *= places;
  secondsWeighted *= places;
  putRequests *= places;
  recordWrites *= places;
  recordReads *= places;
  refreshSamples *= places;
  if (places > 1)
    for (const shard of shards) {
      const units = Math.ceil((shard.checks.length * 200) / 1024);
      // Each location's report, every run; the home reads the others' before deciding.
      recordWrites += runs(shard.intervalMs) * places * units;
      recordReads += runs(shard.intervalMs) * (places - 1) * Math.ceil(units / 4);
    }
  // History: each run of a shard rewrites its day's item (read first, consistently); a shard with
  // SLOs reads its window's days each run; the status page reads every shard's days (finished ones
  // once per container) and writes two objects after each run of the fastest shard. Item sizes
  // from the encoding itself.
  let historyWrites = 0;
  let historyReads = 0;
  let pagePuts = 0;
  if (options.history !== false) {
    const itemBytes = new Map(
      shards.map((shard) => [shard.id, historyItemBytes(shard.checks, shard.intervalMs)]),
    );
    for (const shard of shards) {
      const bytes = itemBytes.get(shard.id) as number;
      const count = runs(shard.intervalMs);
      historyWrites += count * Math.ceil(bytes / 1024);
      historyReads += count * Math.ceil(bytes / 4096);
      const sloDays = Math.max(
        0,
        ...shard.checks.map((c) => (c.slo ? Math.ceil(c.slo.windowMs / DAY_MS) + 1 : 0)),
      );
      historyReads += count * sloDays * Math.ceil(bytes / 4096) * 0.5;
    }
    const fastest = shards.reduce<(typeof shards)[number] | undefined>(
      (best, shard) => (!best || shard.intervalMs < best.intervalMs ? shard : best),
      undefined,
    );
    if (fastest && options.statusPage !== false) {
      const pages = runs(fastest.intervalMs);
      const all = [...itemBytes.values()].reduce((n, bytes) => n + Math.ceil(bytes / 4096) * 0.5, 0);
      // Today and yesterday each time; the finished days once per container (assumed: one an hour).
      historyReads += pages * 2 * all + (MONTH_MS / 3_600_000) * 89 * all;
      pagePuts = pages * 2;
    }
  }
  const decisions = checks.reduce((n, c) => n + runs(c.intervalMs), 0);
  const runsPerMonth = decisions * places;
  const changing = decisions * (options.changeRate ?? 0.01);
  const intervals = new Set(checks.map((c) => c.intervalMs)).size;
  const metrics =
    places *
    (intervals + (options.checkMetrics === false ? 0 : checks.reduce((n, c) => n + cloudWatchMetrics(c), 0)));
  const logGb =
    (changing * places * (options.logBytesPerResult ?? 1_200) +
      invocations * (options.logBytesPerInvocation ?? 1_500)) /
    1e9;
  const lines: CostLine[] = [
    {
      item: "Lambda requests",
      quantity: invocations,
      unit: "requests",
      usd: invocations * PRICES.lambdaPerRequest,
    },
    {
      item: "Lambda compute (arm64)",
      quantity: gbSeconds,
      unit: "GB-seconds",
      usd: gbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: "DynamoDB state writes",
      quantity: changing + recordWrites,
      unit: "write units",
      usd: (changing + recordWrites) * PRICES.dynamoDbPerWrite,
    },
    {
      item: "DynamoDB state reads",
      quantity: decisions + recordReads,
      unit: "read units",
      usd: (decisions + recordReads) * PRICES.dynamoDbPerRead,
    },
    ...(options.history === false
      ? []
      : [
          {
            item: "DynamoDB history writes",
            quantity: historyWrites,
            unit: "write units",
            usd: historyWrites * PRICES.dynamoDbPerWrite,
          },
          {
            item: "DynamoDB history reads",
            quantity: historyReads,
            unit: "read units",
            usd: historyReads * PRICES.dynamoDbPerRead,
          },
        ]),
    ...(pagePuts > 0
      ? [
          {
            item: "S3 status page writes",
            quantity: pagePuts,
            unit: "PUT requests",
            usd: pagePuts * PRICES.s3PerPut,
          },
        ]
      : []),
    { item: "CloudWatch Logs ingestion", quantity: logGb, unit: "GB", usd: logGb * PRICES.logsPerGb },
    {
      item: "CloudWatch PutMetricData",
      quantity: putRequests,
      unit: "requests",
      usd: putRequests * PRICES.putMetricDataPerRequest,
    },
    { item: "CloudWatch custom metrics", quantity: metrics, unit: "metric-months", usd: tiered(metrics) },
  ];
  if (options.amp) {
    const samples =
      places *
        (checks.reduce((n, c) => n + runs(c.intervalMs) * seriesPerRun(c), 0) +
          shards.reduce((n, shard) => n + runs(shard.intervalMs) * 2, 0)) +
      refreshSamples;
    lines.push({
      item: "Managed Prometheus ingestion",
      quantity: samples,
      unit: "samples",
      usd: samples * PRICES.ampPerSample,
    });
  }
  const usdPerMonth = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    checks: checks.length,
    runsPerMonth,
    invocationsPerMonth: invocations,
    secondsPerInvocation: invocations ? secondsWeighted / invocations : 0,
    lines,
    usdPerMonth,
    usdPerMillionRuns: runsPerMonth ? (usdPerMonth / runsPerMonth) * 1e6 : 0,
    syntheticsUsdPerMonth: runsPerMonth * PRICES.cloudWatchSyntheticsPerRun,
    checklyUsdPerMonth: runsPerMonth * PRICES.checklyApiPerRun,
  };
}

const usd = (value: number) =>
  value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;

/** The estimate as a table for the terminal. */
export function formatEstimate(e: CostEstimate): string {
  const amount = (n: number) => (n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US"));
  const rows = e.lines.map((l) => [l.item, `${amount(l.quantity)} ${l.unit}`, usd(l.usd)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const table = rows.map(
    (r) =>
      `  ${(r[0] as string).padEnd(widths[0] as number)}  ${(r[1] as string).padStart(widths[1] as number)}  ${(r[2] as string).padStart(widths[2] as number)}`,
  );
  return [
    `${e.checks} checks, ${Math.round(e.runsPerMonth).toLocaleString("en-US")} runs a month, ${Math.round(e.invocationsPerMonth).toLocaleString("en-US")} invocations of about ${e.secondsPerInvocation.toFixed(2)} s`,
    ...table,
    `  ${"total a month".padEnd(widths[0] as number)}  ${"".padStart(widths[1] as number)}  ${usd(e.usdPerMonth).padStart(widths[2] as number)}`,
    "",
    `per million check runs: ${usd(e.usdPerMillionRuns)} (CloudWatch Synthetics: $1200, Checkly API checks: $200)`,
    `the same runs on CloudWatch Synthetics: ${usd(e.syntheticsUsdPerMonth)} a month; on Checkly: ${usd(e.checklyUsdPerMonth)}`,
    "List prices (US East), no free tier; see docs/cost.md for the model and its assumptions.",
  ].join("\n");
}

const itemSizes = new Map<string, number>();

/**
 * The gzipped bytes of a shard's day of history, all runs up, latencies spread over a few buckets:
 * measured once per shard size and interval (shards alike in both differ only in their names).
 */
function historyItemBytes(checks: readonly CheckSpec[], intervalMs: number): number {
  const key = `${checks.length}/${intervalMs}`;
  let bytes = itemSizes.get(key);
  if (bytes === undefined) {
    bytes = measureItemBytes(checks, intervalMs);
    itemSizes.set(key, bytes);
  }
  return bytes;
}

function measureItemBytes(checks: readonly CheckSpec[], intervalMs: number): number {
  const runs = Math.max(1, Math.round(DAY_MS / intervalMs));
  const perSlot = Math.max(1, Math.round(SLOT_MS / intervalMs));
  const slotsUsed = Math.min(SLOTS_PER_DAY, runs);
  const spread = [80, 90, 100, 100, 110, 120, 150, 250];
  const day: Record<string, CheckDay> = {};
  const latest: Record<string, Latest> = {};
  checks.forEach((check, i) => {
    const latency: Record<string, number> = {};
    for (let r = 0; r < Math.min(runs, spread.length); r++) {
      const bucket = String(latencyBucket((spread[(r + i) % spread.length] as number) * (1 + (i % 7) / 10)));
      latency[bucket] = (latency[bucket] ?? 0) + Math.ceil(runs / spread.length);
    }
    const slots: Record<string, [number, number, number]> = {};
    for (let slot = 0; slot < slotsUsed; slot++)
      slots[String(Math.floor((slot * SLOTS_PER_DAY) / slotsUsed))] = [perSlot, 0, 0];
    day[check.name] = { runs, up: runs, degraded: 0, down: 0, unknown: 0, downMs: 0, latency, slots };
    latest[check.name] = { status: "up", reason: "200 OK", at: "2030-01-01T23:59:00.000Z" };
  });
  return gzipSync(encodeDayJson({ checks: day, latest })).length;
}
