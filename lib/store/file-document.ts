/**
 * The files local processes share (the state file, the pings and run records beside it, history's
 * days) are JSON documents of one shape, `{"format":1,"<section>":…}`, written whole through a
 * temporary file and a rename, so no reader ever sees half a file. Read here, in one place: anything
 * else is named, with the way out.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { Shape } from "./shape.js";

export interface DocumentKind<S> {
  /** The format, as errors name it: `a Watchpost state file`. */
  what: string;
  /** The one key beside `format`. */
  section: string;
  /** The section of a file that does not exist yet. */
  empty(): S;
  /** Whether a parsed section has the shape expected. */
  valid(section: unknown): boolean;
  /** What is wrong in a section that is `valid`, naming the entry (`entry "api": version: …`). */
  problem?(section: S): string | undefined;
}

/** The document's section, or the kind's empty one when there is no file yet. */
export async function readDocument<S>(file: string, kind: DocumentKind<S>): Promise<S> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return kind.empty();
    throw error;
  }
  let section: S;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown> | null;
    if (parsed?.format !== 1 || !kind.valid(parsed[kind.section])) throw new Error(`not ${kind.what}`);
    section = parsed[kind.section] as S;
  } catch (error) {
    throw new Error(
      `${file} is not ${kind.what} (${(error as Error).message}); move it away to start afresh`,
      {
        cause: error,
      },
    );
  }
  const problem = kind.problem?.(section);
  if (problem)
    throw new Error(
      `${file} is not ${kind.what}: ${problem}; fix or remove that entry, or move the file away to start afresh`,
    );
  return section;
}

/** Writes the document whole; `pretty` indents it for people who read it (the state file). */
export async function writeDocument<S>(
  file: string,
  kind: DocumentKind<S>,
  section: S,
  options: { pretty?: boolean } = {},
): Promise<void> {
  const text = `${JSON.stringify({ format: 1, [kind.section]: section }, null, options.pretty ? 2 : undefined)}\n`;
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * A document whose section maps keys to entries (`{"format":1,"checks":{"api":…}}`), each entry of
 * `shape` when one is given.
 */
export function entriesDocument<T>(
  what: string,
  section: string,
  shape?: Shape,
): DocumentKind<Record<string, T>> {
  return {
    what,
    section,
    empty: () => ({}),
    valid: (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    ...(shape
      ? {
          problem: (entries: Record<string, T>) => {
            for (const [key, value] of Object.entries(entries)) {
              const problem = shape(value);
              if (problem) return `entry ${JSON.stringify(key)}: ${problem}`;
            }
            return undefined;
          },
        }
      : {}),
  };
}
