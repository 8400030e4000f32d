/**
 * Probes one URL N times through Watchpost's engine at a given concurrency, and prints wall time,
 * CPU time, peak memory and each probe's processing phase: the Watchpost half of bench/probe.ts.
 */
import { runChecks } from "../../lib/engine.js";
import { check } from "./checks.js";

const [url, count, concurrency, caDir] = [
  process.argv[2] as string,
  Number(process.argv[3]),
  Number(process.argv[4]),
  process.argv[5],
];
const specs = Array.from({ length: count }, (_, i) =>
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
