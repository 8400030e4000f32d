import type { z } from "zod";
import type { Observation } from "../result.js";

export interface ProbeContext {
  /** Aborted when the check's timeout or the run's deadline passes: release sockets and stop. */
  signal: AbortSignal;
  /** Names what the probe is waiting for now; a timeout reason quotes it. */
  stage(doing: string): void;
  /** Folder of the check file, against which relative paths (`ca:`) resolve. */
  baseDir: string;
}

/**
 * One kind of check. A probe observes and reports conditions; it never decides the status, owns no
 * timeout and writes no metrics: the engine does.
 */
export interface Probe<Schema extends z.ZodType = z.ZodType> {
  kind: string;
  /** The kind's block in a check file (`http: {...}`). */
  config: Schema;
  /** What the check targets, as written (references unresolved): the `instance` label and table column. */
  target(config: z.output<Schema>): string;
  run(config: z.output<Schema>, ctx: ProbeContext): Promise<Observation>;
}

export function defineProbe<Schema extends z.ZodType>(probe: Probe<Schema>): Probe<Schema> {
  return probe;
}

/**
 * The check could not be set up (a reference or a `ca:` file that cannot be read): its result is
 * `unknown` with this message as the reason, since the target was never asked.
 */
export class CheckSetupError extends Error {
  override name = "CheckSetupError";
}
