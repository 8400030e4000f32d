/**
 * Builds the probe function's bundle into dist/function and the ping function's into dist/ping
 * (index.mjs and its source map) with the construct's own options, for the package: a team's CDK app
 * then needs neither esbuild nor Docker to synthesize. Part of `npm run build`, which `prepare` runs
 * (on `npm pack`, and when npm installs Watchpost from its git repository). A checkout's own
 * construct bundles from source and ignores these (lib/infra/package-root.ts).
 */
import path from "node:path";
import { build } from "esbuild";
import { esbuildOptions, PREBUILT_FUNCTION_DIR, PREBUILT_PING_DIR } from "../lib/deploy/bundle.js";

const root = path.join(import.meta.dirname, "..");
for (const [dir, entry] of [
  [PREBUILT_FUNCTION_DIR, "functions/probe/handler.ts"],
  [PREBUILT_PING_DIR, "functions/ping/handler.ts"],
] as const)
  await build(esbuildOptions(path.join(root, entry), path.join(root, dir, "index.mjs")));
