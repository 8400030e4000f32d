/** What every CLI command shares: where it writes, how it is stopped, and how it says a usage error. */

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Stops a run or `--watch`; the CLI wires it to SIGINT/SIGTERM. */
  stopSignal?: AbortSignal;
}

/** A mistake in the command line: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}

/** Something wrong around the command (a file it must read or write): what, where, what to do; exit 2. */
export class EnvironmentError extends Error {}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What a file-system error code means, and what to do about it. */
const FILE_PROBLEMS: Record<string, { what: string; remedy: string }> = {
  ENOENT: { what: "no such file or folder", remedy: "create the folder first, or name another path" },
  ENOTDIR: { what: "part of the path is a file, not a folder", remedy: "name a path under a folder" },
  EISDIR: { what: "it is a folder", remedy: "name a file" },
  EACCES: { what: "permission denied", remedy: "fix its permissions, or name a path you may write" },
  EPERM: { what: "operation not permitted", remedy: "fix its permissions, or name a path you may write" },
  EROFS: { what: "the file system is read-only", remedy: "name a path on a writable file system" },
  ENOSPC: { what: "no space left on the device", remedy: "free some space" },
};

/**
 * An environment error in words, when `error` is one (a file-system error with a path): `cannot
 * write out/schema.json: no such file or folder (ENOENT); create the folder first, or name another
 * path`. Undefined for anything else.
 */
export function describeFileError(error: unknown, doing = "use"): string | undefined {
  const { code, path } = (error ?? {}) as { code?: string; path?: string };
  const problem = code ? FILE_PROBLEMS[code] : undefined;
  if (!problem || !path) return undefined;
  return `cannot ${doing} ${path}: ${problem.what} (${code}); ${problem.remedy}`;
}
