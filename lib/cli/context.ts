/** What every CLI command shares: where it writes, how it is stopped, and how it says a usage error. */

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Stops a run or `--watch`; the CLI wires it to SIGINT/SIGTERM. */
  stopSignal?: AbortSignal;
}

/** A mistake in the command line: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
