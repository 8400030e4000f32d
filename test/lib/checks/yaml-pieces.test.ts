import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CheckYaml, type FileYaml, readDocument } from "../../../lib/checks/yaml-document.js";
import { readInPieces } from "../../../lib/checks/yaml-pieces.js";

const root = path.join(import.meta.dirname, "../../..");
const plain = (value: unknown) => JSON.stringify(value, (_key, v) => (v instanceof Map ? [...v] : v));

/** Every path of keys and indexes in `data`, for comparing where each is placed. */
function pathsOf(data: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
  if (data === null || typeof data !== "object") return [prefix];
  const children = Array.isArray(data) ? data.map((_, i) => i) : Object.keys(data);
  return [
    prefix,
    ...children.flatMap((key) => pathsOf((data as Record<PropertyKey, unknown>)[key], [...prefix, key])),
  ];
}

/** What validation reads of a file: its data, each check's data and positions, every line and column. */
function view(yaml: FileYaml, text: string) {
  const checks = [...yaml.checks] as CheckYaml[];
  // Each node's position, and its key's when it has one.
  const positions = pathsOf(yaml.top).map((p) => [
    yaml.linePos(yaml.place(p)),
    yaml.linePos(yaml.place(p.slice(0, -1), String(p.at(-1)))),
  ]);
  const lines = Array.from({ length: text.length + 1 }, (_, offset) => yaml.linePos(offset));
  return plain({ top: yaml.top, checks, positions, lines });
}

const files = [
  "checks",
  "examples",
  "test/fixtures/valid",
  "test/fixtures/valid/nested",
  "test/fixtures/broken",
]
  .flatMap((dir) => readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)))
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => readFileSync(file, "utf8"));

describe("reading a check file a check at a time", () => {
  it("reads the usual layouts in pieces: comments, a document start, CRLF, items at column 0, keys after the list", () => {
    const texts = [
      "# checks\n---\ndefaults: { interval: 1m }\nchecks:\n  # first\n  - name: a\n    tcp: { host: a, port: 1 }\n\n  - name: b\n    tcp: { host: b, port: 2 }\n# done\nslos:\n  - name: g\n    labels: { team: x }\n    availability: 99%\n",
      "checks:\r\n- name: a\r\n  tcp: { host: a, port: 1 }\r\n- name: b\r\n  http: { url: 'https://b/' }\r\ndefaults:\r\n  timeout: 5s\r\n",
    ];
    for (const text of texts) {
      const pieces = readInPieces(text);
      expect(pieces).toBeDefined();
      const whole = readDocument("f.yml", text);
      expect("problems" in whole).toBe(false);
      expect(view(pieces as FileYaml, text)).toBe(view(whole as FileYaml, text));
    }
  });

  it("leaves to the whole file what could mean something else in pieces", () => {
    for (const text of [
      "%YAML 1.1\n---\nchecks:\n  - name: a\n    tcp: { host: a, port: yes }\n",
      "a: &x 1\nchecks:\n  - name: a\n    labels: { b: *x }\n",
      'a: "x\nchecks:\n  - name: b\n  "\n',
      "checks: [ { name: a } ]\n",
      "checks:\n  - name: a\n  tcp: {}\n",
    ]) {
      const pieces = readInPieces(text);
      const refused = pieces === undefined || [...pieces.checks].includes(undefined);
      expect(refused, text).toBe(true);
    }
  });

  it("reads what it reads in pieces exactly as the whole document, however the file is mangled", () => {
    let inPieces = 0;
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat(8),
      insert: fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom(
          "\n",
          "  ",
          "- ",
          ":",
          "#",
          "'",
          '"',
          "&a ",
          "*a",
          "---\n",
          "%YAML 1.1\n",
          "\r\n",
          "checks:\n",
        ),
        fc.constantFrom("\n  - name: z\n    tcp: { host: a, port: 1 }\n", "|\n", "\n slos: []\n", "\n- x\n"),
      ),
    });
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(edit, { maxLength: 4 }), (original, edits) => {
        let text = original;
        for (const { at, remove, insert } of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + remove);
        }
        const pieces = readInPieces(text);
        if (!pieces || [...pieces.checks].includes(undefined)) return;
        inPieces++;
        const whole = readDocument("f.yml", text);
        expect("problems" in whole ? whole.problems : undefined).toBeUndefined();
        // The checks are read once: read the pieces again to compare them.
        expect(view(readInPieces(text) as FileYaml, text)).toBe(view(whole as FileYaml, text));
      }),
      { numRuns: 1500, seed: 20261206 },
    );
    expect(inPieces).toBeGreaterThan(300);
  });
});
