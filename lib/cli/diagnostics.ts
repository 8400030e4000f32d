import { type Diagnostic, formatDiagnostic } from "../checks/diagnostics.js";
import type { Io } from "./context.js";
import { plural } from "./context.js";

/** Every problem, one a line, then how many in how many files. */
export function reportDiagnostics(diagnostics: Diagnostic[], io: Io): void {
  for (const diagnostic of diagnostics) io.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  const files = new Set(diagnostics.map((d) => d.file)).size;
  io.stderr.write(`${plural(diagnostics.length, "problem")} in ${plural(files, "file")}\n`);
}
