/**
 * What the construct refuses, as errors a CDK app can tell from its own. Each message is the whole
 * story (positioned lines a team fixes in its own files), so it is printed without a stack trace,
 * which would point into Watchpost and bury the lines: a synth that fails shows the block alone.
 * `WATCHPOST_DEBUG=1` keeps the stack, for a bug report (as `--debug` does for the CLI).
 */
abstract class WatchpostError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    if (!process.env.WATCHPOST_DEBUG) this.stack = `${this.name}: ${message}`;
  }
}

/** Problems in the check files or the channels, found at synth time: the lines `watchpost validate` prints. */
export class WatchpostChecksError extends WatchpostError {
  /** Each problem, `file:line:column: where: expected …, found …`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], where: string) {
    super(
      "WatchpostChecksError",
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${where}:\n${problems.join("\n")}`,
    );
    this.problems = problems;
  }
}

/** A construct setting that cannot work (locations that do not include this stack's region …). */
export class WatchpostConfigError extends WatchpostError {
  constructor(message: string) {
    super("WatchpostConfigError", message);
  }
}

/** Refuses the synth when the check files or channels have problems: all of them, in one message. */
export function refuseCheckProblems(problems: {
  checks: readonly string[];
  channels?: readonly string[];
}): void {
  const channels = problems.channels ?? [];
  const where = [
    ...(problems.checks.length > 0 ? ["the check files"] : []),
    ...(channels.length > 0 ? ["the channels"] : []),
  ].join(" and ");
  if (where) throw new WatchpostChecksError([...problems.checks, ...channels], where);
}
