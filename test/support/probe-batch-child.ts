/**
 * Probes N URLs through Watchpost's engine at a given concurrency, and prints wall time, CPU time,
 * peak memory and each probe's processing phase: the engine half of bench/probe.ts. The URLs are
 * one per line in a file (argument 2).
 */
import { readFileSync } from "node:fs";
import { runChecks } from "../../lib/engine.js";
import { check } from "./checks.js";

const [urlFile, concurrency, caDir] = [process.argv[2] as string, Number(process.argv[3]), process.argv[4]];
const urls = readFileSync(urlFile, "utf8").split("\n").filter(Boolean);
const specs = urls.map((url, i) =>
  check(
    { name: `p${i}`, timeout: "10s", http: { url, ...(url.startsWith("https") ? { ca: "ca.pem" } : {}) } },
    caDir,
  ),
);
const cpu = process.cpuUsage();
const started = performance.now();
const results = await runChecks(specs, { concurrency });
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(
  JSON.stringify({
    wallMs,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    up: results.filter((r) => r.status === "up").length,
    processingMs: results.map((r) => r.phases?.processing ?? Number.NaN),
  }),
);
