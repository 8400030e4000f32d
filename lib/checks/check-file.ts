/**
 * One check file's text to its checks, a check at a time: what the file alone can say (YAML, schema,
 * defaults), and what the files together will need (names, dependencies, group objectives).
 */

import { type FileDefaults, specOf } from "./defaults.js";
import { type Dependency, dependenciesOf } from "./dependencies.js";
import type { Diagnostic, Position } from "./diagnostics.js";
import { validatePart } from "./issues.js";
import { type CheckEntry, checkSchema, fileSchema } from "./schema.js";
import { type GroupInFile, groupsIn } from "./slo.js";
import type { CheckSpec } from "./spec.js";
import { type FileYaml, readDocument } from "./yaml-document.js";
import { readInPieces } from "./yaml-pieces.js";
import { type Locate, offsetIn } from "./yaml-position.js";

export interface ParsedFile {
  checks: CheckSpec[];
  diagnostics: Diagnostic[];
  /** Every check's name, valid or not, with its position: for the uniqueness rule across files. */
  names: ({ name: string } & Position)[];
  /** Every `dependsOn` entry with its position, checked against the names of every file. */
  dependencies?: Dependency[];
  /** The file's `slos:`, members not yet found (they may be in any file). */
  groups?: GroupInFile[];
}

/** Parses and validates one file's text. Exported for tests and the fuzzer. */
export function parseCheckFile(file: string, text: string, baseDir: string): ParsedFile {
  const pieces = readInPieces(text);
  const quick = pieces && validateFile(file, pieces, baseDir);
  if (quick) return quick;
  const whole = readDocument(file, text);
  if ("problems" in whole) return { checks: [], diagnostics: whole.problems, names: [] };
  return validateFile(file, whole, baseDir) as ParsedFile;
}

/**
 * The file's checks, each validated as it is read and then let go. Undefined when a check's text
 * could not be read alone: the caller reads the whole file instead.
 */
function validateFile(file: string, yaml: FileYaml, baseDir: string): ParsedFile | undefined {
  const at = (offset: number) => {
    const { line, col } = yaml.linePos(offset);
    return { line, column: col };
  };
  const locateTop: Locate = (path, key) => at(yaml.place(path, key));
  const top = validatePart(fileSchema, { file, prefix: [], data: yaml.top, locate: locateTop });
  const schemaProblems = top.ok ? [] : [...top.diagnostics];
  const defaults: FileDefaults | undefined = top.ok ? (top.value.defaults ?? {}) : undefined;
  const checks: CheckSpec[] = [];
  const specProblems: Diagnostic[] = [];
  const names: ParsedFile["names"] = [];
  const dependencies: Dependency[] = [];
  let index = -1;
  for (const check of yaml.checks) {
    if (!check) return undefined;
    index++;
    const own = index;
    const locate: Locate = (path, key) =>
      check.placed && path[0] === "checks" && path[1] === own
        ? at(offsetIn(check.placed, path.slice(2), key))
        : locateTop(path, key);
    const name = (check.data as { name?: unknown } | null)?.name;
    if (typeof name === "string")
      names.push({ name, file, ...locate(["checks", index, "name"]), path: `checks[${index}].name` });
    // Dependencies as written, whatever else is wrong with the check: an unknown name is reported
    // in the same run as the schema's problems, not once they are fixed.
    const dependsOn = (check.data as { dependsOn?: unknown } | null)?.dependsOn;
    if (
      typeof name === "string" &&
      Array.isArray(dependsOn) &&
      dependsOn.every((on) => typeof on === "string")
    )
      dependencies.push(...dependenciesOf(file, { name, dependsOn } as CheckEntry, index, locate));
    const entry = validatePart(checkSchema, { file, prefix: ["checks", index], data: check.data, locate });
    if (!entry.ok) schemaProblems.push(...entry.diagnostics);
    // Once the file has a schema problem only schema problems are reported: no spec is needed.
    if (!entry.ok || defaults === undefined || schemaProblems.length > 0) continue;
    const built = specOf(entry.value, index, defaults, { file, baseDir, locate });
    checks.push(built.spec);
    specProblems.push(...built.diagnostics);
  }
  if (schemaProblems.length > 0) {
    schemaProblems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { checks: [], diagnostics: schemaProblems, names, dependencies };
  }
  return {
    checks: specProblems.length > 0 ? [] : checks,
    diagnostics: specProblems,
    names,
    dependencies,
    groups: groupsIn(file, top.ok ? top.value.slos : undefined, locateTop),
  };
}
