/** Where the functions' code comes from: a checkout's source, or a published package's prebuilt bundles. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PREBUILT_FUNCTION_DIR } from "../deploy/bundle.js";

/**
 * The repository (or installed package) root: where the function's source (a checkout) or its
 * prebuilt bundle (a published package) lives.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  const here = (d: string) =>
    existsSync(path.join(d, "functions", "probe", "handler.ts")) ||
    existsSync(path.join(d, PREBUILT_FUNCTION_DIR, "index.mjs"));
  while (!here(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the probe function (source or prebuilt) above lib/infra");
    dir = parent;
  }
  return dir;
}
