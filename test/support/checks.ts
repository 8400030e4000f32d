import { formatDiagnostic } from "../../lib/checks/diagnostics.js";
import { type CheckSpec, parseCheckFile } from "../../lib/checks/load.js";
import { runChecks } from "../../lib/engine.js";
import type { CheckResult } from "../../lib/result.js";

/**
 * A CheckSpec from a check entry written as in a file, through the real schema and defaults, except
 * that retries default to 0: probe tests look at one attempt; the engine's retry tests ask for more.
 */
export function check(entry: Record<string, unknown>, baseDir = process.cwd()): CheckSpec {
  const parsed = parseCheckFile(
    "test.yml",
    JSON.stringify({ checks: [{ name: "t", retries: 0, ...entry }] }),
    baseDir,
  );
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
  return parsed.checks[0] as CheckSpec;
}

/** Runs one check entry through the engine. */
export async function probe(entry: Record<string, unknown>, baseDir?: string): Promise<CheckResult> {
  const [result] = await runChecks([check(entry, baseDir)]);
  return result as CheckResult;
}
