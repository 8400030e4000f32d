/**
 * `watchpost/checks`: check files as a program sees them, for a team that writes or generates them
 * in code. `CheckFileInput` is what a file may hold (durations as text, `5m`); `CheckFile` what it
 * becomes once read; `CheckSpec` one loaded check as the construct and the CLI run it.
 */
import type { z } from "zod";
import type { checkSchema, fileSchema } from "./schema.js";

export type { Diagnostic } from "./diagnostics.js";
export type { AlertPolicy, CheckSpec, DependencyRef, LoadResult, Slo, SloGroup } from "./load.js";
export { loadChecks, loadChecksSync, parseCheckFile } from "./load.js";
export { type CheckEntry, type CheckFile, jsonSchema, type Severity } from "./schema.js";

/** A check file as written: what `checks/*.yml` may hold. */
export type CheckFileInput = z.input<typeof fileSchema>;
/** One entry of a check file's `checks:` as written. */
export type CheckEntryInput = z.input<typeof checkSchema>;
