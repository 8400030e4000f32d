/**
 * Watchpost against prometheus-blackbox-exporter (Debian's 0.23) on the same loopback targets, in
 * one run. For HTTP and HTTPS, 100, 1,000 and 5,000 probes, 64 and 200 in flight, targets answering
 * after 50 ms or after a mix of 10 to 500 ms: wall time, CPU seconds per 1,000 probes, peak memory,
 * and timing accuracy (each probe's processing phase against the delay its target injected: median
 * and p99 of the error). Watchpost is measured twice: its engine alone, and as a user runs it
 * (`watchpost run --json` on a folder of checks, state file and output included, the CLI bundled as
 * the package ships it). Ratios are blackbox ÷ Watchpost: above 1, Watchpost is faster or leaner.
 *
 * Run: npm run bench:probe. Narrow it with BENCH_SIZES=1000 BENCH_CONCURRENCY=64 BENCH_DELAYS=50
 * BENCH_SCHEMES=https. Writes bench/results/probe.json. Needs prometheus-blackbox-exporter.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { HttpClient } from "../lib/http/client.js";
import { bundle } from "../test/support/bundle.js";
import { createTestPki } from "../test/support/certs.js";
import { peerAvailable, startBlackbox } from "../test/support/peers.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",");
const SIZES = list("BENCH_SIZES", "100,1000,5000").map(Number);
const CONCURRENCIES = list("BENCH_CONCURRENCY", "64,200").map(Number);
const DELAYS = list("BENCH_DELAYS", "50,mix") as ("50" | "mix")[];
const SCHEMES = list("BENCH_SCHEMES", "http,https") as ("http" | "https")[];

if (!peerAvailable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter")) process.exit(1);

const dir = await mkdtemp(path.join(os.tmpdir(), "watchpost-bench-"));
const pki = await createTestPki();
await writeFile(path.join(dir, "ca.pem"), pki.caPem);

// Targets, in their own process.
const targetsScript = await bundle(path.join(root, "test/support/targets-child.ts"));
const targets: ChildProcess = spawn(process.execPath, [targetsScript], {
  env: { ...process.env, DELAY_MS: "50", TLS_KEY: pki.valid.key, TLS_CERT: pki.valid.cert },
  stdio: ["ignore", "pipe", "inherit"],
});
const ports = await new Promise<{ http: number; https: number }>((resolve) =>
  targets.stdout?.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))),
);
const engine = await bundle(path.join(root, "test/support/probe-batch-child.ts"));
const cli = await bundle(path.join(root, "bin/watchpost.ts"));
// Prints the process's CPU time and peak memory as it exits: `watchpost run` measured whole.
const usage = path.join(dir, "usage.cjs");
await writeFile(
  usage,
  `process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("USAGE " + JSON.stringify({ cpuSeconds: (u.user + u.system) / 1e6, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\\n"); });\n`,
);
const ticks = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;

/** Each probe's delay: 50 ms, or spread over 10 to 500 ms, the same for every tool. */
const delayOf = (delay: "50" | "mix", i: number) => (delay === "50" ? 50 : 10 + ((i * 7_919) % 491));
const targetsFor = (scheme: "http" | "https", delay: "50" | "mix", n: number) =>
  Array.from({ length: n }, (_, i) => ({
    url: `${scheme}://127.0.0.1:${ports[scheme]}/health?delay=${delayOf(delay, i)}`,
    delayMs: delayOf(delay, i),
  }));

function errors(processingMs: number[], delays: number[]) {
  const sorted = processingMs.map((ms, i) => Math.abs(ms - (delays[i] as number))).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { medianErrorMs: at(0.5), p99ErrorMs: at(0.99) };
}

interface Measured {
  wallMs: number;
  cpuSeconds: number;
  peakRssBytes: number;
  ok: number;
  medianErrorMs: number;
  p99ErrorMs: number;
}

async function watchpostEngine(
  list: { url: string; delayMs: number }[],
  concurrency: number,
): Promise<Measured> {
  const urlFile = path.join(dir, "urls.txt");
  await writeFile(urlFile, list.map((t) => t.url).join("\n"));
  const { stdout } = await run(process.execPath, [engine, urlFile, String(concurrency), dir], {
    maxBuffer: 1 << 26,
  });
  const r = JSON.parse(stdout);
  return {
    wallMs: r.wallMs,
    cpuSeconds: r.cpuSeconds,
    peakRssBytes: r.maxRssBytes,
    ok: r.up,
    ...errors(
      r.processingMs,
      list.map((t) => t.delayMs),
    ),
  };
}

