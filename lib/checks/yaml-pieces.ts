/**
 * A check file read a check at a time. The YAML library holds a whole document in memory at about 25
 * times its text (100 MB for a file of 10,000 checks), so a file laid out the usual way, a top-level
 * `checks:` key with a block list under it, is cut into its list items and the rest, and each piece is
 * read alone. Reading a piece alone gives the same data as reading it in the file; where that could
 * differ (an alias, a directive, any error) the piece is refused and the whole file is read instead.
 */
import { isMap, isSeq, LineCounter } from "yaml";
import { type CheckYaml, type FileYaml, readPiece } from "./yaml-document.js";
import { offsetIn, placedOf } from "./yaml-position.js";
import { readSubsetItem } from "./yaml-subset.js";

/** Where a file's `checks:` list lies: its key, its lines (the first item's to the last's end), its items. */
interface ChecksLayout {
  keyAt: number;
  start: number;
  end: number;
  /** Column of the items' dashes. */
  indent: number;
  /** Where each item's first line starts; the next item's start (or `end`) ends it. */
  items: number[];
}

const CHECKS_KEY = /^checks:(?:[ \t]+(?:#.*)?)?\r?$/;
const DOCUMENT_START = /^---[ \t]*(?:#.*)?\r?$/;
const BLANK_OR_COMMENT = /^ *(?:#.*)?\r?$/;
const ITEM = /^( *)-(?: |\r?$)/;

/** The file's text read a check at a time, or undefined when it is not laid out for that. */
export function readInPieces(text: string): FileYaml | undefined {
  const layout = checksLayout(text);
  if (!layout) return undefined;
  const removed = layout.end - layout.start;
  const rest = readPiece(text.slice(0, layout.start) + text.slice(layout.end), 0);
  if (!rest || !isMap(rest.doc.contents)) return undefined;
  const top = placedOf(rest.doc.contents, (offset) => (offset >= layout.start ? offset + removed : offset));
  const checks = top?.entries?.get("checks");
  // The key found by its line must be the file's `checks` key, and nothing else may have been its value.
  if (!checks || checks.keyAt !== layout.keyAt || (rest.data as { checks?: unknown }).checks !== null)
    return undefined;
  checks.value = { at: layout.start + layout.indent };
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines.addNewLine(at + 1);
  return {
    top: { ...(rest.data as object), checks: [] },
    place: (path, key) => offsetIn(top, path, key),
    linePos: (offset) => lines.linePos(offset),
    checks: itemsOf(text, layout),
  };
}

function* itemsOf(text: string, layout: ChecksLayout): Generator<CheckYaml | undefined> {
  for (const [index, start] of layout.items.entries()) {
    const end = layout.items[index + 1] ?? layout.end;
    yield readSubsetItem(text, start, end, layout.indent) ?? readListItem(text.slice(start, end), start);
  }
}

/** One list item (its text starts at `start` in the file) read alone by the YAML library. */
export function readListItem(text: string, start: number): CheckYaml | undefined {
  const piece = readPiece(text, 1);
  if (!piece || !isSeq(piece.doc.contents) || piece.doc.contents.items.length !== 1) return undefined;
  return {
    data: (piece.data as unknown[])[0],
    placed: placedOf(piece.doc.contents.items[0], (offset) => offset + start),
  };
}

/**
 * The `checks:` list of a file whose top lines hold no directive (a `%YAML 1.1` would change what the
 * items mean) and whose list is a block list under a `checks:` key at the start of a line. An item
 * runs from its dash to the next dash at the same column; the list ends at the first other line that
 * is not indented further (blank and comment lines belong to it).
 */
function checksLayout(text: string): ChecksLayout | undefined {
  let lineStart = 0;
  let keyAt: number | undefined;
  let seenContent = false;
  const layout: ChecksLayout = { keyAt: 0, start: 0, end: text.length, indent: 0, items: [] };
  while (lineStart < text.length) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (keyAt === undefined) {
      if (CHECKS_KEY.test(line)) keyAt = lineStart;
      else if (line.startsWith("%") || line.startsWith("...")) return undefined;
      else if (line.startsWith("---")) {
        // A document start is fine as the file's first line of content, and only there.
        if (seenContent || !DOCUMENT_START.test(line)) return undefined;
        seenContent = true;
      } else if (!BLANK_OR_COMMENT.test(line)) seenContent = true;
    } else if (layout.items.length === 0) {
      if (!BLANK_OR_COMMENT.test(line)) {
        const item = ITEM.exec(line);
        if (!item) return undefined;
        layout.keyAt = keyAt;
        layout.start = lineStart;
        layout.indent = (item[1] as string).length;
        layout.items.push(lineStart);
      }
    } else if (!BLANK_OR_COMMENT.test(line)) {
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (indent === layout.indent && ITEM.test(line)) layout.items.push(lineStart);
      else if (indent <= layout.indent) {
        layout.end = lineStart;
        return layout;
      }
    }
    lineStart = lineEnd + 1;
  }
  return layout.items.length > 0 ? layout : undefined;
}
