/**
 * Figures for the engine's two promises, printed (not asserted):
 * 1. 24 HTTP checks with 2 s timeouts, 6 of them hanging, finish in about one timeout, not the sum.
 * 2. Probing an endpoint that streams 512 MiB keeps the probing process under 256 MB peak memory.
 *    The probing process runs an esbuild bundle under plain Node, as Lambda will.
 * Run: npm run bench:engine. Loopback only.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { runChecks } from "../lib/engine.js";
import { bundle } from "../test/support/bundle.js";
import { check } from "../test/support/checks.js";
import { routes } from "../test/support/servers.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
const MiB = 1_048_576;

const server = http.createServer(routes);
server.on("connection", (socket) => socket.on("error", () => {}));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const specs = Array.from({ length: 24 }, (_, i) =>
  check({
    name: `c${i}`,
    timeout: "2s",
    http: { url: `${base}${i % 4 === 0 ? "/hang" : "/slow-headers?ms=50"}` },
  }),
);
const started = performance.now();
const results = await runChecks(specs);
const wall = performance.now() - started;
const hanging = results.filter((r) => r.reason.startsWith("timed out")).length;
console.log(
  `batch: ${specs.length} checks (${hanging} hanging, 2s timeout): ${(wall / 1000).toFixed(2)} s wall; sequential would be ≥ ${hanging * 2} s`,
);

const child = await bundle(path.join(root, "test/support/probe-child.ts"));
console.log("\nbody size | status | peak RSS of the probing process | wall");
for (const size of [1, 64, 512]) {
  const entry = {
    name: "big",
    timeout: "60s",
    http: { url: `${base}/stream?bytes=${size * MiB}`, maxBodySize: "1GiB" },
  };
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, [child, JSON.stringify(entry)], { cwd: root });
  const { result, maxRssBytes } = JSON.parse(stdout);
  console.log(
    `${String(size).padStart(5)} MiB | ${result.status.padEnd(6)} | ${(maxRssBytes / 1e6).toFixed(1).padStart(6)} MB | ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
}
server.closeAllConnections();
server.close();
