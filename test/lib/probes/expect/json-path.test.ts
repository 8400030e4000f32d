import { describe, expect, it } from "vitest";
import { parseJsonPath, select } from "../../../../lib/probes/expect/json-path.js";

describe("JSON paths", () => {
  it("reads names, quoted names and indexes, and refuses what it cannot read", () => {
    const path = parseJsonPath("$.a['b.c'][1]");
    expect(path).toEqual(["a", "b.c", 1]);
    expect(select({ a: { "b.c": [0, "x"] } }, path as (string | number)[])).toEqual({
      found: true,
      value: "x",
    });
    expect(select({ a: {} }, path as (string | number)[])).toEqual({ found: false });
    expect(parseJsonPath("status")).toMatch(/starting with \$/);
    expect(parseJsonPath("$.items[*]")).toMatch(/cannot read "\[\*\]"/);
  });
});
