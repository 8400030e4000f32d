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
  // ESM output still meets CommonJS dependencies that call require().
  banner:
    "import { createRequire as __wpRequire } from 'node:module'; const require = __wpRequire(import.meta.url);",
} as const;

/** Where a package keeps its prebuilt function, relative to the package root. */
export const PREBUILT_FUNCTION_DIR = "dist/function";

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
    banner: { js: FUNCTION_BUNDLE.banner },
    outfile,
    logLevel: "error" as const,
  };
}
