/**
 * Encode-and-compress throughput of remote-write bodies: Watchpost's encoder against the
 * `prometheus-remote-write` package (protobufjs + snappyjs), same series, same run.
 * Run: npm run bench:remote-write. Prints a table and writes bench/results/remote-write.json.
 */
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { resultSeries, type Series, seriesLabels } from "../lib/metrics/series.js";
import type { CheckResult } from "../lib/result.js";
import { compress, WriteRequestEncoder } from "../lib/sinks/remote-write/encode.js";

const require = createRequire(import.meta.url);
const prometheusRemoteWrite = require("prometheus-remote-write") as {
  pushTimeseries(series: unknown[], options: Record<string, unknown>): Promise<unknown>;
};

/** Series as Watchpost produces them: HTTPS checks, about 21 series each. */
function workload(samples: number): Series[] {
  const perCheck = 21;
  const results = Array.from(
    { length: Math.ceil(samples / perCheck) },
    (_, i): CheckResult => ({
      name: `check-${i}`,
      kind: "http",
      target: `https://service-${i}.example.com/health`,
      status: i % 17 === 0 ? "down" : "up",
      reason: "",
      attempts: 1,
      startedAt: "",
      durationMs: 40 + (i % 50),
      severity: "critical",
      labels: { team: `team-${i % 20}` },
      conditions: [],
      phases: { resolve: 1.2, connect: 2.3, tls: 8.1, processing: 25.7, transfer: 0.4 },
      facts: {
        httpStatus: 200,
        bodyBytes: 312,
        redirects: [],
        tlsVersion: "TLSv1.3",
        certificate: {
          subject: "",
          issuer: "",
          sans: [],
          notBefore: "",
          notAfter: "2027-03-01T00:00:00Z",
          earliestNotAfter: "2027-03-01T00:00:00Z",
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
      },
    }),
  );
  const now = Date.now();
  return results
    .flatMap((r) => resultSeries(r, { location: "eu-west-1", timestampMs: now }))
    .slice(0, samples);
}

function ours(series: Series[]): number {
  const bodies = new WriteRequestEncoder().encode(series, 1_048_576);
  return bodies.reduce((bytes, body) => bytes + compress(body.bytes).length, 0);
}

/** Their API takes one request's series per call; 5,000 per call is about the size of our 1 MiB bodies. */
async function theirs(input: unknown[]): Promise<number> {
  let bytes = 0;
  const options = {
    url: "http://127.0.0.1:9/unused",
    fetch: async (_url: string, init: { body: Uint8Array }) => {
      bytes += init.body.length;
      return { status: 204, statusText: "No Content", text: async () => "" };
    },
  };
  for (let i = 0; i < input.length; i += 5_000)
    await prometheusRemoteWrite.pushTimeseries(input.slice(i, i + 5_000), options);
  return bytes;
}

async function timeIt(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const rows = [];
for (const samples of [10_000, 100_000, 1_000_000]) {
  const series = workload(samples);
  const input = series.map((s) => ({
    labels: seriesLabels(s),
    samples: [{ value: s.value, timestamp: s.timestampMs }],
  }));
  const runs = samples >= 1_000_000 ? 3 : 7;
  ours(series.slice(0, 2_000));
  await theirs(input.slice(0, 2_000));
  const oursMs = await timeIt(runs, () => ours(series));
  const theirsMs = await timeIt(runs, () => theirs(input));
  rows.push({
    samples,
    runs,
    watchpostMs: Math.round(oursMs),
    prometheusRemoteWriteMs: Math.round(theirsMs),
    watchpostSamplesPerSecond: Math.round(samples / (oursMs / 1000)),
    prometheusRemoteWriteSamplesPerSecond: Math.round(samples / (theirsMs / 1000)),
    ratio: Number((theirsMs / oursMs).toFixed(2)),
    watchpostCompressedBytes: ours(series),
    prometheusRemoteWriteCompressedBytes: await theirs(input),
  });
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`remote-write encode + snappy, median of N runs (${machine})\n`);
console.log("samples   | Watchpost          | prometheus-remote-write | ratio");
for (const r of rows) {
  console.log(
    `${String(r.samples).padStart(9)} | ${`${r.watchpostMs} ms (${(r.watchpostSamplesPerSecond / 1e6).toFixed(2)} M/s)`.padEnd(18)} | ${`${r.prometheusRemoteWriteMs} ms (${(r.prometheusRemoteWriteSamplesPerSecond / 1e6).toFixed(2)} M/s)`.padEnd(23)} | ${r.ratio}×`,
  );
}
await writeFile(
  path.join(import.meta.dirname, "results/remote-write.json"),
  `${JSON.stringify({ date: new Date().toISOString(), machine, command: "npm run bench:remote-write", rows }, null, 2)}\n`,
);
