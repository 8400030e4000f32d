/**
 * The JSONPath subset health checks need: `$`, `.name`, `['name']`, `[index]`. Anything richer
 * (filters, wildcards) is rejected at validation rather than half-supported.
 */

export type JsonPath = (string | number)[];

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/** The segments of `path`, or an error text saying where it stops making sense. */
export function parseJsonPath(path: string): JsonPath | string {
  if (!path.startsWith("$")) return "a JSONPath starting with $ (such as $.status or $.items[0].id)";
  const segments: JsonPath = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) return `a JSONPath of .name, ['name'] and [index] segments; cannot read "${rest}"`;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? "").replace(/\\(.)/g, "$1"));
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The value at `path`, and whether it exists. */
export function select(document: unknown, path: JsonPath): { found: boolean; value?: unknown } {
  let node: unknown = document;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(node) || segment >= node.length) return { found: false };
      node = node[segment];
    } else {
      if (node === null || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, segment)) {
        return { found: false };
      }
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: node };
}
