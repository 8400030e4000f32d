/**
 * Reads check files into CheckSpecs. Never throws on user input: every problem in every file comes
 * back as a positioned Diagnostic, so one run shows them all. Three stages, in order: each file on
 * its own (lib/checks/check-file.ts), the files together (across-files.ts), and, when nothing is
 * wrong, the dependency links between checks.
 */
import path from "node:path";
import { acrossFiles } from "./across-files.js";
import { type ParsedFile, parseCheckFile } from "./check-file.js";
import { linkDependencies } from "./dependencies.js";
import type { Diagnostic } from "./diagnostics.js";
import { findCheckFiles, readCheckFile } from "./files.js";
import type { LoadResult } from "./spec.js";

export { parseCheckFile } from "./check-file.js";
export type { AlertPolicy, CheckSpec, DependencyRef, LoadResult, Slo, SloGroup } from "./spec.js";
export { DEFAULTS } from "./spec.js";

/**
 * Loads `target` (a folder or one file); `display` turns absolute paths into what messages show.
 * Synchronous, because a CDK construct loads checks in its constructor.
 */
export function loadChecksSync(
  target: string,
  display: (file: string) => string = relativeToCwd,
): LoadResult {
  let files: string[];
  try {
    files = findCheckFiles(target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const found =
      code === "ENOENT" ? "it does not exist" : `it cannot be read (${code ?? (error as Error).message})`;
    return {
      checks: [],
      files: [],
      diagnostics: [at(display(target), `expected a folder of check files, but ${found}`)],
    };
  }
  if (files.length === 0) {
    return {
      checks: [],
      files,
      diagnostics: [at(display(target), "expected at least one check file (*.yml or *.yaml), found none")],
    };
  }
  const results = files.map((file): ParsedFile => {
    const read = readCheckFile(file);
    if ("problem" in read)
      return {
        checks: [],
        diagnostics: [at(display(file), read.problem, read.line, read.column)],
        names: [],
      };
    return parseCheckFile(display(file), read.text, path.resolve(path.dirname(file)));
  });
  const together = acrossFiles(results);
  const diagnostics = [...results.flatMap((result) => result.diagnostics), ...together.diagnostics];
  if (diagnostics.length > 0) return { checks: [], diagnostics, files };
  return {
    checks: linkDependencies(results.flatMap((result) => result.checks)),
    diagnostics,
    files,
    ...(together.sloGroups.length > 0 ? { sloGroups: together.sloGroups } : {}),
  };
}

export async function loadChecks(target: string, display?: (file: string) => string): Promise<LoadResult> {
  return loadChecksSync(target, display);
}

function relativeToCwd(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative || ".";
}

function at(file: string, message: string, line = 1, column = 1): Diagnostic {
  return { file, line, column, path: "", message };
}
