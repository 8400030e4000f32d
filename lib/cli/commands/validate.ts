/** `watchpost validate`: every problem in every check file, or how many checks are valid. */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { type Io, plural } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";

export async function validate(target: string, io: Io): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  io.stdout.write(
    `${plural(loaded.checks.length, "check")} in ${plural(loaded.files.length, "file")}: valid\n`,
  );
  return 0;
}
