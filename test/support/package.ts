/**
 * Watchpost as a newcomer gets it: the tarball `npm pack` makes of this checkout, the README's code
 * blocks as written, and fresh folders to install it in (offline, from npm's cache, with the versions
 * this checkout's lock file holds).
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);
export const root = path.join(import.meta.dirname, "../..");
export const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Never copied: installed or built output, and local state (packing rebuilds dist/, which other tests must not see). */
const SKIP = new Set(["node_modules", "dist", "cdk.out", ".git", ".watchpost", "coverage", "node24"]);

/** `npm pack` of a copy of this checkout (its prepare script builds dist/): the tarball's path. */
export async function packCheckout(): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), "watchpost-checkout-"));
  await cp(root, copy, { recursive: true, filter: (source) => !SKIP.has(path.basename(source)) });
  await symlink(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  const packed = await mkdtemp(path.join(tmpdir(), "watchpost-packed-"));
  await run(npm, ["pack", "--pack-destination", packed, "--silent"], {
    cwd: copy,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [tarball] = (await readdir(packed)).filter((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball in ${packed}`);
  return path.join(packed, tarball);
}

/** `name@version` as this checkout has it installed: what npm's cache holds. */
export async function installed(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(root, "node_modules", name, "package.json"), "utf8"));
  return `${name}@${manifest.version as string}`;
}

/** `npm install` from the cache (the registry only for what it lacks), without audit or funding noise. */
export async function npmInstall(cwd: string, args: string[]): Promise<void> {
  await run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...args], {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The environment of a newcomer's shell: no AWS credentials or region, no CDK telemetry. */
export function newcomerEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("CDK_")),
    ),
    CDK_DISABLE_CLI_TELEMETRY: "true",
    // Vitest's own settings must not leak into what a user's shell would run.
    NODE_OPTIONS: "",
  };
}

/** The README's fenced blocks of one language, each with the heading it sits under. */
export async function readmeBlocks(language: string): Promise<{ heading: string; code: string }[]> {
  const text = await readFile(path.join(root, "README.md"), "utf8");
  const blocks: { heading: string; code: string }[] = [];
  let heading = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("## ")) heading = line.slice(3);
    if (line === `\`\`\`${language}`) {
      const end = lines.indexOf("```", i + 1);
      blocks.push({ heading, code: lines.slice(i + 1, end).join("\n") });
      i = end;
    }
  }
  return blocks;
}
