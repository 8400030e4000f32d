/**
 * A reader for the plain YAML check files are written in: block mappings and lists, one-line flow
 * mappings and lists, one-line plain and quoted scalars (double-quoted ones with the common escapes),
 * comments, in printable ASCII. It reads a list item about ten times faster than the YAML library
 * and gives the same data and positions; anything else it refuses (undefined), and the library reads
 * that item: block scalars, anchors, aliases, tags, other escapes, multi-line scalars, explicit or
 * quoted keys, keys that are not text, numbers other than plain decimals, empty values, tabs.
 */

import type { CheckYaml } from "./yaml-document.js";
import { FORBIDDEN_KEYS } from "./yaml-limits.js";
import type { Placed } from "./yaml-position.js";

/** Why an item is left to the YAML library; thrown inside the reader, never out of it. */
class Refused extends Error {}

interface Read {
  value: unknown;
  placed: Placed;
}

/** Anything but printable ASCII and line ends (a CR only before an LF). */
const UNREAD = /[^\n\r\x20-\x7e]|\r(?!\n)/;
/** A plain scalar may not start with an indicator, a space, or a sign or dot (numbers the subset leaves out). */
const PLAIN_START = /[^-?:,[\]{}#&*!|>'"%@`\s+.]/y;
const KEY = /[A-Za-z_][A-Za-z0-9_-]{0,127}/y;
/** Plain scalars the core schema reads as something other than text (YAML 1.2, what the library uses). */
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
const INT = /^[0-9]+$/;
const FLOAT = /^[0-9]+\.[0-9]*$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)$/;
/** The escapes of double-quoted scalars that the subset reads; the rest (\\x, \\u, \\N, …) are left out. */
const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', "/": "/", n: "\n", t: "\t", r: "\r" };
/** Deeper items are left to the library, which applies the file's nesting limit. */
const MAX_DEPTH = 32;

