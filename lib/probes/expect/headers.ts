import type { Condition } from "../../result.js";
import { type Matcher, matchCondition, wanted } from "./match.js";
import { quote } from "./quote.js";

/** Response headers by lower-case name; a repeated header's values in a list, one per occurrence. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A header's values by case-insensitive name, one per occurrence; none when it is absent. */
export function headerValues(headers: Headers, name: string): readonly string[] {
  const raw = headers[name.toLowerCase()];
  return raw === undefined ? [] : typeof raw === "string" ? [raw] : raw;
}

/** Occurrences quoted in a reason; the rest are counted. */
const QUOTED = 3;

/**
 * One condition per expected header, in the order written: `header Cache-Control is "no-store"`. A
 * header sent more than once passes when any occurrence does, as blackbox_exporter's
 * `fail_if_header_not_matches` (two `Set-Cookie` lines are two values, never one joined with ", ").
 */
export function headerConditions(expected: Readonly<Record<string, Matcher>>, headers: Headers): Condition[] {
  return Object.entries(expected).map(([name, matcher]) => {
    const subject = `header ${name}`;
    const values = headerValues(headers, name);
    if (values.length <= 1 || matcher.exists !== undefined)
      return matchCondition(subject, values.length > 0, values[0], matcher);
    const each = values.map((value) => matchCondition(subject, true, value, matcher));
    const passed = each.find((condition) => condition.ok);
    if (passed) return passed;
    const shown = values.slice(0, QUOTED).map((value) => quote(value));
    if (values.length > QUOTED) shown.push(`${values.length - QUOTED} more`);
    return {
      ok: false,
      effect: "fail",
      text: `${subject} is ${shown.join(", ")} (sent ${values.length} times), expected ${wanted(matcher)}`,
    };
  });
}
