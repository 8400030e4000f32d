/**
 * Check-file YAML read by the YAML library, within the limits: a whole file (every problem
 * positioned), or a piece of one (any problem at all: the whole file is read instead, to explain it).
 */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic } from "./diagnostics.js";
import {
  ALIAS_BOMB,
  keysAndAliases,
  MAX_ALIAS_COUNT,
  MAX_DEPTH,
  nodeDeeperThan,
  TOO_DEEP,
} from "./yaml-limits.js";
import { offsetIn, type Placed, placedOf } from "./yaml-position.js";

const OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true } as const;

/** One check's data and where its parts were written. */
export interface CheckYaml {
  data: unknown;
  placed: Placed | undefined;
}

/** A check file as data: its own fields, and its checks one at a time (a large file is never whole). */
export interface FileYaml {
  /** The file's data, with `checks` an empty list when it is a list: its items come from `checks`. */
  top: unknown;
  /** Offset of a path outside the checks' items (or of `key` in the mapping there). */
  place: (path: readonly PropertyKey[], key?: string) => number;
  linePos: (offset: number) => { line: number; col: number };
  /** Each item of the `checks` list, read as it is asked for (once); undefined when a piece needs the whole file read to explain it. */
  checks: Iterable<CheckYaml | undefined>;
}

/** The whole file read at once; its YAML's problems, or the file as data. */
export function readDocument(file: string, text: string): { problems: Diagnostic[] } | FileYaml {
  const lineCounter = new LineCounter();
  const refuse = (message: string, offset = 0) => {
    const { line, col } = lineCounter.linePos(offset);
    return { problems: [{ file, line, column: col, path: "", message }] };
  };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { ...OPTIONS, lineCounter });
  } catch (error) {
    if (error instanceof RangeError) return refuse(TOO_DEEP);
    throw error;
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = /call stack/i.test(error.message)
        ? TOO_DEEP
        : `invalid YAML: ${error.message.split("\n")[0]}`;
      return { file, line, column: col, path: "", message };
    });
    return { problems };
  }
  const tooDeep = nodeDeeperThan(doc.contents as Node | null, MAX_DEPTH);
  if (tooDeep) return refuse(TOO_DEEP, tooDeep.range?.[0] ?? 0);
  const keys = keysAndAliases(doc);
  if (keys.problems.length > 0) {
    const problems = keys.problems.map(({ offset, message }) => {
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col, path: "", message };
    });
    return { problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError) return refuse(ALIAS_BOMB, keys.firstAlias);
    if (error instanceof RangeError) return refuse(TOO_DEEP);
    throw error;
  }
  if (data === null || data === undefined) {
    return {
      problems: [
        {
          file,
          line: 1,
          column: 1,
          path: "",
          message: "expected a mapping with a checks list, found an empty file",
        },
      ],
    };
  }
  const list = isMap(doc.contents) ? checksNode(doc.contents.items) : undefined;
  const top = placedOf(doc.contents, same, list);
  const items = (data as { checks?: unknown }).checks;
  return {
    top: Array.isArray(items) ? { ...(data as object), checks: [] } : data,
    place: (path, key) => offsetIn(top, path, key),
    linePos: (offset) => lineCounter.linePos(offset),
    checks: Array.isArray(items) ? itemsOf(items, list) : [],
  };
}

/** A piece of a file read alone: undefined on an error, a limit reached, or an alias (its anchor may be elsewhere). */
export function readPiece(
  text: string,
  depthAbove: number,
): { doc: Document.Parsed; data: unknown } | undefined {
  try {
    const doc = parseDocument(text, OPTIONS);
    if (doc.errors.length > 0 || nodeDeeperThan(doc.contents as Node | null, MAX_DEPTH - depthAbove))
      return undefined;
    const keys = keysAndAliases(doc);
    if (keys.problems.length > 0 || keys.firstAlias !== undefined) return undefined;
    return { doc, data: doc.toJS() };
  } catch {
    return undefined;
  }
}

const same = (offset: number) => offset;

function checksNode(pairs: unknown[]): unknown {
  const pair = pairs.find((item) => isPair(item) && isScalar(item.key) && item.key.value === "checks");
  return isPair(pair) ? pair.value : undefined;
}

function* itemsOf(items: unknown[], list: unknown): Generator<CheckYaml> {
  for (const [index, data] of items.entries())
    yield { data, placed: isSeq(list) ? placedOf(list.items[index], same) : undefined };
}
