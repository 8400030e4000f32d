import { describe, expect, it } from "vitest";
import { answerConditions, sameName } from "../../../../lib/probes/expect/answers.js";
import type { Condition } from "../../../../lib/result.js";

const texts = (conditions: Condition[]) => conditions.map((c) => [c.ok, c.effect, c.text]);

describe("answers", () => {
  it("compares names without case or the root dot", () => {
    expect(sameName("Mail.Example.", "mail.example")).toBe(true);
    expect(sameName("mail.example", "mx.example")).toBe(false);
  });

  it("holds contains, equals and count, and shows at most four answers", () => {
    const answers = ["a.", "b.", "c.", "d.", "e."];
    expect(texts(answerConditions(answers, { contains: ["A", "z"] }, "NS"))).toEqual([
      [true, "fail", "answers include A"],
      [false, "fail", "answers [a., b., c., d. …] do not include z"],
      [true, "fail", "5 NS answer(s)"],
    ]);
    expect(texts(answerConditions(["10 mx."], { equals: ["10 mx"] }, "MX"))).toEqual([
      [true, "fail", "answers are [10 mx.]"],
    ]);
    expect(texts(answerConditions(["1.2.3.4"], { equals: ["1.2.3.4", "5.6.7.8"] }, "A"))).toEqual([
      [false, "fail", "answers are [1.2.3.4], expected [1.2.3.4, 5.6.7.8]"],
    ]);
  });

  it.each([
    [2, "1 A answer(s), expected 2"],
    [{ min: 2 }, "1 A answer(s), expected at least 2"],
    [{ max: 0 }, "1 A answer(s), expected at most 0"],
    [{ min: 2, max: 3 }, "1 A answer(s), expected 2 to 3"],
  ] as const)("count %j", (count, text) => {
    expect(answerConditions(["1.2.3.4"], { count }, "A")).toEqual([{ ok: false, effect: "fail", text }]);
  });
});
