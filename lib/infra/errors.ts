/** What the construct refuses, as errors a CDK app can tell from its own (bin/app.ts prints them in one block). */

/** A check file problem found at synth time: the same messages as `watchpost validate`. */
export class WatchpostChecksError extends Error {
  override name = "WatchpostChecksError";
}

/** A construct setting that cannot work (locations that do not include this stack's region …). */
export class WatchpostConfigError extends Error {
  override name = "WatchpostConfigError";
}

/** Refuses the synth when the check files have problems: all of them, in one message. */
export function refuseCheckProblems(problems: string[]): void {
  if (problems.length > 0)
    throw new WatchpostChecksError(
      `${problems.length} problem(s) in the check files:\n${problems.join("\n")}`,
    );
}
