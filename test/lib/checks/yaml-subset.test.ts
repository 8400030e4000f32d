import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readListItem } from "../../../lib/checks/yaml-pieces.js";
import { readSubsetItem } from "../../../lib/checks/yaml-subset.js";

const root = path.join(import.meta.dirname, "../../..");
/** Placed trees hold Maps: compare them as entry lists. */
const plain = (value: unknown) => JSON.stringify(value, (_key, v) => (v instanceof Map ? [...v] : v));

/** The item at `start` read by the subset and by the YAML library, in a file whose first line is `prefix`. */
function both(item: string, indent: number, prefix = "checks:\n") {
  const text = prefix + item;
  return {
    subset: readSubsetItem(text, prefix.length, text.length, indent),
    library: readListItem(item, prefix.length),
  };
}

const SCALARS = [
  "a",
  "x y",
  "5m",
  "2xx",
  "200",
  "0",
  "00",
  "0123",
  "1.",
  "1.5",
  "1.0",
  "0x1F",
  "0o17",
  "1e5",
  ".5",
  "-1",
  "+1",
  "~",
  "null",
  "Null",
  "NULL",
  "nUll",
  "true",
  "True",
  "TRUE",
  "tRue",
  "false",
  "yes",
  "on",
  "12:30",
  "a:b",
  "a: b",
  "a :b",
  "a #b",
  "a#b",
  "http://x:80/p?q=1&r=2#f",
  "$.status",
  "^R",
  "a,b",
  "[a]",
  "{a: 1}",
  "{}",
  "[]",
  "'q'",
  "'it''s'",
  '"d"',
  '"a\\"b"',
  '"a # b"',
  "'a # b'",
  "a'b",
  'a"b',
  "-",
  "- a",
  "?",
  "? a",
  "!x",
  "&a",
  "*a",
  "|",
  ">",
  "%",
  "@",
  "`",
  "a\\b",
  "1_000",
  ".inf",
  ".nan",
  "99.9%",
  "${secret:a/b}",
  "a  ",
  "é",
  "a\tb",
  ":",
  "a:",
  "#",
  "<<",
  "12345678901234567890",
  '"^SSH-2\\.0-"',
  '"a\\\\b\\/c\\n\\t\\r\\""',
  '"\\x41"',
  '"\\u00e9"',
  '"a\\',
  '"\\ "',
];
const KEYS = [
  "name",
  "http",
  "a-b",
  "Content-Type",
  "x_y",
  "_x",
  "true",
  "null",
  "1a",
  "__proto__",
  "constructor",
  '"q"',
  "'q'",
  "a b",
  "a.b",
  "on",
  "p95",
  "A",
];
type Tree = { scalar: string } | { map: [string, Tree][] } | { list: Tree[] };
const tree = fc.letrec<{ node: Tree; scalar: Tree; map: Tree; list: Tree }>((tie) => ({
  node: fc.oneof({ depthSize: "small" }, tie("scalar"), tie("map"), tie("list")),
  scalar: fc.constantFrom(...SCALARS).map((scalar) => ({ scalar })),
  map: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("node")), { maxLength: 4 }).map((map) => ({ map })),
  list: fc.array(tie("node"), { maxLength: 3 }).map((list) => ({ list })),
})).node;

function flow(t: Tree, space: string): string {
  if ("scalar" in t) return t.scalar;
  if ("map" in t)
    return `{${space}${t.map.map(([k, v]) => `${k}: ${flow(v, space)}`).join(`,${space}`)}${space}}`;
  return `[${space}${t.list.map((v) => flow(v, space)).join(`,${space}`)}${space}]`;
}

/** The tree in block style where `style` says so (flow style, comments after values otherwise). */
function block(t: Tree, style: number): string[] {
  if ("scalar" in t || style % 3 === 0) return [flow(t, style % 2 ? " " : "")];
  if ("map" in t) {
    if (t.map.length === 0) return ["{}"];
    return t.map.flatMap(([key, value]) => {
      const inner = block(value, style + 1);
      return inner.length === 1
        ? [`${key}: ${inner[0]}${style % 5 === 1 ? "  # note" : ""}`]
        : [`${key}:`, ...inner.map((line) => `  ${line}`)];
    });
  }
  if (t.list.length === 0) return ["[]"];
  return t.list.flatMap((value) => {
    const [first, ...rest] = block(value, style + 1);
    return [`- ${first}`, ...rest.map((line) => `  ${line}`)];
  });
}

describe("the YAML subset reader", () => {
  it("reads what it accepts exactly as the YAML library does: data and every position", () => {
    let accepted = 0;
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat(3),
      insert: fc.oneof(
        fc.constantFrom("", " ", "\n", ":", "#", "-", "'", '"', "\r\n", "  ", "\t", "{", "]"),
        fc.string({ maxLength: 3 }),
      ),
    });
    fc.assert(
      fc.property(
        tree,
        fc.nat(20),
        fc.constantFrom(0, 2, 4),
        fc.array(edit, { maxLength: 2 }),
        (t, style, indent, edits) => {
          const pad = " ".repeat(indent);
          let item = `${block({ list: [t] }, style + 1)
            .map((line) => pad + line)
            .join("\n")}\n`;
          if (style % 4 === 3) item = item.replaceAll("\n", "\r\n");
          for (const { at, remove, insert } of edits) {
            const i = at % (item.length + 1);
            item = item.slice(0, i) + insert + item.slice(i + remove);
          }
          if (!item.startsWith(`${pad}- `)) return;
          const { subset, library } = both(item, indent);
          if (!subset) return;
          accepted++;
          expect(plain(subset)).toBe(plain(library));
        },
      ),
      { numRuns: 4000, seed: 20261206 },
    );
    // The comparison means something only if the subset took a fair share of the items.
    expect(accepted).toBeGreaterThan(500);
  });

  it("reads every check of the shipped check files itself", () => {
    const files = ["checks", "examples"].flatMap((dir) =>
      readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)),
    );
    let items = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const lines = text.split(/(?<=\n)/);
      const starts = lines.flatMap((line, i) => (line.startsWith("  - ") ? [i] : []));
      for (const [n, first] of starts.entries()) {
        // An item runs to the next one, or to the last line indented under it.
        let last = (starts[n + 1] ?? lines.length) - 1;
        while (last > first && !/^ {3}/.test(lines[last] as string)) last--;
        const item = lines.slice(first, last + 1).join("");
        const { subset, library } = both(item, 2);
        expect(subset, `${path.basename(file)}: ${item}`).toBeDefined();
        expect(plain(subset)).toBe(plain(library));
        items++;
      }
    }
    expect(items).toBeGreaterThan(15);
  });

  it("leaves to the library what it does not read: block scalars, anchors, escapes, multi-line values, odd keys", () => {
    for (const item of [
      "- a: |\n    text\n",
      "- a: &x 1\n  b: *x\n",
      '- a: "\\x41"\n',
      "- a: [1,\n    2]\n",
      "- a: one\n    two\n",
      '- "a": 1\n',
      "- true: 1\n",
      "- a: 0x1F\n",
      "- a: -1\n",
      "- a:\n",
      "- a: x\n  a: y\n",
      "- a: café\n",
      "- a:\tb\n",
      "- a: b: c\n",
    ])
      expect(both(item, 0).subset, item).toBeUndefined();
  });
});
