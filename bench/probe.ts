/**
 * Watchpost against prometheus-blackbox-exporter (Debian's 0.23) on the same loopback targets, in
 * one run: N = 100, 1,000 and 5,000 probes of an HTTP and an HTTPS target that answer after 50 ms,
 * 64 at a time for both. For each: wall time, CPU seconds per 1,000 probes, peak memory, and timing
 * accuracy (the measured processing phase against the injected 50 ms: median and p99 error).
 * Run: npm run bench:probe. Writes bench/results/probe.json. Needs prometheus-blackbox-exporter.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Pool } from "undici";
import { bundle } from "../test/support/bundle.js";
import { createTestPki } from "../test/support/certs.js";
import { freePort, peerAvailable, startPeer } from "../test/support/peers.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
const DELAY_MS = 50;
const CONCURRENCY = 64;
const SIZES = (process.env.BENCH_SIZES ?? "100,1000,5000").split(",").map(Number);

if (!peerAvailable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter")) process.exit(1);

const dir = await mkdtemp(path.join(os.tmpdir(), "watchpost-bench-"));
const pki = await createTestPki();
await writeFile(path.join(dir, "ca.pem"), pki.caPem);

// Targets, in their own process.
const targetsScript = await bundle(path.join(root, "test/support/targets-child.ts"));
const targets: ChildProcess = spawn(process.execPath, [targetsScript], {
  env: { ...process.env, DELAY_MS: String(DELAY_MS), TLS_KEY: pki.valid.key, TLS_CERT: pki.valid.cert },
  stdio: ["ignore", "pipe", "inherit"],
});
const ports = await new Promise<{ http: number; https: number }>((resolve) =>
  targets.stdout?.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))),
);
const urls = {
  http: `http://127.0.0.1:${ports.http}/health`,
  https: `https://127.0.0.1:${ports.https}/health`,
};
const prober = await bundle(path.join(root, "test/support/probe-batch-child.ts"));
const ticks = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;

function errors(processingMs: number[]) {
  const sorted = processingMs.map((ms) => Math.abs(ms - DELAY_MS)).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { medianErrorMs: at(0.5), p99ErrorMs: at(0.99) };
}

async function watchpost(scheme: "http" | "https", n: number) {
  const { stdout } = await run(
    process.execPath,
    [prober, urls[scheme], String(n), String(CONCURRENCY), dir],
    { maxBuffer: 1 << 26 },
  );
  const r = JSON.parse(stdout);
  return {
    wallMs: r.wallMs,
    cpuSeconds: r.cpuSeconds,
    peakRssBytes: r.maxRssBytes,
    ok: r.up,
    ...errors(r.processingMs),
  };
}

async function procStats(pid: number) {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return {
    cpuSeconds: (Number(stat[11]) + Number(stat[12])) / ticks,
    peakRssBytes: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024,
  };
}

async function blackbox(scheme: "http" | "https", n: number) {
  // A fresh exporter per measurement, so its peak memory belongs to this run alone.
  await writeFile(
    path.join(dir, "blackbox.yml"),
    `modules:\n  probe:\n    prober: http\n    timeout: 10s\n    http: { preferred_ip_protocol: ip4, tls_config: { ca_file: ${dir}/ca.pem } }\n`,
  );
  const port = await freePort();
  const exporter = await startPeer(
    "prometheus-blackbox-exporter",
    [`--config.file=${dir}/blackbox.yml`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    port,
    "/-/healthy",
  );
  const pid = exporter.process.pid as number;
  const pool = new Pool(exporter.url, { connections: CONCURRENCY });
  const before = await procStats(pid);
  const processing: number[] = [];
  let ok = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const response = await pool.request({
          path: `/probe?module=probe&target=${encodeURIComponent(urls[scheme])}`,
          method: "GET",
          headers: { "x-prometheus-scrape-timeout-seconds": "15" },
        });
        const text = await response.body.text();
        if (/^probe_success 1$/m.test(text)) ok++;
        processing.push(
          Number(/probe_http_duration_seconds\{phase="processing"\} (\S+)/.exec(text)?.[1]) * 1000,
        );
      }
    }),
  );
  const wallMs = performance.now() - started;
  const after = await procStats(pid);
  await pool.close();
  await exporter.stop();
  return {
    wallMs,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
    ok,
    ...errors(processing),
  };
}

const rows = [];
for (const scheme of ["http", "https"] as const) {
  for (const n of SIZES) {
    const ours = await watchpost(scheme, n);
    const theirs = await blackbox(scheme, n);
    rows.push({ scheme, n, watchpost: ours, blackbox: theirs });
  }
}
targets.kill("SIGTERM");

const fmt = (v: number, digits = 0) => v.toFixed(digits);
console.log(
  `Watchpost vs prometheus-blackbox-exporter 0.23, ${CONCURRENCY} probes in flight, targets answering after ${DELAY_MS} ms (${os.cpus().length} cores, Node ${process.version})\n`,
);
console.log(
  "target | N    | wall ms (W / B / ratio)   | CPU s per 1k probes (W / B / ratio) | peak MB (W / B) | processing error ms, median / p99 (W | B) | ok (W / B)",
);
for (const r of rows) {
  const w = r.watchpost;
  const b = r.blackbox;
  const cpuW = (w.cpuSeconds / r.n) * 1000;
  const cpuB = (b.cpuSeconds / r.n) * 1000;
  console.log(
    `${r.scheme.padEnd(6)} | ${String(r.n).padEnd(4)} | ${fmt(w.wallMs)} / ${fmt(b.wallMs)} / ${(b.wallMs / w.wallMs).toFixed(2)}x | ${fmt(cpuW, 2)} / ${fmt(cpuB, 2)} / ${(cpuB / cpuW).toFixed(2)}x | ${fmt(w.peakRssBytes / 1e6)} / ${fmt(b.peakRssBytes / 1e6)} | ${fmt(w.medianErrorMs, 2)} / ${fmt(w.p99ErrorMs, 2)} | ${fmt(b.medianErrorMs, 2)} / ${fmt(b.p99ErrorMs, 2)} | ${w.ok} / ${b.ok}`,
  );
}
await writeFile(
  path.join(root, "bench/results/probe.json"),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, delayMs: DELAY_MS, concurrency: CONCURRENCY, command: "npm run bench:probe", rows }, null, 2)}\n`,
);
