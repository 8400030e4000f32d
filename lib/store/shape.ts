/**
 * What a stored value must look like, checked where it is read (a state file, a history day, an item
 * of the state table): a value of the wrong shape is refused with what was wrong and where, never
 * decided from or written over. A shape answers the problem it finds, or undefined.
 */
export type Shape = (value: unknown) => string | undefined;

/** The start of a value as JSON, for a message. */
function shown(value: unknown): string {
  const text = value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

const expected = (what: string, value: unknown) => `expected ${what}, found ${shown(value)}`;

export const text: Shape = (v) => (typeof v === "string" ? undefined : expected("text", v));

export const count: Shape = (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? undefined : expected("a whole number", v);

export const number: Shape = (v) =>
  typeof v === "number" && Number.isFinite(v) ? undefined : expected("a number", v);

export const oneOf =
  (values: readonly string[]): Shape =>
  (v) =>
    typeof v === "string" && values.includes(v) ? undefined : expected(`one of ${values.join(", ")}`, v);

export const listOf =
  (item: Shape): Shape =>
  (v) => {
    if (!Array.isArray(v)) return expected("a list", v);
    for (const [index, value] of v.entries()) {
      const problem = item(value);
      if (problem) return join(`[${index}]`, problem);
    }
    return undefined;
  };

export const mapOf =
  (item: Shape): Shape =>
  (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return expected("an object", v);
    for (const [key, value] of Object.entries(v)) {
      const problem = item(value);
      if (problem) return join(`[${JSON.stringify(key)}]`, problem);
    }
    return undefined;
  };

/** An object with these fields; those in `optional` may be missing. Other fields are let be. */
export function record(fields: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape {
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return expected("an object", v);
    const value = v as Record<string, unknown>;
    for (const [name, shape] of Object.entries(fields)) {
      const problem = shape(value[name]);
      if (problem) return join(name, problem);
    }
    for (const [name, shape] of Object.entries(optional)) {
      if (value[name] === undefined) continue;
      const problem = shape(value[name]);
      if (problem) return join(name, problem);
    }
    return undefined;
  };
}

/** `outbox` and `[0].transition: expected …` → `outbox[0].transition: expected …`. */
export function join(path: string, problem: string): string {
  if (problem.startsWith("expected ")) return `${path}: ${problem}`;
  return problem.startsWith("[") ? `${path}${problem}` : `${path}.${problem}`;
}
