/**
 * A schema's verdict on a part of a check file, worded as diagnostics: zod's issues become "expected
 * …, found …" at the line and column of the value (or key) they are about.
 */
import type { z } from "zod";
import { type Diagnostic, describeValue, didYouMean, formatPath } from "./diagnostics.js";
import { fileSchema } from "./schema.js";
import type { Locate } from "./yaml-position.js";

/** The part of a file a schema is applied to: its data, and where it sits in the file. */
export interface Part {
  file: string;
  /** The part's path in the file (`checks[3]`), empty for the file itself. */
  prefix: readonly PropertyKey[];
  data: unknown;
  /** Positions by paths in the file (the prefix included). */
  locate: Locate;
}

/** The schema's output for the part, or a diagnostic per problem in it. */
export function validatePart<T extends z.ZodType>(
  schema: T,
  part: Part,
): { ok: true; value: z.output<T> } | { ok: false; diagnostics: Diagnostic[] } {
  const parsed = schema.safeParse(part.data, { error: (issue) => expectedText(issue as unknown as Issue) });
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    diagnostics: parsed.error.issues.flatMap((issue) => issueDiagnostics(issue as unknown as Issue, part)),
  };
}

/** The part of a zod issue this module reads (zod 4's issue shapes). */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  keys?: string[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  input?: unknown;
  issues?: { message: string }[];
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  record: "a mapping",
};

/** zod's built-in issues, worded as the "expected" half of a diagnostic. */
function expectedText(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return TYPE_NAMES[issue.expected ?? ""] ?? `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${(issue.values ?? []).map((value) => String(value)).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `at least ${issue.minimum} item(s)`
        : issue.origin === "string"
          ? "a non-empty string"
          : `at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `at most ${issue.maximum} item(s)` : `at most ${issue.maximum}`;
    case "unrecognized_keys":
      return "only known fields";
    default:
      return "a valid value";
  }
}

function issueDiagnostics(issue: Issue, { file, prefix, data, locate }: Part): Diagnostic[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(path);
    return (issue.keys ?? []).map((key) => {
      const suggestion = didYouMean(key, known);
      return {
        file,
        ...locate(path, key),
        path: formatPath([...path, key]),
        message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ""} (expected one of: ${known.join(", ")})`,
      };
    });
  }
  if (issue.code === "invalid_key") {
    // A record key (a label name) was rejected: point at the key and quote it.
    const key = String(path.at(-1));
    const inner = issue.issues?.[0]?.message ?? "a valid key";
    return [
      {
        file,
        ...locate(path.slice(0, -1), key),
        path: formatPath(path),
        message: `expected ${inner}, found "${key}"`,
      },
    ];
  }
  const found = valueAt(data, issue.path);
  const message = issue.message.includes(", found ")
    ? `expected ${issue.message}`
    : `expected ${issue.message}, found ${describeValue(found)}`;
  return [{ file, ...locate(path), path: formatPath(path), message }];
}

function valueAt(data: unknown, issuePath: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of issuePath) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The fields the file's schema accepts at `issuePath`, for "did you mean". */
function knownKeys(issuePath: readonly PropertyKey[]): string[] {
  let schema: ZodLike | undefined = fileSchema as unknown as ZodLike;
  for (const segment of issuePath) {
    schema = unwrap(schema);
    const def = schema?._zod.def;
    if (!def) return [];
    if (def.type === "object") schema = def.shape?.[segment as string];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return [];
  }
  const def = unwrap(schema)?._zod.def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

interface ZodLike {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, ZodLike>;
      element?: ZodLike;
      valueType?: ZodLike;
      innerType?: ZodLike;
      in?: ZodLike;
    };
  };
}

function unwrap(schema: ZodLike | undefined): ZodLike | undefined {
  let current = schema;
  while (current) {
    const def: ZodLike["_zod"]["def"] = current._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
  return current;
}
