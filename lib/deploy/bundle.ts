/**
 * How the probe function is bundled, in one place: the construct's NodejsFunction (in this
 * repository), the prebuilt bundle a published package carries (`npm pack` builds it), and the
 * cold-start benchmark all use these options, so what is measured and shipped is what runs.
 */

/** esbuild options (as NodejsFunction's bundling props name them). */
export const FUNCTION_BUNDLE = {
  format: "esm",
  target: "node24",
  minify: true,
  sourceMap: true,
  mainFields: ["module", "main"],
  // The AWS SDK v3 comes with the nodejs24.x runtime (as NodejsFunction assumes by default): taken
  // from there it costs the asset nothing, and each client is loaded when first used
  // (lib/aws/lazy-client.ts), so a start-up loads none. See bench/README.md, "cold start".
  external: ["@aws-sdk/*"],
  // ESM output still meets CommonJS dependencies that call require().
  banner:
    "import { createRequire as __wpRequire } from 'node:module'; const require = __wpRequire(import.meta.url);",
} as const;

/** Where a package keeps its prebuilt function, relative to the package root. */
export const PREBUILT_FUNCTION_DIR = "dist/function";
/** Where a package keeps its prebuilt ping function (heartbeat pings), relative to the package root. */
export const PREBUILT_PING_DIR = "dist/ping";

/** The options for esbuild's own API (the package's prebuilt bundle, the cold-start benchmark). */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node" as const,
    format: FUNCTION_BUNDLE.format,
    target: FUNCTION_BUNDLE.target,
    minify: FUNCTION_BUNDLE.minify,
    sourcemap: FUNCTION_BUNDLE.sourceMap,
    mainFields: [...FUNCTION_BUNDLE.mainFields],
    external: [...FUNCTION_BUNDLE.external],
    banner: { js: FUNCTION_BUNDLE.banner },
    outfile,
    logLevel: "error" as const,
  };
}
