/**
 * Plain values both the check-file schema and the run time need (no validation library here: the
 * probe function's bundle imports this, the schema's zod pieces stay in lib/checks/fields.ts).
 */

/**
 * `${env:NAME}`, `${secret:ID}`, `${ssm:NAME}`; `$${` writes a literal `${`. In a steps check's steps,
 * `${var:NAME}` too: a value an earlier step extracted.
 */
export const REFERENCE = /(?<!\$)\$\{([a-z]+):([^}]*)\}/g;
export const REFERENCE_PROVIDERS = ["env", "secret", "ssm", "var"] as const;
/** An `${env:NAME}` reference: resolved from the environment of whatever runs the check. */
export const ENV_REFERENCE = /(?<!\$)\$\{env:([^}]*)\}/g;
/** A variable's name, as `extract` gives it and `${var:NAME}` uses it. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Every `${var:NAME}` in a text, by name. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(REFERENCE)]
    .filter(([, provider]) => provider === "var")
    .map(([, , id]) => id as string);
}
/** Anything that starts like a reference, well-formed or not. */
export const ANY_REFERENCE = /(?<!\$)\$\{[^}]*\}?/g;

export function hasReference(text: string): boolean {
  return new RegExp(ANY_REFERENCE.source).test(text);
}

export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Every string in a config, with its path (the steps probe and the schema both walk a step so). */
export function strings(value: unknown, path: PropertyKey[]): [PropertyKey[], string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, [...path, i]));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => strings(item, [...path, key]));
  return [];
}
