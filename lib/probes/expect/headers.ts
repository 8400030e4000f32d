import type { Condition } from "../../result.js";
import { type Matcher, matchCondition } from "./match.js";

/** Response headers by lower-case name; a repeated header's values in a list. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A header's value by case-insensitive name, a repeated header's values joined with `, `. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw.join(", ") : (raw as string | undefined);
}

/** One condition per expected header, in the order written: `header Cache-Control is "no-store"`. */
export function headerConditions(expected: Readonly<Record<string, Matcher>>, headers: Headers): Condition[] {
  return Object.entries(expected).map(([name, matcher]) => {
    const value = headerValue(headers, name);
    return matchCondition(`header ${name}`, value !== undefined, value, matcher);
  });
}
