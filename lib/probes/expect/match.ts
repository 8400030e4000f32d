import type { Condition } from "../../result.js";
import { quote } from "./quote.js";

/** One of these on a value that may be absent (a header, a JSON path): which the schema says. */
export interface Matcher {
  equals?: unknown;
  /** A regular expression, tested against the value as text (JSON for what is not a string). */
  matches?: string;
  exists?: boolean;
}

/** `equals`, `matches` or `exists` on `subject`, with the text of what was found. */
export function matchCondition(subject: string, found: boolean, value: unknown, matcher: Matcher): Condition {
  if (matcher.exists !== undefined) {
    const ok = found === matcher.exists;
    return {
      ok,
      effect: "fail",
      text: `${subject} ${found ? "exists" : "is missing"}${ok ? "" : `, expected it ${matcher.exists ? "to exist" : "to be absent"}`}`,
    };
  }
  if (!found)
    return { ok: false, effect: "fail", text: `${subject} is missing, expected ${wanted(matcher)}` };
  if (matcher.matches !== undefined) {
    const asText = typeof value === "string" ? value : JSON.stringify(value);
    const ok = new RegExp(matcher.matches).test(asText);
    return {
      ok,
      effect: "fail",
      text: `${subject} is ${quote(value)}${ok ? "" : `, expected to match /${matcher.matches}/`}`,
    };
  }
  // A string expectation matches a number or boolean written the same (`equals: "200"` and 200).
  const ok =
    JSON.stringify(value) === JSON.stringify(matcher.equals) ||
    (typeof matcher.equals === "string" &&
      (typeof value === "number" || typeof value === "boolean") &&
      String(value) === matcher.equals);
  return {
    ok,
    effect: "fail",
    text: `${subject} is ${quote(value)}${ok ? "" : `, expected ${quote(matcher.equals)}`}`,
  };
}

/** What `equals` or `matches` asks for, as a reason says it: `"ok"`, `to match /up/`. */
export function wanted(matcher: Matcher): string {
  return matcher.matches !== undefined ? `to match /${matcher.matches}/` : quote(matcher.equals);
}
