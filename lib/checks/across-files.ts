/**
 * The rules the files must pass together, over what each file said about itself: names unique across
 * files, dependencies that name a check and close no cycle, group objectives with members. It runs
 * on every load, whatever else is wrong, so one run reports every problem it can.
 */

import type { ParsedFile } from "./check-file.js";
import { dependencyProblems } from "./dependencies.js";
import type { Diagnostic } from "./diagnostics.js";
import { sloGroupsOf } from "./slo.js";
import type { SloGroup } from "./spec.js";

export function acrossFiles(files: readonly ParsedFile[]): {
  diagnostics: Diagnostic[];
  sloGroups: SloGroup[];
} {
  const names = files.flatMap((file) => file.names);
  const groups = sloGroupsOf(
    files.map((file) => file.groups ?? []),
    files.flatMap((file) => file.checks),
  );
  return {
    diagnostics: [
      ...duplicateNames(names),
      ...dependencyProblems(
        [...new Set(names.map((entry) => entry.name))],
        files.flatMap((file) => file.dependencies ?? []),
      ),
      ...groups.diagnostics,
    ],
    sloGroups: groups.groups,
  };
}

function duplicateNames(names: ParsedFile["names"]): Diagnostic[] {
  const first = new Map<string, ParsedFile["names"][number]>();
  const diagnostics: Diagnostic[] = [];
  for (const entry of names) {
    const earlier = first.get(entry.name);
    if (!earlier) {
      first.set(entry.name, entry);
      continue;
    }
    diagnostics.push({
      ...entry,
      message: `expected a name unique across all check files, found "${entry.name}", already used at ${earlier.file}:${earlier.line}:${earlier.column}`,
    });
  }
  return diagnostics;
}
