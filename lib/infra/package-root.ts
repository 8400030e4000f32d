/** Where the functions' code comes from: a checkout's source, or a published package's prebuilt bundles. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PREBUILT_FUNCTION_DIR, PREBUILT_PING_DIR } from "../deploy/bundle.js";

/** The two functions Watchpost deploys, each with its source entry and its prebuilt folder. */
const FUNCTIONS = {
  probe: { entry: "functions/probe/handler.ts", prebuilt: PREBUILT_FUNCTION_DIR },
  ping: { entry: "functions/ping/handler.ts", prebuilt: PREBUILT_PING_DIR },
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

/**
 * A function's code: its TypeScript entry inside a checkout (bundled at synth, so an edit is
 * deployed as written, even when a `dist/` built earlier lies beside it), or the bundle a package
 * carries (`npm pack` and `prepare` build it), which needs neither esbuild nor Docker.
 */
export type FunctionCode =
  | { from: "source"; root: string; entry: string }
  | { from: "prebuilt"; dir: string };

export function functionCode(name: FunctionName): FunctionCode {
  const root = packageRoot();
  const { entry, prebuilt } = FUNCTIONS[name];
  if (existsSync(path.join(root, entry))) return { from: "source", root, entry: path.join(root, entry) };
  const dir = path.join(root, prebuilt);
  if (existsSync(path.join(dir, "index.mjs"))) return { from: "prebuilt", dir };
  throw new Error(
    `the ${name} function is neither in source (${entry}) nor prebuilt (${prebuilt}/index.mjs) under ${root}: a package installed from git builds it in its prepare script; reinstall it with scripts allowed`,
  );
}

/** The repository (or installed package) root: the nearest folder above this file holding a function. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  const here = (d: string) =>
    Object.values(FUNCTIONS).some(
      (f) => existsSync(path.join(d, f.entry)) || existsSync(path.join(d, f.prebuilt, "index.mjs")),
    );
  while (!here(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find Watchpost's functions (source or prebuilt) above lib/infra");
    dir = parent;
  }
  return dir;
}
