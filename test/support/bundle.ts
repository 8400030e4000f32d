/**
 * Bundles a script with esbuild, as the Lambda function will be bundled, so a child process can run
 * it under plain Node: memory figures then show the probe, not a TypeScript loader.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";

export async function bundle(entry: string): Promise<string> {
  const outfile = path.join(
    await mkdtemp(path.join(tmpdir(), "watchpost-bundle-")),
    `${path.basename(entry, ".ts")}.mjs`,
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "error",
    // Some dependencies still call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
}