/** `watchpost run --json` as a user runs it: the whole process, loading checks and writing state. */
async function watchpostRun(
  list: { url: string; delayMs: number }[],
  concurrency: number,
): Promise<Measured> {
  const checks = path.join(dir, "checks");
  await rm(checks, { recursive: true, force: true });
  await run("mkdir", ["-p", checks]);
  await writeFile(path.join(checks, "ca.pem"), pki.caPem);
  const lines = list.map(
    (t, i) =>
      `  - { name: p${i}, timeout: 10s, http: { url: "${t.url}"${t.url.startsWith("https") ? ", ca: ca.pem" : ""} } }`,
  );
  await writeFile(path.join(checks, "bench.yml"), `checks:\n${lines.join("\n")}\n`);
  const state = path.join(dir, "state.json");
  await rm(state, { force: true });
  const started = performance.now();
  const child = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--require",
        usage,
        cli,
        "run",
        "--checks",
        checks,
        "--json",
        "--concurrency",
        String(concurrency),
        "--state",
        state,
      ],
      { maxBuffer: 1 << 28 },
      (error, stdout, stderr) => {
        // Exit 1 (a check down) still prints its results.
        if (error && (error as { code?: unknown }).code !== 1) reject(error);
        else resolve({ stdout, stderr });
      },
    );
  });
  const wallMs = performance.now() - started;
  const measured = JSON.parse(/USAGE (.*)/.exec(child.stderr)?.[1] ?? "{}");
  const results = JSON.parse(child.stdout) as {
    name: string;
    status: string;
    phases?: { processing?: number };
  }[];
  const byName = new Map(results.map((r) => [r.name, r]));
  return {
    wallMs,
    cpuSeconds: measured.cpuSeconds,
    peakRssBytes: measured.maxRssBytes,
    ok: results.filter((r) => r.status === "up").length,
    ...errors(
      list.map((_, i) => byName.get(`p${i}`)?.phases?.processing ?? Number.NaN),
      list.map((t) => t.delayMs),
    ),
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

async function blackbox(list: { url: string; delayMs: number }[], concurrency: number): Promise<Measured> {
  // A fresh exporter per measurement, so its peak memory belongs to this run alone.
  await writeFile(
    path.join(dir, "blackbox.yml"),
    `modules:\n  probe:\n    prober: http\n    timeout: 10s\n    http: { preferred_ip_protocol: ip4, tls_config: { ca_file: ${dir}/ca.pem } }\n`,
  );
  const exporter = await startBlackbox(`${dir}/blackbox.yml`, ["--log.level=warn"]);
  const pid = exporter.process.pid as number;
  const client = new HttpClient({ connections: concurrency, maxAnswerBytes: 1_048_576 });
  const before = await procStats(pid);
  const processing: number[] = new Array(list.length);
  let ok = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const index = next++;
        const answer = await client.request({
          url: new URL(
            `/probe?module=probe&target=${encodeURIComponent(list[index]?.url as string)}`,
            exporter.url,
          ),
          method: "GET",
          headers: { "x-prometheus-scrape-timeout-seconds": "15" },
          signal: AbortSignal.timeout(30_000),
        });
        const text = answer.body.toString("utf8");
        if (/^probe_success 1$/m.test(text)) ok++;
        processing[index] =
          Number(/probe_http_duration_seconds\{phase="processing"\} (\S+)/.exec(text)?.[1]) * 1000;
      }
    }),
  );
  const wallMs = performance.now() - started;
  const after = await procStats(pid);
  client.close();
  await exporter.stop();
  return {
    wallMs,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
    ok,
    ...errors(
      processing,
      list.map((t) => t.delayMs),
    ),
  };
}

const rows = [];
for (const scheme of SCHEMES)
  for (const delay of DELAYS)
    for (const concurrency of CONCURRENCIES)
      for (const n of SIZES) {
        const list = targetsFor(scheme, delay, n);
        const engineRun = await watchpostEngine(list, concurrency);
        const userRun = await watchpostRun(list, concurrency);
        const theirs = await blackbox(list, concurrency);
        rows.push({ scheme, delay, concurrency, n, engine: engineRun, run: userRun, blackbox: theirs });
      }
targets.kill("SIGTERM");

const f = (v: number, digits = 0) => v.toFixed(digits);
const perK = (m: Measured, n: number) => (m.cpuSeconds / n) * 1000;
console.log(
  `Watchpost (engine E, watchpost run R) vs prometheus-blackbox-exporter 0.23 (B), loopback targets (${os.cpus().length} cores, Node ${process.version}); ratios B ÷ W\n`,
);
console.log(
  "target | delay | in flight | N | CPU s per 1k: E / R / B (B÷E, B÷R) | processing error ms p50 / p99: E ; R ; B | wall ms: E / R / B | peak MB: E / R / B | ok: E / R / B",
);
for (const r of rows) {
  const [e, u, b] = [r.engine, r.run, r.blackbox];
  console.log(
    `${r.scheme} | ${r.delay === "50" ? "50 ms" : "10-500 ms"} | ${r.concurrency} | ${r.n} | ${f(perK(e, r.n), 2)} / ${f(perK(u, r.n), 2)} / ${f(perK(b, r.n), 2)} (${f(perK(b, r.n) / perK(e, r.n), 2)}, ${f(perK(b, r.n) / perK(u, r.n), 2)}) | ${f(e.medianErrorMs, 1)} / ${f(e.p99ErrorMs, 1)} ; ${f(u.medianErrorMs, 1)} / ${f(u.p99ErrorMs, 1)} ; ${f(b.medianErrorMs, 1)} / ${f(b.p99ErrorMs, 1)} | ${f(e.wallMs)} / ${f(u.wallMs)} / ${f(b.wallMs)} | ${f(e.peakRssBytes / 1e6)} / ${f(u.peakRssBytes / 1e6)} / ${f(b.peakRssBytes / 1e6)} | ${e.ok} / ${u.ok} / ${b.ok}`,
  );
}
await writeFile(
  path.join(root, "bench/results/probe.json"),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, command: "npm run bench:probe", rows }, null, 2)}\n`,
);
