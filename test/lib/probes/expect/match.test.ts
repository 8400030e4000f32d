import { describe, expect, it } from "vitest";
import { matchCondition } from "../../../../lib/probes/expect/match.js";

describe("a matcher on a value that may be absent", () => {
  it.each([
    [{ exists: true }, true, "x", true, "v exists"],
    [{ exists: true }, false, undefined, false, "v is missing, expected it to exist"],
    [{ exists: false }, true, "x", false, "v exists, expected it to be absent"],
    [{ equals: "ok" }, false, undefined, false, 'v is missing, expected "ok"'],
    [{ matches: "^o" }, false, undefined, false, "v is missing, expected to match /^o/"],
    [{ equals: "ok" }, true, "ok", true, 'v is "ok"'],
    [{ equals: "ok" }, true, "down", false, 'v is "down", expected "ok"'],
    [{ equals: "200" }, true, 200, true, "v is 200"],
    [{ equals: "true" }, true, true, true, "v is true"],
    [{ equals: 1 }, true, "1", false, 'v is "1", expected 1'],
    [{ equals: null }, true, null, true, "v is null"],
    [{ matches: "^\\d+$" }, true, 42, true, "v is 42"],
    [{ matches: "^o" }, true, { a: 1 }, false, 'v is {"a":1}, expected to match /^o/'],
  ] as const)("%j on found=%s %j", (matcher, found, value, ok, text) => {
    expect(matchCondition("v", found, value, matcher)).toEqual({ ok, effect: "fail", text });
  });

  it("quotes a long value clipped to 80 characters", () => {
    const condition = matchCondition("v", true, "x".repeat(200), { equals: "y" });
    expect(condition.text).toBe(`v is "${"x".repeat(76)}..., expected "y"`);
  });
});
