/**
 * Builds the probe function's bundle into dist/function and the ping function's into dist/ping
 * (index.mjs and its source map) with the
 * construct's own options, for the published package: a team's CDK app then needs neither esbuild
 * nor Docker to synthesize. Run by `npm pack` (prepack); `postpack` removes it again.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { esbuildOptions, PREBUILT_FUNCTION_DIR, PREBUILT_PING_DIR } from "../lib/deploy/bundle.js";

const root = path.join(import.meta.dirname, "..");
for (const [dir, entry] of [
  [PREBUILT_FUNCTION_DIR, "functions/probe/handler.ts"],
  [PREBUILT_PING_DIR, "functions/ping/handler.ts"],
] as const) {
  const out = path.join(root, dir);
  if (process.argv.includes("--clean")) await rm(out, { recursive: true, force: true });
  else await build(esbuildOptions(path.join(root, entry), path.join(out, "index.mjs")));
}
