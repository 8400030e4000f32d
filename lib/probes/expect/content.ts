import type { Condition } from "../../result.js";
import { type JsonPath, parseJsonPath, select } from "./json-path.js";
import { type Matcher, matchCondition } from "./match.js";
import { quote } from "./quote.js";

/** A JSON path and what its value must be. */
export interface JsonAssertion extends Matcher {
  path: string;
}

/** What a text the target sent (a body, a message) must hold. */
export interface ContentExpect {
  /** Each of these must appear in it. */
  contains?: readonly string[];
  /** A regular expression it must match. */
  matches?: string;
  /** Assertions on it read as JSON. */
  json?: readonly JsonAssertion[];
}

/** `body contains "ok"`, `body does not match /up/`, `$.status is "ok"`: `subject` names the text. */
export function contentConditions(subject: string, text: string, expect: ContentExpect): Condition[] {
  const conditions: Condition[] = [];
  for (const needle of expect.contains ?? []) {
    const ok = text.includes(needle);
    conditions.push({
      ok,
      effect: "fail",
      text: ok ? `${subject} contains ${quote(needle)}` : `${subject} does not contain ${quote(needle)}`,
    });
  }
  if (expect.matches) {
    const ok = new RegExp(expect.matches).test(text);
    conditions.push({
      ok,
      effect: "fail",
      text: `${subject} ${ok ? "matches" : "does not match"} /${expect.matches}/`,
    });
  }
  if (expect.json) conditions.push(...jsonConditions(subject, text, expect.json));
  return conditions;
}

function jsonConditions(subject: string, text: string, assertions: readonly JsonAssertion[]): Condition[] {
  let document: unknown;
  try {
    // A UTF-8 byte order mark is no part of the JSON text (RFC 8259 §8.1 lets a parser skip it).
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return [
      { ok: false, effect: "fail", text: `${subject} is not valid JSON (${(error as Error).message})` },
    ];
  }
  return assertions.map((assertion) => {
    const found = select(document, parseJsonPath(assertion.path) as JsonPath);
    return matchCondition(assertion.path, found.found, found.value, assertion);
  });
}