/** The list item `text.slice(start, end)` (one item, its dash at column `indent`), or undefined. */
export function readSubsetItem(
  text: string,
  start: number,
  end: number,
  indent: number,
): CheckYaml | undefined {
  if (UNREAD.test(text.slice(start, end))) return undefined;
  try {
    const reader = new Reader(text, end);
    const { read, next } = reader.blockList(start, indent, 0);
    const items = read.value as unknown[];
    if (items.length !== 1 || next !== end) return undefined;
    return { data: items[0], placed: read.placed.items?.[0] };
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}

class Reader {
  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  /** A block list whose dashes are at `indent`, from the line starting at `line`. */
  blockList(line: number, indent: number, depth: number): { read: Read; next: number } {
    if (depth > MAX_DEPTH) throw new Refused();
    const items: unknown[] = [];
    const placed: (Placed | undefined)[] = [];
    let next = line;
    for (;;) {
      const dash = next + indent;
      if (this.text[dash + 1] !== " ") throw new Refused();
      const content = this.spaces(dash + 1);
      if (this.atLineEnd(content) || this.text[content] === "#") throw new Refused();
      const item = this.isKey(content)
        ? this.blockMap(content, content - next, depth + 1)
        : this.lineValue(content, indent, depth + 1);
      items.push(item.read.value);
      placed.push(item.read.placed);
      next = item.next;
      if (next >= this.end) break;
      const nextIndent = this.indentOf(next);
      if (nextIndent > indent) throw new Refused();
      if (nextIndent < indent || !this.isDash(next + indent)) break;
    }
    return { read: { value: items, placed: { at: line + indent, items: placed } }, next };
  }

  /** A block mapping whose keys are at column `column`, its first key at `first`. */
  blockMap(first: number, column: number, depth: number): { read: Read; next: number } {
    if (depth > MAX_DEPTH) throw new Refused();
    const value: Record<string, unknown> = {};
    const entries = new Map<unknown, { keyAt: number; value: Placed | undefined }>();
    let keyAt = first;
    let next: number;
    for (;;) {
      const { key, after } = this.key(keyAt);
      if (entries.has(key)) throw new Refused();
      const content = this.spaces(after);
      const entry =
        this.atLineEnd(content) || this.text[content] === "#"
          ? this.nestedValue(content, column, depth + 1)
          : this.lineValue(content, column, depth + 1);
      value[key] = entry.read.value;
      entries.set(key, { keyAt, value: entry.read.placed });
      next = entry.next;
      if (next >= this.end) break;
      const nextIndent = this.indentOf(next);
      if (nextIndent > column) throw new Refused();
      if (nextIndent < column) break;
      keyAt = next + nextIndent;
    }
    return { read: { value, placed: { at: first, entries } }, next };
  }

  /** A key's value on the lines after it: a block mapping or list indented further, or a list at its column. */
  private nestedValue(from: number, column: number, depth: number): { read: Read; next: number } {
    const line = this.nextContent(this.lineAfter(from));
    if (line >= this.end) throw new Refused();
    const indent = this.indentOf(line);
    if (this.isDash(line + indent) && indent >= column) return this.blockList(line, indent, depth);
    if (indent > column && this.isKey(line + indent)) return this.blockMap(line + indent, indent, depth);
    throw new Refused();
  }

  /** A value that ends on its line (a comment may follow); nothing may continue it on the next lines. */
  private lineValue(from: number, column: number, depth: number): { read: Read; next: number } {
    const { read, after } = this.inline(from, false, depth);
    const rest = this.spaces(after);
    if (!this.atLineEnd(rest) && !(this.text[rest] === "#" && rest > after)) throw new Refused();
    const next = this.nextContent(this.lineAfter(rest));
    if (next < this.end && this.indentOf(next) > column) throw new Refused();
    return { read, next };
  }

  /** A scalar, or a flow mapping or list closed on the same line. */
  private inline(at: number, flow: boolean, depth: number): { read: Read; after: number } {
    if (depth > MAX_DEPTH) throw new Refused();
    const c = this.text[at];
    if (c === "{") return this.flow(at, "}", depth + 1);
    if (c === "[") return this.flow(at, "]", depth + 1);
    if (c === '"') {
      let value = "";
      let from = at + 1;
      const lineEnd = this.lineEndOf(at);
      for (;;) {
        let stop = from;
        while (stop < lineEnd && this.text[stop] !== '"' && this.text[stop] !== "\\") stop++;
        if (stop >= lineEnd) throw new Refused();
        value += this.text.slice(from, stop);
        if (this.text[stop] === '"') return { read: { value, placed: { at } }, after: stop + 1 };
        const escaped = ESCAPES[this.text[stop + 1] as string];
        if (escaped === undefined) throw new Refused();
        value += escaped;
        from = stop + 2;
      }
    }
    if (c === "'") {
      let value = "";
      let from = at + 1;
      const lineEnd = this.lineEndOf(at);
      for (;;) {
        const quote = this.text.indexOf("'", from);
        if (quote < 0 || quote >= lineEnd) throw new Refused();
        value += this.text.slice(from, quote);
        if (this.text[quote + 1] !== "'") return { read: { value, placed: { at } }, after: quote + 1 };
        value += "'";
        from = quote + 2;
      }
    }
    PLAIN_START.lastIndex = at;
    if (!PLAIN_START.test(this.text)) throw new Refused();
    const lineEnd = this.lineEndOf(at);
    let last = at;
    for (let i = at; i < lineEnd; i++) {
      const ch = this.text[i] as string;
      if (ch === " ") continue;
      if (ch === "#" && this.text[i - 1] === " ") break;
      if (flow && ",[]{}".includes(ch)) break;
      // Quotes inside a plain scalar in a flow, or a colon that may start a value, are left to the library.
      if (
        ch === ":" &&
        (this.text[i - 1] === " " || i + 1 >= lineEnd || " ,[]{}".includes(this.text[i + 1] as string))
      )
        throw new Refused();
      if (flow && (ch === '"' || ch === "'")) throw new Refused();
      last = i;
    }
    return { read: { value: plainValue(this.text.slice(at, last + 1)), placed: { at } }, after: last + 1 };
  }

  /** A flow mapping (`{ key: value, … }`) or list (`[a, b]`) closed on its line, without a trailing comma. */
  private flow(at: number, close: "}" | "]", depth: number): { read: Read; after: number } {
    const isMap = close === "}";
    const items: unknown[] = [];
    const placedItems: (Placed | undefined)[] = [];
    const value: Record<string, unknown> = {};
    const entries = new Map<unknown, { keyAt: number; value: Placed | undefined }>();
    let i = this.spaces(at + 1);
    if (this.text[i] !== close) {
      for (;;) {
        if (isMap) {
          const { key, after } = this.key(i);
          if (entries.has(key) || this.text[after] !== " ") throw new Refused();
          const item = this.inline(this.spaces(after), true, depth);
          value[key] = item.read.value;
          entries.set(key, { keyAt: i, value: item.read.placed });
          i = this.spaces(item.after);
        } else {
          const item = this.inline(i, true, depth);
          items.push(item.read.value);
          placedItems.push(item.read.placed);
          i = this.spaces(item.after);
        }
        if (this.text[i] === close) break;
        if (this.text[i] !== ",") throw new Refused();
        i = this.spaces(i + 1);
        if (this.text[i] === close) throw new Refused();
      }
    }
    const read = isMap
      ? { value, placed: { at, entries } }
      : { value: items, placed: { at, items: placedItems } };
    return { read, after: i + 1 };
  }

  /** A plain text key and its colon (followed by a space or the line's end); anything else is refused. */
  private key(at: number): { key: string; after: number } {
    const found = this.keyAt(at);
    // Keys the core schema reads as null or booleans are not text keys; the others reach prototypes.
    if (
      !found ||
      NULL.test(found.key) ||
      TRUE.test(found.key) ||
      FALSE.test(found.key) ||
      FORBIDDEN_KEYS.has(found.key)
    )
      throw new Refused();
    return found;
  }

  private isKey(at: number): boolean {
    return this.keyAt(at) !== undefined;
  }

  private keyAt(at: number): { key: string; after: number } | undefined {
    KEY.lastIndex = at;
    const key = KEY.exec(this.text)?.[0];
    if (key === undefined || this.text[at + key.length] !== ":") return undefined;
    const after = at + key.length + 1;
    return this.atLineEnd(after) || this.text[after] === " " ? { key, after } : undefined;
  }

  private isDash(at: number): boolean {
    return this.text[at] === "-" && (this.text[at + 1] === " " || this.atLineEnd(at + 1));
  }

  private spaces(at: number): number {
    let i = at;
    while (this.text.charCodeAt(i) === 32) i++;
    return i;
  }

  private atLineEnd(at: number): boolean {
    return at >= this.end || this.text[at] === "\n" || (this.text[at] === "\r" && this.text[at + 1] === "\n");
  }

  /** Where the line holding `at` ends (before its CR LF or LF). */
  private lineEndOf(at: number): number {
    const newline = this.text.indexOf("\n", at);
    const end = newline < 0 || newline >= this.end ? this.end : newline;
    return this.text[end - 1] === "\r" ? end - 1 : end;
  }

  private lineAfter(at: number): number {
    const newline = this.text.indexOf("\n", at);
    return newline < 0 || newline >= this.end ? this.end : newline + 1;
  }

  /** The start of the first line from `line` on that is not blank or a comment. */
  private nextContent(line: number): number {
    let at = line;
    while (at < this.end) {
      const first = this.spaces(at);
      if (!this.atLineEnd(first) && this.text[first] !== "#") return at;
      at = this.lineAfter(first);
    }
    return this.end;
  }

  private indentOf(line: number): number {
    return this.spaces(line) - line;
  }
}

/** A plain scalar's value by the core schema; the number forms the subset leaves out are refused. */
function plainValue(text: string): unknown {
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (FLOAT.test(text)) return Number.parseFloat(text);
  if (OTHER_NUMBER.test(text)) throw new Refused();
  return text;
}
