import type { Condition } from "../../result.js";

/** What the answers of one record type (`10 mx.example`, an address) must be. */
export interface AnswersExpect {
  /** Each of these must be among the answers. */
  contains?: readonly string[];
  /** The answers must be exactly these, in any order. */
  equals?: readonly string[];
  /** How many answers: a number, or a range. Default: at least one, unless `equals` is given. */
  count?: number | { min?: number; max?: number };
}

/** Names compare without case and without the trailing root dot. */
export function sameName(answer: string, wanted: string): boolean {
  const normal = (value: string) => value.toLowerCase().replace(/\.$/, "");
  return normal(answer) === normal(wanted);
}

/** The answers as a reason shows them: the first four, then an ellipsis. */
export function showAnswers(answers: readonly string[]): string {
  return answers.length > 4 ? `${answers.slice(0, 4).join(", ")} …` : answers.join(", ");
}

/** `answers include 192.0.2.1`, `answers are [a, b], expected [c]`, `2 A answer(s), expected 3`. */
export function answerConditions(
  answers: readonly string[],
  expect: AnswersExpect,
  type: string,
): Condition[] {
  const conditions: Condition[] = [];
  const shown = showAnswers(answers);
  const { contains, equals } = expect;
  for (const wanted of contains ?? []) {
    const ok = answers.some((answer) => sameName(answer, wanted));
    conditions.push({
      ok,
      effect: "fail",
      text: ok ? `answers include ${wanted}` : `answers [${shown}] do not include ${wanted}`,
    });
  }
  if (equals) {
    const ok =
      answers.length === equals.length &&
      equals.every((wanted) => answers.some((answer) => sameName(answer, wanted)));
    conditions.push({
      ok,
      effect: "fail",
      text: ok ? `answers are [${shown}]` : `answers are [${shown}], expected [${equals.join(", ")}]`,
    });
  }
  const count = expect.count ?? (equals ? undefined : { min: 1 });
  if (count !== undefined) {
    const { min, max } = typeof count === "number" ? { min: count, max: count } : count;
    const ok = (min === undefined || answers.length >= min) && (max === undefined || answers.length <= max);
    const range =
      min === max
        ? `${min}`
        : max === undefined
          ? `at least ${min}`
          : min === undefined
            ? `at most ${max}`
            : `${min} to ${max}`;
    conditions.push({
      ok,
      effect: "fail",
      text: `${answers.length} ${type} answer(s)${ok ? "" : `, expected ${range}`}`,
    });
  }
  return conditions;
}
