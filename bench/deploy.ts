/**
 * Figures behind the deployment's defaults, printed (not asserted):
 * 1. One invocation's duration and peak memory for N checks (the probe function's default memory
 *    and maximum checks per shard), run as an esbuild bundle under plain Node against a loopback
 *    target that answers after 50 ms.
 * 2. Synth time, resource count and template size for 1,000 and 10,000 checks.
 * Run: npm run bench:deploy. Writes bench/results/deploy.json.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { WatchpostStack } from "../lib/infra/stack.js";
import { bundle } from "../test/support/bundle.js";
import { manyChecks } from "../test/support/many-checks.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");

const server = http.createServer((_req, res) => setTimeout(() => res.writeHead(200).end("ok"), 50));
server.on("connection", (socket) => socket.on("error", () => {}));
server.maxConnections = 10_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 2_048, resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
const child = await bundle(path.join(root, "test/support/shard-child.ts"));

const shards = [];
console.log("checks per invocation | wall | peak RSS | all up");
for (const count of [50, 200, 500, 1_000]) {
  const { stdout } = await run(process.execPath, [child, url, String(count)], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  const r = JSON.parse(stdout);
  shards.push(r);
  console.log(
    `${String(count).padStart(21)} | ${String(r.ms).padStart(5)} ms | ${(r.maxRssBytes / 1e6).toFixed(1).padStart(6)} MB | ${r.up === count}`,
  );
}
server.closeAllConnections();
server.close();

const synths = [];
console.log("\nchecks | synth (with cdk-nag, no bundling) | resources | template");
for (const count of [1_000, 10_000]) {
  const checksDir = await manyChecks(count);
  const started = performance.now();
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new WatchpostStack(app, "Watchpost", { checksDir });
  const assembly = app.synth();
  const ms = Math.round(performance.now() - started);
  const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: object };
  const bytes = Buffer.byteLength(JSON.stringify(template));
  const resources = Object.keys(template.Resources).length;
  synths.push({ count, ms, resources, bytes, shards: stack.watchpost.shards.length });
  console.log(
    `${String(count).padStart(6)} | ${String(ms).padStart(6)} ms | ${resources} | ${(bytes / 1000).toFixed(0)} KB`,
  );
}
await writeFile(
  path.join(root, "bench/results/deploy.json"),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, command: "npm run bench:deploy", shards, synths }, null, 2)}\n`,
);
