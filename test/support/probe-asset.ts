/**
 * The probe function as Lambda runs it: the asset `cdk synth` writes for a folder of checks (the
 * prebuilt bundle and the compiled checks, with the SDK the runtime provides beside it), invoked in a
 * fresh process per run as Lambda would make the call.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { WatchpostStack } from "../../lib/infra/stack.js";
import type { ShardSummary } from "../../lib/runtime/shard.js";
import { provideRuntimeSdk } from "./lambda-runtime.js";

const invoker = path.join(import.meta.dirname, "invoke-asset.mjs");

/**
 * The probe function's asset folder for the checks in `checksDir`. `environment` declares the
 * variables the checks read, as a deployment must; each invocation sets their values.
 */
export async function synthProbeAsset(
  checksDir: string,
  environment: Record<string, string>,
): Promise<string> {
  const app = new App({ outdir: await mkdtemp(path.join(tmpdir(), "watchpost-asset-out-")) });
  new WatchpostStack(app, "Watchpost", { checksDir, environment });
  const assembly = app.synth();
  const dirs = readdirSync(assembly.directory).filter((d) => d.startsWith("asset."));
  const probe = dirs.find((d) => readdirSync(path.join(assembly.directory, d)).includes("checks.json"));
  if (!probe) throw new Error(`no probe function asset in ${assembly.directory}`);
  await provideRuntimeSdk(assembly.directory);
  return path.join(assembly.directory, probe);
}

export interface AssetRun {
  ok: boolean;
  summary: ShardSummary;
  error?: string;
  startedAt: number;
  elapsedMs: number;
  /** The structured log lines, from both streams (the logger writes warnings and errors to stderr). */
  logs: Record<string, unknown>[];
}

/** One invocation of the asset for `event` (a shard such as `1m-0`) with `remainingMs` of Lambda's time. */
export function invokeAsset(
  assetDir: string,
  env: NodeJS.ProcessEnv,
  event = "1m-0",
  remainingMs = 30_000,
): Promise<AssetRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [invoker, assetDir, event, String(remainingMs)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", () => {
      const lines = out.split("\n").filter(Boolean);
      const result = lines.find((line) => line.startsWith("RESULT "));
      if (!result) return reject(new Error(`no result from the asset:\n${out}\n${err}`));
      const logs = [...lines, ...err.split("\n")]
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ ...(JSON.parse(result.slice(7)) as Omit<AssetRun, "logs">), logs });
    });
  });
}
