/**
 * Builds the probe function's bundle into dist/function (index.mjs and its source map) with the
 * construct's own options, for the published package: a team's CDK app then needs neither esbuild
 * nor Docker to synthesize. Run by `npm pack` (prepack); `postpack` removes it again.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { esbuildOptions, PREBUILT_FUNCTION_DIR } from "../lib/deploy/bundle.js";

const root = path.join(import.meta.dirname, "..");
const out = path.join(root, PREBUILT_FUNCTION_DIR);
if (process.argv.includes("--clean")) {
  await rm(out, { recursive: true, force: true });
} else {
  await build(esbuildOptions(path.join(root, "functions/probe/handler.ts"), path.join(out, "index.mjs")));
}
