/**
 * `watchpost validate`: every problem in every check file, and the rules `cdk synth` applies on top
 * (whole-minute intervals, a run that fits its interval), in the same positioned lines synth prints.
 * Deploy rules are warnings unless `--deploy` asks for them to count.
 */
import path from "node:path";
import { type Diagnostic, formatDiagnostic } from "../../checks/diagnostics.js";
import { loadChecks } from "../../checks/load.js";
import { checkDeployProblems } from "../../deploy/compile.js";
import { command } from "../command.js";
import { type Io, plural } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { shared } from "../options.js";

export const validateCommand = command({
  name: "validate",
  summary: "Check the check files (and the rules cdk synth applies) and report every problem",
  usage: "watchpost validate [options]",
  options: {
    checks: shared.checks,
    json: shared.json,
    deploy: { type: "boolean", help: "Treat deploy rules as errors (exit 2), as cdk synth does" },
  },
  examples: ["watchpost validate", "watchpost validate --checks checks --deploy --json"],
  exits: ["2: a problem in a check file (or, with --deploy, one synth would refuse)"],
  run: ({ values }, io) => validate(values.checks, { json: values.json, deploy: values.deploy }, io),
});

export interface ValidateOptions {
  json: boolean;
  /** Deploy rules are errors (exit 2), as for `cdk synth`. */
  deploy: boolean;
}

export async function validate(target: string, options: ValidateOptions, io: Io): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  const errors = loaded.diagnostics;
  const deployOnly = errors.length === 0 ? checkDeployProblems(loaded.checks) : [];
  const failed = errors.length > 0 || (options.deploy && deployOnly.length > 0);
  if (options.json) {
    const problem = (severity: "error" | "warning") => (d: Diagnostic) => ({
      ...d,
      severity,
      text: formatDiagnostic(d),
    });
    io.stdout.write(
      `${JSON.stringify(
        {
          valid: !failed,
          checks: errors.length > 0 ? 0 : loaded.checks.length,
          files: loaded.files.length,
          problems: [
            ...errors.map(problem("error")),
            ...deployOnly.map(problem(options.deploy ? "error" : "warning")),
          ],
        },
        null,
        2,
      )}\n`,
    );
    return failed ? 2 : 0;
  }
  if (errors.length > 0) {
    reportDiagnostics(errors, io);
    return 2;
  }
  if (deployOnly.length > 0) {
    for (const d of deployOnly) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(
      `${plural(deployOnly.length, "problem")} for deploying: cdk synth refuses ${deployOnly.length === 1 ? "it" : "them"}${
        options.deploy ? "" : "; watchpost run accepts them (--deploy makes validate refuse them too)"
      }\n`,
    );
    if (options.deploy) return 2;
  }
  io.stdout.write(
    `${plural(loaded.checks.length, "check")} in ${plural(loaded.files.length, "file")}: valid${deployOnly.length > 0 ? " to run locally, not to deploy" : ""}\n`,
  );
  return 0;
}
