/**
 * A step's `extract`: values from its response (an http step's body or headers, a dns step's
 * answers), or, for each one it cannot find, a failed condition saying what was missing. The values
 * themselves never appear in a condition: they are secrets until proven otherwise.
 */
import type { Condition, Facts } from "../../result.js";
import type { StepConfig } from "../config/steps.js";
import { headerValues } from "../expect/headers.js";
import { type JsonPath, parseJsonPath, select } from "../expect/json-path.js";
import type { Hop } from "../http/connection.js";

export type Extract = NonNullable<StepConfig["extract"]>;

/** Whether the extraction reads the body (which the http exchange then keeps). */
export function readsBody(extract: Extract | undefined): boolean {
  return Object.values(extract ?? {}).some(
    (source) => source.json !== undefined || source.regex !== undefined,
  );
}

/** What an exchange left to extract from. */
export interface Response {
  hop?: Hop;
  facts?: Facts;
}

export function extractValues(
  extract: Extract,
  response: Response,
): { values: Map<string, string>; failures: Condition[] } {
  const values = new Map<string, string>();
  const failures: Condition[] = [];
  const fail = (text: string) => failures.push({ ok: false, effect: "fail", text });
  let document: { parsed: boolean; value?: unknown } | undefined;
  const body = () => response.hop?.body?.toString("utf8") ?? "";
  for (const [name, source] of Object.entries(extract)) {
    if (source.json !== undefined) {
      if (!document) {
        try {
          document = { parsed: true, value: JSON.parse(body()) };
        } catch {
          // Not the parser's message: it quotes the body, which may hold anything.
          document = { parsed: false };
        }
      }
      if (!document.parsed) {
        fail(`the body is not JSON, so ${source.json} cannot be extracted`);
        continue;
      }
      const found = select(document.value, parseJsonPath(source.json) as JsonPath);
      if (!found.found || found.value === null || found.value === undefined) {
        fail(`${source.json} not found in the JSON body`);
        continue;
      }
      values.set(name, typeof found.value === "string" ? found.value : JSON.stringify(found.value));
    } else if (source.header !== undefined) {
      // A header sent more than once gives its first occurrence.
      const value = response.hop ? headerValues(response.hop.headers, source.header)[0] : undefined;
      if (value === undefined) fail(`header ${source.header} not in the response`);
      else values.set(name, value);
    } else if (source.regex !== undefined) {
      const match = new RegExp(source.regex).exec(body());
      if (!match) fail(`the body does not match /${source.regex}/`);
      else values.set(name, match.length > 1 ? (match[1] ?? "") : match[0]);
    } else if (source.answer !== undefined) {
      const answers = response.facts?.dnsAnswers ?? [];
      const value = answers[source.answer];
      if (value === undefined)
        fail(
          `no answer ${source.answer} to extract (${answers.length} answer${answers.length === 1 ? "" : "s"})`,
        );
      else values.set(name, value);
    }
  }
  return { values, failures };
}
