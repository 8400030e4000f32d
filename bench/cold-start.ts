/**
 * The probe function's cold start as far as it can be measured here: the size of its bundle (built
 * as the construct builds it: esbuild, ESM, minified, Node 24 target) and how long Node takes to load
 * it, from process start and as a module import, and what the first run adds by loading the one AWS
 * client every run needs (DynamoDB; the SDK comes from the runtime, loaded on first use). Median of 15
 * fresh processes.
 * Run: npm run bench:cold-start. Writes bench/results/cold-start.json.
 */
import { execFile } from "node:child_process";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { esbuildOptions } from "../lib/deploy/bundle.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
// Inside the checkout, so the SDK the bundle leaves out resolves from node_modules as it resolves from
// the runtime's in Lambda.
const out = path.join(root, "node_modules", ".cache", "watchpost-cold-start");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const outfile = path.join(out, "index.mjs");
// The construct's own options (lib/deploy/bundle.ts), so the figure is the deployed bundle's.
await build({ ...esbuildOptions(path.join(root, "functions/probe/handler.ts"), outfile), sourcemap: false });
const bytes = (await stat(outfile)).size;
await writeFile(path.join(out, "checks.json"), JSON.stringify({ format: 1, shards: {} }));

const probe = `const t0 = performance.now(); await import(${JSON.stringify(outfile)}); const t1 = performance.now();
const rssBytes = process.memoryUsage().rss;
const { createRequire } = await import("node:module");
const sdk = createRequire(${JSON.stringify(outfile)}).resolve("@aws-sdk/client-dynamodb");
const { DynamoDBClient } = await import(sdk); new DynamoDBClient({ region: "eu-west-1" });
process.stdout.write(JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1, rssBytes, firstClientMs: performance.now() - t1 }));`;
const samples: { importMs: number; sinceStartMs: number; rssBytes: number; firstClientMs: number }[] = [];
for (let i = 0; i < 15; i++) {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe]);
  samples.push(JSON.parse(stdout));
}
const median = (key: "importMs" | "sinceStartMs" | "rssBytes" | "firstClientMs") =>
  samples.map((s) => s[key]).sort((a, b) => a - b)[7] as number;
const result = {
  bundleBytes: bytes,
  importMs: Number(median("importMs").toFixed(1)),
  processStartToReadyMs: Number(median("sinceStartMs").toFixed(1)),
  rssAfterImportBytes: median("rssBytes"),
  firstDynamoDbClientMs: Number(median("firstClientMs").toFixed(1)),
};
console.log(
  `probe function bundle: ${(bytes / 1024).toFixed(0)} KiB minified (${os.cpus().length} cores, Node ${process.version})`,
);
console.log(
  `module import: ${result.importMs} ms median; process start to ready: ${result.processStartToReadyMs} ms; RSS after import: ${(result.rssAfterImportBytes / 1e6).toFixed(1)} MB`,
);
console.log(
  `the first run's DynamoDB client (SDK from node_modules, as from the runtime): ${result.firstDynamoDbClientMs} ms`,
);
await writeFile(
  path.join(root, "bench/results/cold-start.json"),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, command: "npm run bench:cold-start", ...result }, null, 2)}\n`,
);
